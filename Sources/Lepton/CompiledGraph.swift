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

    /// Plans made, arena growths, runs, nodes on the reference fallback.
    public var statistics: ExecutorStatistics { executor.statistics }
}
