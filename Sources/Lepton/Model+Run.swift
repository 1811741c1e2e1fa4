extension Model {
    /// Runs a graph (the entry graph by default) on `inputs`, keyed by input name, and returns
    /// its outputs with their names, in declaration order. Inputs are checked against the
    /// graph's signature first: every input given, no unknown ones, dtypes and shapes matching,
    /// each symbolic dimension (`N`) the same everywhere.
    public func run(graph name: String? = nil, inputs: [String: Tensor]) throws(DiagnosticError) -> [(name: String, tensor: Tensor)] {
        let graph = try graph(named: name)
        try checkInputs(inputs, against: graph)
        let parameters = try parameters.tensors(for: graph, baseDirectory: module.baseDirectory)
        let interpreter = Interpreter(graph: graph, parameters: parameters)
        let outputs = try interpreter.run(inputs)
        return zip(graph.outputs, outputs).map { (graph.name(of: $0), $1) }
    }

    /// Throws the first disagreement between `inputs` and the signature of `graph`.
    func checkInputs(_ inputs: [String: Tensor], against graph: Graph) throws(DiagnosticError) {
        let declared = graph.inputs.map { graph.values[$0] }
        for name in inputs.keys.sorted() where !declared.contains(where: { $0.name == name }) {
            let names = declared.map(\.name).joined(separator: ", ")
            throw DiagnosticError(at: graph.location, "graph \(graph.name) has no input '\(name)' (inputs: \(names.isEmpty ? "none" : names))")
        }
        var bindings: [String: (size: Int, input: String)] = [:]
        for info in declared {
            guard let tensor = inputs[info.name] else {
                throw DiagnosticError(at: info.location, "missing input \(info.name): \(info.type)")
            }
            let actual = TensorType(tensor.dtype, fixed: tensor.shape)
            func mismatch(_ why: String = "") -> DiagnosticError {
                DiagnosticError(at: info.location, "input \(info.name) is \(info.type) but got \(actual)\(why)")
            }
            guard tensor.dtype == info.type.dtype, tensor.rank == info.type.rank else { throw mismatch() }
            for (dim, size) in zip(info.type.shape, tensor.shape) {
                switch dim {
                case .fixed(let n) where n != size: throw mismatch()
                case .fixed: continue
                case .symbol(let symbol):
                    if let bound = bindings[symbol], bound.size != size {
                        throw mismatch(bound.input == info.name
                            ? " (\(symbol) cannot be both \(bound.size) and \(size))"
                            : " (\(symbol) is \(bound.size) from input \(bound.input))")
                    }
                    bindings[symbol] = bindings[symbol] ?? (size, info.name)
                }
            }
        }
    }
}
