/// Where the time of profiled executor runs went (`Executor.profile`), as plain values: the
/// plan's steps (what each node computes, how much work that is), and per run when each step
/// started and ended on which thread, when each concurrent stage started and ended, and each
/// share of the kernels that split their work over the worker pool.
///
/// Times are nanoseconds since the start of the first profiled run, all from one monotonic
/// clock (`ShareProbe.now`). Threads are the pool's: 0 is the thread that called the
/// executor, w is worker w.
public struct ExecutorProfile: Sendable {
    /// One step of the plan: a node and what it computes.
    public struct Step: Hashable, Sendable {
        /// Index into the graph's nodes.
        public var node: Int
        public var op: Op
        /// The op's mnemonic, or for a fused node the ops of its body: `fused[matmul+add+relu]`.
        public var kernel: String
        /// The node's output names (most nodes have one).
        public var outputs: [String]
        /// The first output's concrete shape and dtype.
        public var shape: [Int]
        public var dtype: DType
        /// Estimated floating-point work (`Op.flops`, a fused node's body included).
        public var flops: Int
        /// Bytes read and written: operands plus results; 0 for views, which copy nothing.
        public var bytes: Int
        /// The stage (index into the plan's stages) and lane it runs in.
        public var stage: Int
        public var lane: Int
    }

    /// One run of one step.
    public struct StepTiming: Hashable, Sendable {
        /// Index into `steps`.
        public var step: Int
        public var run: Int
        public var thread: Int
        public var start: Int
        public var end: Int
        public var nanoseconds: Int { end - start }
    }

    /// One share of a step's kernel that forked over the pool (a step that did not fork has none).
    public struct ShareTiming: Hashable, Sendable {
        public var step: Int
        public var run: Int
        /// Which part of the kernel's work (share s runs chunks s, s + shares, …).
        public var share: Int
        public var thread: Int
        public var start: Int
        public var end: Int
    }

    /// When one run, or one run of a concurrent stage, started and ended (on the caller).
    public struct Interval: Hashable, Sendable {
        public var run: Int
        /// The stage's index in the plan; nil for a whole run.
        public var stage: Int?
        public var start: Int
        public var end: Int
        public var nanoseconds: Int { end - start }
    }

    public var graph: String
    public var bindings: [String: Int]
    public var threads: Int
    /// Untimed runs before the profiled ones.
    public var warmup: Int
    /// The plan's steps in execution order.
    public var steps: [Step]
    /// The plan's stages: how many lanes each has (more than one: concurrent).
    public var stageLanes: [Int]
    /// Every profiled run, in order.
    public var runs: [Interval]
    /// Every step of every run, in the order they were recorded (run by run).
    public var timings: [StepTiming]
    /// Each run of each concurrent stage.
    public var stages: [Interval]
    public var shares: [ShareTiming]
    /// Shares that did not fit the probe's buffer (0 unless a kernel forked many thousand
    /// times in one run), or could not be recorded because another thread was profiling.
    public var droppedShares: Int
    /// False when another thread's profile held the pool's probe the whole time: then
    /// `shares` is empty although kernels may have split.
    public var sharesRecorded: Bool

    /// Mean nanoseconds per run of each step (index into `steps`).
    public var meanStepNanoseconds: [Double] {
        var total = [Double](repeating: 0, count: steps.count)
        for timing in timings { total[timing.step] += Double(timing.nanoseconds) }
        return total.map { runs.isEmpty ? 0 : $0 / Double(runs.count) }
    }

    /// Mean nanoseconds of one run (wall clock, on the caller).
    public var meanRunNanoseconds: Double {
        runs.isEmpty ? 0 : Double(runs.reduce(0) { $0 + $1.nanoseconds }) / Double(runs.count)
    }
}
