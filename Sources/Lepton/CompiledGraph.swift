/// An optimized graph bound to an executor: what an app keeps to run a model repeatedly.
/// A class because the executor it owns has identity (its arena and plan cache).
public final class CompiledGraph {
    public let optimized: OptimizedGraph
    private let executor: Executor

    init(optimized: OptimizedGraph, executor: Executor) {
        self.optimized = optimized
        self.executor = executor
    }

    public var graph: Graph { optimized.graph }

    /// Runs on `inputs` (keyed by input name); outputs with their names, in declaration order.
    public func run(_ inputs: [String: Tensor]) throws(DiagnosticError) -> [(name: String, tensor: Tensor)] {
        let outputs = try executor.run(inputs)
        return zip(graph.outputs, outputs).map { (graph.name(of: $0), $1) }
    }

    /// The inputs' names, in the order `run(_:into:)` takes them.
    public var inputNames: [String] { graph.inputs.map { graph.name(of: $0) } }

    /// The outputs' names, in the order `run(_:into:)` writes them.
    public var outputNames: [String] { graph.outputs.map { graph.name(of: $0) } }

    /// The steady-state path, which allocates nothing once warm: `inputs` in `inputNames`
    /// order, results written into `outputs` (in `outputNames` order; filled on the first
    /// call, then overwritten in place). Keep both arrays across calls:
    ///
    ///     var outputs: [Tensor] = []
    ///     for batch in batches { try compiled.run(batch, into: &outputs) }
    public func run(_ inputs: [Tensor], into outputs: inout [Tensor]) throws(DiagnosticError) {
        try executor.run(inputs, into: &outputs)
    }

    /// Runs on `inputs` (keyed by input name) `warmup` times untimed, then `runs` times
    /// recording where the time goes: per step its start, end and thread, per concurrent
    /// stage its span, per kernel that split over the worker pool each thread's share.
    /// The outputs are the same bits `run(_:)` gives. `profile.table` is the per-op summary,
    /// `profile.traceJSON()` a Chrome trace / Perfetto timeline.
    public func profile(_ inputs: [String: Tensor], runs: Int = 10, warmup: Int = 1) throws(DiagnosticError)
        -> (outputs: [(name: String, tensor: Tensor)], profile: ExecutorProfile) {
        let (outputs, profile) = try executor.profile(inputs, runs: runs, warmup: warmup)
        return (zip(graph.outputs, outputs).map { (graph.name(of: $0), $1) }, profile)
    }

    /// The memory plan, grouped into stages, that runs for the symbol sizes in `bindings`.
    public func memoryPlan(for bindings: [String: Int]) throws(DiagnosticError) -> MemoryPlan {
        try executor.memoryPlan(for: bindings)
    }

    /// Plans made, arena growths, runs, nodes on the reference fallback.
    public var statistics: ExecutorStatistics { executor.statistics }
}
