extension Model {
    /// Runs a graph (the entry graph by default) on `inputs`, keyed by input name, and returns
    /// its outputs with their names, in declaration order. The interpreter checks inputs against
    /// the graph's signature before running: every input given, no unknown ones, dtypes and
    /// shapes matching, each symbolic dimension (`N`) the same everywhere.
    public func run(graph name: String? = nil, inputs: [String: Tensor]) throws(DiagnosticError) -> [(name: String, tensor: Tensor)] {
        let graph = try graph(named: name)
        let parameters = try parameters.tensors(for: graph, baseDirectory: module.baseDirectory)
        let interpreter = Interpreter(graph: graph, parameters: parameters)
        let outputs = try interpreter.run(inputs)
        return zip(graph.outputs, outputs).map { (graph.name(of: $0), $1) }
    }
}
