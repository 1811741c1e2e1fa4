import Foundation
import LeptonAutodiff
import LeptonIR
import LeptonPasses
import LeptonRuntime

/// The compiled forms of a training graph: the step (loss, outputs and every trained param's
/// gradient) and the evaluation (loss and outputs only), each optimized and bound to an
/// executor.
///
/// Autodiff needs known shapes, so each distinct set of input sizes (in practice: the batch
/// size, and the last short batch) gets its own differentiated graph and executor, built on
/// first use and kept. Params that are not trained are constants of these graphs; the
/// trained ones are inputs, fed on every call.
public final class TrainingProgram {
    public let training: TrainingGraph
    public let baseDirectory: String
    public let threads: Int
    /// The optimization level of the compiled graphs (`-O2` unless debugging).
    public let level: Int
    private var steps: [[String: Int]: Executor] = [:]
    private var evaluations: [[String: Int]: Executor] = [:]

    public init(training: TrainingGraph, baseDirectory: String, threads: Int = ProcessInfo.processInfo.activeProcessorCount, level: Int = 2) {
        self.training = training
        self.baseDirectory = baseDirectory
        self.threads = threads
        self.level = level
    }

    /// The symbol sizes `data` (tensors for the data inputs, in order) binds; throws a clear
    /// error when a tensor does not fit its input.
    public func bindings(for data: [Tensor]) throws(DiagnosticError) -> [String: Int] {
        let graph = training.graph
        guard data.count == training.dataInputCount else {
            throw DiagnosticError(at: graph.location, "expected \(training.dataInputCount) data tensors, got \(data.count)")
        }
        var sizes: [String: Int] = [:]
        for (input, tensor) in zip(graph.inputs, data) {
            let type = graph.type(of: input), name = graph.name(of: input)
            let mismatch = DiagnosticError(at: graph.values[input].location, "'\(name)' expects \(type), got \(tensor.dtype)\(tensor.shape)")
            guard tensor.dtype == type.dtype, tensor.rank == type.rank else { throw mismatch }
            for (dim, size) in zip(type.shape, tensor.shape) {
                switch dim {
                case .fixed(let n): guard n == size else { throw mismatch }
                case .symbol(let s):
                    if let bound = sizes[s], bound != size {
                        throw DiagnosticError(at: graph.values[input].location, "'\(name)' has \(s) = \(size), but an earlier input bound \(s) = \(bound)")
                    }
                    sizes[s] = size
                }
            }
        }
        return sizes
    }

    /// The differentiated graph for `sizes`, before optimization: what `lepton dump --grad` shows.
    public func gradientGraph(_ sizes: [String: Int]) throws(DiagnosticError) -> Graph {
        let bound = training.graph.bindingSymbols(sizes)
        let wrt = Array(bound.inputs.suffix(training.trained.count))
        return try Autodiff.differentiate(bound, loss: training.loss, wrt: wrt)
    }

    /// One training step: `inputs` are the data tensors then the trained params' values;
    /// `outputs` receives the loss, the model's outputs, then each trained param's gradient.
    public func step(_ inputs: [Tensor], into outputs: inout [Tensor]) throws(DiagnosticError) {
        let sizes = try bindings(for: Array(inputs.prefix(training.dataInputCount)))
        if steps[sizes] == nil { steps[sizes] = try compile(gradientGraph(sizes)) }
        try steps[sizes]?.run(inputs, into: &outputs)
    }

    /// The forward pass only (validation, evaluation): `outputs` receives the loss and the
    /// model's outputs.
    public func evaluate(_ inputs: [Tensor], into outputs: inout [Tensor]) throws(DiagnosticError) {
        let sizes = try bindings(for: Array(inputs.prefix(training.dataInputCount)))
        if evaluations[sizes] == nil { evaluations[sizes] = try compile(training.graph.bindingSymbols(sizes)) }
        try evaluations[sizes]?.run(inputs, into: &outputs)
    }

    /// `graph` after the `-O<level>` pipeline, with the params' values it needs.
    public func optimize(_ graph: Graph) throws(DiagnosticError) -> (graph: Graph, context: PassContext) {
        var optimized = graph
        let manager = PassManager(passes: Passes.pipeline(level: level))
        var context = PassContext(baseDirectory: baseDirectory, freezeParameters: true, weightLayouts: { op, operand, type in
            planTimeWeightLayout(op, operand: operand, type).map { WeightLayout(packedAtPlanTime: $0) }
        })
        _ = try manager.run(&optimized, context: &context)
        return (optimized, context)
    }

    /// The graph after the `-O<level>` pipeline, on an executor.
    private func compile(_ graph: Graph) throws(DiagnosticError) -> Executor {
        let (optimized, context) = try optimize(graph)
        var parameters: [Tensor] = []
        for param in optimized.params { parameters.append(try context.parameters.value(of: param, in: optimized)) }
        return try Executor(graph: optimized, parameters: parameters, threads: threads)
    }
}
