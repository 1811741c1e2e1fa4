import Foundation

/// An optimized graph bound to executors: what an app keeps to run a model repeatedly.
///
/// Safe to use from many threads at once. Each call borrows an executor from a small pool —
/// its own arenas, so concurrent calls never share scratch memory — and gives it back, so a
/// steady stream of calls reuses the same arenas and allocates nothing. Executors share the
/// params (read-only); a second one is made only when two calls overlap. Results are
/// bit-identical whichever executor or thread runs a call.
///
///     let model = try Model.load(contentsOf: "mlp.graph").compile()   // or CompiledGraph(artifact:)
///     let probs = try model.run(["x": Tensor(shape: [1, 784], scalars: pixels)])[0].tensor
public final class CompiledGraph: @unchecked Sendable {
    /// The optimized graph that runs (for an artifact, its params' initializers are placeholders:
    /// the values stay in the artifact's bytes).
    public let graph: Graph
    /// The first executor; its plans and statistics are what `memoryPlan` and `statistics` report.
    private let primary: Executor
    /// Memory plans from an artifact, adopted by every executor made later.
    private let plans: [MemoryPlan]
    private let lock = NSLock()
    private var idle: [Executor]

    init(executor: Executor, plans: [MemoryPlan] = []) {
        graph = executor.graph
        self.primary = executor
        self.plans = plans
        idle = [executor]
        idle.reserveCapacity(8)
    }

    /// Runs `body` on an executor no other call is using.
    private func withExecutor<T>(_ body: (Executor) throws(DiagnosticError) -> T) throws(DiagnosticError) -> T {
        lock.lock()
        let borrowed = idle.popLast()
        lock.unlock()
        let executor: Executor
        if let borrowed { executor = borrowed } else { executor = try primary.sibling(adopting: plans) }
        defer {
            lock.lock()
            idle.append(executor)
            lock.unlock()
        }
        return try body(executor)
    }

    /// Runs on `inputs` (keyed by input name); outputs with their names, in declaration order.
    public func run(_ inputs: [String: Tensor]) throws(DiagnosticError) -> [(name: String, tensor: Tensor)] {
        let outputs = try withExecutor { executor throws(DiagnosticError) in try executor.run(inputs) }
        return zip(graph.outputs, outputs).map { (graph.name(of: $0), $1) }
    }

    /// `run(_:)` off the caller's thread, for async code.
    public func run(_ inputs: [String: Tensor]) async throws(DiagnosticError) -> [(name: String, tensor: Tensor)] {
        let result: Result<[(name: String, tensor: Tensor)], DiagnosticError> = await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                do throws(DiagnosticError) {
                    continuation.resume(returning: .success(try self.run(inputs)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// The inputs' names, in the order `run(_:into:)` takes them.
    public var inputNames: [String] { graph.inputs.map { graph.name(of: $0) } }

    /// The outputs' names, in the order `run(_:into:)` writes them.
    public var outputNames: [String] { graph.outputs.map { graph.name(of: $0) } }

    /// The inputs' declared types (symbolic dims like `N` are bound by each call's tensors).
    public var inputTypes: [TensorType] { graph.inputs.map { graph.type(of: $0) } }

    /// The outputs' declared types.
    public var outputTypes: [TensorType] { graph.outputs.map { graph.type(of: $0) } }

    /// The steady-state path, which allocates nothing once warm: `inputs` in `inputNames`
    /// order, results written into `outputs` (in `outputNames` order; filled on the first
    /// call, then overwritten in place). Keep both arrays across calls:
    ///
    ///     var outputs: [Tensor] = []
    ///     for batch in batches { try compiled.run(batch, into: &outputs) }
    public func run(_ inputs: [Tensor], into outputs: inout [Tensor]) throws(DiagnosticError) {
        try withExecutor { executor throws(DiagnosticError) in try executor.run(inputs, into: &outputs) }
    }

    /// The path over caller memory (no tensors built): input k read from `inputs[k]`, in
    /// `inputNames` order; output k written into `outputs[k]`, in `outputNames` order, which
    /// must hold at least its bytes. Returns the outputs' shapes.
    ///
    ///     let pixels: [Float] = …, var probs = [Float](repeating: 0, count: 10)
    ///     try pixels.withUnsafeBufferPointer { x in
    ///         try probs.withUnsafeMutableBytes { y in
    ///             _ = try compiled.run(borrowing: [TensorBuffer(x, shape: [1, 784])], into: [y])
    ///         }
    ///     }
    @discardableResult
    public func run(borrowing inputs: [TensorBuffer], into outputs: [UnsafeMutableRawBufferPointer]) throws(DiagnosticError) -> [[Int]] {
        try withExecutor { executor throws(DiagnosticError) in try executor.run(borrowing: inputs, into: outputs) }
    }

    /// Runs on `inputs` (keyed by input name) `warmup` times untimed, then `runs` times
    /// recording where the time goes: per step its start, end and thread, per concurrent
    /// stage its span, per kernel that split over the worker pool each thread's share.
    /// The outputs are the same bits `run(_:)` gives. `profile.table` is the per-op summary,
    /// `profile.traceJSON()` a Chrome trace / Perfetto timeline.
    public func profile(_ inputs: [String: Tensor], runs: Int = 10, warmup: Int = 1) throws(DiagnosticError)
        -> (outputs: [(name: String, tensor: Tensor)], profile: ExecutorProfile) {
        let (outputs, profile) = try withExecutor { executor throws(DiagnosticError) in
            try executor.profile(inputs, runs: runs, warmup: warmup)
        }
        return (zip(graph.outputs, outputs).map { (graph.name(of: $0), $1) }, profile)
    }

    /// The memory plan, grouped into stages, that runs for the symbol sizes in `bindings`.
    public func memoryPlan(for bindings: [String: Int]) throws(DiagnosticError) -> MemoryPlan {
        try withExecutor { executor throws(DiagnosticError) in try executor.memoryPlan(for: bindings) }
    }

    /// Plans made, arena growths, runs, nodes on the reference fallback, of the first executor
    /// (read it while no call is running).
    public var statistics: ExecutorStatistics { primary.statistics }
}
