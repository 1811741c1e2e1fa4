import Lepton

/// `--dim SYMBOL=SIZE` values (run's random inputs, dump's memory plan) as a symbol table.
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

    /// Every `--dim` must name a symbol some input of `graph` uses (a typo is not ignored).
    static func check(_ dims: [String: Int], against graph: Graph, command: String) throws(CLIError) {
        let symbols = Set(graph.inputs.flatMap { graph.type(of: $0).shape }.compactMap { if case .symbol(let s) = $0 { s } else { nil } })
        for symbol in dims.keys.sorted() where !symbols.contains(symbol) {
            let known = symbols.sorted().joined(separator: ", ")
            throw .usage("--dim \(symbol): no input of graph \(graph.name) uses \(symbol) (symbols: \(known.isEmpty ? "none" : known))", command: command)
        }
    }
}
