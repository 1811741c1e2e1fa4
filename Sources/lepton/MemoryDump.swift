import Lepton

/// `lepton dump FILE.graph --memory [--dim N=1 ...]`: the memory plan of one graph (the entry
/// graph, or `--graph NAME`) under the given symbol sizes.
enum MemoryDump {
    static func run(_ model: Model, _ arguments: ParsedArguments) throws(CLIError) {
        let bindings = try DimOption.parse(arguments.values("--dim"), command: "dump")
        let graph = try ModelLoading.within(model) { () throws(DiagnosticError) in try model.graph(named: arguments.value("--graph")) }
        let symbols = Set(graph.inputs.flatMap { graph.type(of: $0).shape }.compactMap { if case .symbol(let s) = $0 { s } else { nil } })
        for symbol in bindings.keys.sorted() where !symbols.contains(symbol) {
            let known = symbols.sorted().joined(separator: ", ")
            throw .usage("--dim \(symbol): no input of graph \(graph.name) uses \(symbol) (symbols: \(known.isEmpty ? "none" : known))", command: "dump")
        }
        let plan = try ModelLoading.within(model) { () throws(DiagnosticError) in try planMemory(graph, bindings: bindings) }
        Console.print(plan.text)
    }
}

/// `--dim SYMBOL=SIZE` values as a symbol table.
enum DimOption {
    static func parse(_ values: [String], command: String) throws(CLIError) -> [String: Int] {
        var dims: [String: Int] = [:]
        for text in values {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, let size = Int(parts[1]), size >= 0 else {
                throw .usage("--dim expects SYMBOL=SIZE with a non-negative size, got '\(text)'", command: command)
            }
            guard dims[parts[0]] == nil else { throw .usage("--dim \(parts[0]) given more than once", command: command) }
            dims[parts[0]] = size
        }
        return dims
    }
}
