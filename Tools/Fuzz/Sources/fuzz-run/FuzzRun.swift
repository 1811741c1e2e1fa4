import Foundation
import Lepton

/// Any source that lowers, with small shapes, must run or throw diagnostics, never trap:
/// params are materialized and each graph runs on zeros and on seeded random inputs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRun(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let source = String(decoding: bytes, as: UTF8.self)
    guard let module = try? Frontend.parse(source: source, path: "\(fixtureDirectory)/fuzz.graph") else { return 0 }
    for graph in module.graphs.prefix(4) where isSmallAndLocal(graph) {
        guard let parameters = try? materializeParameters(of: graph, baseDirectory: module.baseDirectory) else { continue }
        let interpreter = Interpreter(graph: graph, parameters: parameters)
        _ = try? interpreter.run(inputs(of: graph, seed: nil))
        _ = try? interpreter.run(inputs(of: graph, seed: fnv1a64(source)))
    }
    return 0
}

/// `load("…")` paths resolve here, so seeds can name the committed `.npy`/`.npz` fixtures.
let fixtureDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Tests/LeptonTests/Fixtures/npy").path

/// Every symbolic dim is run at this size.
let symbolSize = 2
/// No value may hold more scalars than this, so no input spends seconds or gigabytes in one op.
let maxElements = 10_000

/// Whether every value is small (symbols at `symbolSize`) and every load stays in the fixtures.
func isSmallAndLocal(_ graph: Graph) -> Bool {
    for value in graph.values {
        var count = 1
        for dim in value.type.shape {
            let size = dim.fixedValue ?? symbolSize
            guard size >= 0 else { return false }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= maxElements else { return false }
            count = product
        }
    }
    return graph.params.allSatisfy { param in
        guard case .load(let path, _) = param.initializer else { return true }
        return !path.hasPrefix("/") && !path.contains("..")
    }
}

/// One tensor per graph input: zeros when `seed` is nil, else small seeded values (ints in
/// -4...4 so gather indices and the like go out of range too).
func inputs(of graph: Graph, seed: UInt64?) -> [String: Tensor] {
    var tensors: [String: Tensor] = [:]
    var random = SplitMix64(seed: seed ?? 0)
    for id in graph.inputs {
        let type = graph.type(of: id)
        let shape = type.shape.map { $0.fixedValue ?? symbolSize }
        let count = shape.reduce(1, *)
        guard seed != nil else {
            tensors[graph.name(of: id)] = Tensor.zeros(type.dtype, shape: shape)
            continue
        }
        let draws = (0..<count).map { _ in random.next() }
        let storage: Tensor.Storage = switch type.dtype {
        case .f32: .f32(draws.map { Float(Int64(bitPattern: $0 % 4001) - 2000) / 500 })
        case .f64: .f64(draws.map { Double(Int64(bitPattern: $0 % 4001) - 2000) / 500 })
        case .i32: .i32(draws.map { Int32($0 % 9) - 4 })
        case .i64: .i64(draws.map { Int64($0 % 9) - 4 })
        case .bool: .bool(draws.map { $0 & 1 == 1 })
        }
        tensors[graph.name(of: id)] = Tensor(shape: shape, storage: storage)
    }
    return tensors
}
