import Foundation

extension Model {
    /// The file's train block for `graph` (the only block when nil), with a message saying how
    /// to write one when the file has none.
    public func trainingSpec(graph name: String? = nil) throws(DiagnosticError) -> TrainingSpec {
        let fileLocation = SourceLocation(file: path, line: 0, column: 0)
        if let name {
            guard let spec = module.training(for: name) else {
                _ = try graph(named: name)
                throw DiagnosticError(at: fileLocation, "graph '\(name)' has no train block")
            }
            return spec
        }
        switch module.training.count {
        case 0:
            let example = module.entry.map { graph in
                let output = graph.outputs.first.map { graph.name(of: $0) } ?? "logits"
                return "train \(graph.name)(y: i64[N]) { loss = cross_entropy(\(output), y); optimizer = adam(lr: 0.001) }"
            }
            throw DiagnosticError(at: fileLocation, "no train block says how to train this model; add one, e.g. \(example ?? "train NAME(y: i64[N]) { … }")")
        case 1:
            return module.training[0]
        default:
            let names = module.training.map(\.model).joined(separator: ", ")
            throw DiagnosticError(at: fileLocation, "the file has train blocks for \(names); choose one with --graph")
        }
    }

    /// A trainer for the model a train block names, starting from the params' initial values
    /// (seeded initializers and loaded files, as `run` would use them).
    public func trainer(graph name: String? = nil, threads: Int? = nil, level: Int = 2) throws(DiagnosticError) -> Trainer {
        let spec = try trainingSpec(graph: name)
        let model = try graph(named: spec.model)
        let training = try TrainingGraph(model: model, spec: spec)
        let program = TrainingProgram(training: training, baseDirectory: module.baseDirectory,
                                      threads: threads ?? ProcessInfo.processInfo.activeProcessorCount, level: level)
        return try Trainer(program: program, spec: spec, initial: parameterValues(of: model))
    }

    /// Every param of `graph` (a graph of this model) by name, as initialized.
    public func parameterValues(of graph: Graph) throws(DiagnosticError) -> [String: Tensor] {
        let values = try parameters.tensors(for: graph, baseDirectory: module.baseDirectory)
        var result: [String: Tensor] = [:]
        for (param, tensor) in zip(graph.params, values) { result[graph.name(of: param.value)] = tensor }
        return result
    }
}
