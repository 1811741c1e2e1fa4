import Lepton

/// Any bytes, read as (lossy) UTF-8 source, must give a module or diagnostics, never a trap.
/// When the source lowers, its printed form must be a fixed point of print ∘ parse.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let module = try? Frontend.parse(source: source, path: "fuzz.graph") else { return 0 }
    let printed = Printer.print(module)
    let reparsed: Module
    do {
        reparsed = try Frontend.parse(source: printed, path: "fuzz.graph")
    } catch {
        fatalError("printed IR does not parse: \(error.diagnostics[0])\n--- printed ---\n\(printed)")
    }
    let reprinted = Printer.print(reparsed)
    if reprinted != printed {
        fatalError("print(parse(print(m))) != print(m)\n--- printed ---\n\(printed)\n--- reprinted ---\n\(reprinted)")
    }
    return 0
}
