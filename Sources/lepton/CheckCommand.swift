import Lepton

/// `lepton check FILE.graph`: parse and shape-check, then one line per graph.
enum CheckCommand {
    static let spec = CommandSpec(
        name: "check", summary: "parse and shape-check a .graph file; summarize each graph",
        positionals: ["FILE.graph"], options: [],
        details: """
        prints one line per graph: its signature, parameter count and elements, and op count;
        then one per train block: its labels, loss ops, optimizer and how many params it trains
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        let model = try ModelLoading.load(arguments.positionals[0])
        for graph in model.module.graphs { Console.print(summary(of: graph)) }
        for spec in model.module.training { Console.print(summary(of: spec, in: model.module)) }
    }

    /// `train xor_net(y: f32[N, 1])  loss binary_cross_entropy  adam(lr: 0.05, …)  trains 4 of 4 params`
    static func summary(of spec: TrainingSpec, in module: Module) -> String {
        let labels = spec.labelInputs.map { "\(spec.loss.name(of: $0)): \(spec.loss.type(of: $0))" }.joined(separator: ", ")
        let ops = spec.loss.nodes.map(\.op).filter { $0 != .constant }.map(\.mnemonic)
        var seen: Set<String> = []
        let lossOps = ops.filter { seen.insert($0).inserted }.joined(separator: ", ")
        let params = module.graph(named: spec.model).map { graph in
            graph.params.filter { graph.type(of: $0.value).dtype.isFloatingPoint }.count
        } ?? 0
        let trained = spec.trainable?.count ?? params
        return "train \(spec.model)(\(labels))  loss \(lossOps.isEmpty ? "(an output)" : lossOps)  \(Printer.text(of: spec.optimizer))"
            + "  trains \(trained) of \(params) params" + (spec.l2 > 0 ? "  l2 \(spec.l2)" : "")
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
