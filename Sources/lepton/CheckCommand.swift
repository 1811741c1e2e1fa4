import Lepton

/// `lepton check FILE.graph`: parse and shape-check, then one line per graph.
enum CheckCommand {
    static let spec = CommandSpec(
        name: "check", summary: "parse and shape-check a .graph file; summarize each graph",
        positionals: ["FILE.graph"], options: [],
        details: "prints one line per graph: its signature, parameter count and elements, and op count",
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        let model = try ModelLoading.load(arguments.positionals[0])
        for graph in model.module.graphs { Console.print(summary(of: graph)) }
    }

    /// `mlp(x: f32[N, 784]) -> (probs: f32[N, 10])  params 4 (407050 elements)  ops 7`
    static func summary(of graph: Graph) -> String {
        let elements = graph.params.reduce(0) { total, param in
            total + (graph.type(of: param.value).fixedShape?.reduce(1, *) ?? 0)
        }
        return "\(signature(of: graph))  params \(graph.params.count) (\(elements) elements)  ops \(graph.nodes.count)"
    }

    static func signature(of graph: Graph) -> String {
        func list(_ values: [ValueID]) -> String {
            values.map { "\(graph.name(of: $0)): \(graph.type(of: $0))" }.joined(separator: ", ")
        }
        return "\(graph.name)(\(list(graph.inputs))) -> (\(list(graph.outputs)))"
    }
}
