import Foundation
import LeptonKernels
import LeptonReference

/// Counters that show what the executor did: plans and arenas are built once per binding of
/// the graph's symbols, so in steady state only `runs` moves.
public struct ExecutorStatistics: Hashable, Sendable {
    public var runs = 0
    /// Memory plans made (one per new binding of the symbolic dims).
    public var plansBuilt = 0
    /// Arena allocations (one per plan; never during a run of an already-prepared shape).
    public var arenaGrowths = 0
    /// Nodes of the latest plan (fused body nodes included) run by the reference fallback.
    public var fallbackNodes = 0
    /// Bytes of the latest plan's arena (planned values plus input slots).
    public var arenaBytes = 0
    /// The largest arena of any plan made so far (each binding's plan keeps its own arena).
    public var peakArenaBytes = 0
    /// Weights packed for the kernels so far, by this executor and those sharing its params
    /// (packings adopted from an artifact, or made by an earlier plan, are not counted again).
    public var weightsPacked = 0
}

/// Runs a (typically optimized) graph out of one arena with the raw-buffer kernels.
///
/// The first run with a given binding of the symbolic dims plans memory (`planMemory`) for the
/// executor's threads — a static schedule of stages: big nodes alone with every thread,
/// independent branches as concurrent lanes (`StageSchedule`) — allocates the arena once and
/// prepares every node into a step over fixed pointers (shapes, strides, index tables, scratch
/// and fused-body programs resolved up front). Later runs with the same shapes copy the inputs
/// in, run the stages and copy the outputs out. `run(_:into:)` does that without any heap
/// allocation; `run(_:)` checks the inputs by name and returns new tensors. Parameters are
/// copied into their own block once, at init (or used where an artifact was read), and the
/// packed forms kernels make of them are shared by all plans (`ConstantMemory`).
public final class Executor {
    public let graph: Graph
    let constants: ConstantMemory
    private let parameterAddresses: [ValueID: UnsafeMutableRawPointer]
    private var plans: [[String: Int]: PreparedPlan] = [:]
    /// The plan and input signature of the previous fast-path call.
    private var lastRun: LastRun?
    /// Sizes of symbols that appear in param types.
    private let parameterBindings: [String: Int]
    public private(set) var statistics = ExecutorStatistics()

    /// Threads each kernel may use (1: everything runs on the caller's thread).
    public var threads: Int { parallelism.threads }
    let parallelism: Parallelism

    /// `threads` defaults to the active processor count; results are bit-identical for any value.
    public convenience init(graph: Graph, parameters: [Tensor],
                            threads: Int = ProcessInfo.processInfo.activeProcessorCount) throws(DiagnosticError) {
        try self.init(graph: graph, parameters: parameters, parallelism: Parallelism(threads: threads))
    }

    /// Whether plans group independent branches into concurrent stages (tests compare with
    /// the one-node-per-stage order, every kernel still using every thread).
    let concurrentStages: Bool

    /// With an explicit split policy (tests force tiny kernels to split).
    init(graph: Graph, parameters: [Tensor], parallelism: Parallelism, concurrentStages: Bool = true) throws(DiagnosticError) {
        self.parallelism = parallelism
        self.concurrentStages = concurrentStages
        // The params checked once, against a signature without inputs (params may share
        // symbols with inputs; `run` checks that the inputs agree with the sizes bound here).
        var paramsOnly = graph
        paramsOnly.inputs = []
        parameterBindings = try checkInputs([:], parameters: parameters, of: paramsOnly)
        self.graph = graph
        constants = ConstantMemory(copying: parameters)
        parameterAddresses = Dictionary(uniqueKeysWithValues: zip(graph.params.map(\.value), constants.addresses))
    }

    /// Over params already in memory (an artifact's, checked against the graph's fixed param
    /// types when it was decoded).
    init(graph: Graph, constants: ConstantMemory, parallelism: Parallelism) {
        self.parallelism = parallelism
        concurrentStages = true
        parameterBindings = [:]
        self.graph = graph
        self.constants = constants
        parameterAddresses = Dictionary(uniqueKeysWithValues: zip(graph.params.map(\.value), constants.addresses))
    }

    /// The graph's outputs, in `graph.outputs` order, for `inputs` keyed by input name.
    public func run(_ inputs: [String: Tensor]) throws(DiagnosticError) -> [Tensor] {
        let plan = try preparedPlan(checking: inputs)
        for slot in plan.inputSlots {
            guard let tensor = inputs[slot.name] else { preconditionFailure("input '\(slot.name)' passed the checks but is missing") }
            tensor.copyBytes(to: slot.pointer)
        }
        try plan.run()
        statistics.runs += 1
        return plan.outputs.map { Tensor(copying: $0.pointer, dtype: $0.dtype, shape: $0.shape) }
    }

    /// The zero-allocation path: `inputs` in `graph.inputs` order, results written into
    /// `outputs` (in `graph.outputs` order). When every input has the dtype and shape it had in
    /// the previous call, the signature check and plan lookup are skipped; `outputs` that
    /// already hold tensors of the results' dtypes and shapes (the previous call's) are
    /// overwritten in place. So a loop that keeps both arrays allocates nothing after its first
    /// call. Any other call takes the checked path, with the same diagnostics as `run(_:)`.
    public func run(_ inputs: [Tensor], into outputs: inout [Tensor]) throws(DiagnosticError) {
        let plan = try plan(forInputsInOrder: inputs)
        for (slot, tensor) in zip(plan.inputSlots, inputs) { tensor.copyBytes(to: slot.pointer) }
        try plan.run()
        statistics.runs += 1
        if outputs.count != plan.outputs.count { outputs = plan.outputs.map { Tensor.zeros($0.dtype, shape: $0.shape) } }
        for k in outputs.indices {
            let result = plan.outputs[k]
            outputs[k].overwrite(from: result.pointer, dtype: result.dtype, shape: result.shape)
        }
    }

    /// The path over caller memory: input k read from `inputs[k]` (in `graph.inputs` order,
    /// copied straight into its arena slot), output k written into `outputs[k]` (in
    /// `graph.outputs` order), which must hold at least its bytes. Returns the outputs' shapes.
    /// The signature check and plan lookup are skipped when every input has the dtype and
    /// shape it had in the previous call, as for `run(_:into:)`.
    public func run(borrowing inputs: [TensorBuffer], into outputs: [UnsafeMutableRawBufferPointer]) throws(DiagnosticError) -> [[Int]] {
        let plan = try plan(forInputsInOrder: inputs)
        for (slot, input) in zip(plan.inputSlots, inputs) where input.bytes.count != slot.bytes {
            throw DiagnosticError(at: graph.location, "input '\(slot.name)' of shape \(input.shape) needs \(slot.bytes) bytes, its buffer has \(input.bytes.count)")
        }
        guard outputs.count == plan.outputs.count else {
            throw DiagnosticError(at: graph.location, "graph '\(graph.name)' has \(plan.outputs.count) outputs, got \(outputs.count) buffers")
        }
        for (k, (output, buffer)) in zip(plan.outputs, outputs).enumerated() {
            let needed = output.shape.reduce(1, *) * output.dtype.byteSize
            guard buffer.count >= needed else {
                throw DiagnosticError(at: graph.location, "output '\(graph.name(of: graph.outputs[k]))' (\(output.dtype)\(output.shape)) needs \(needed) bytes, its buffer has \(buffer.count)")
            }
        }
        for (slot, input) in zip(plan.inputSlots, inputs) where slot.bytes > 0 {
            if let source = input.bytes.baseAddress { slot.pointer.copyMemory(from: source, byteCount: slot.bytes) }
        }
        try plan.run()
        statistics.runs += 1
        for (output, buffer) in zip(plan.outputs, outputs) {
            let needed = output.shape.reduce(1, *) * output.dtype.byteSize
            if needed > 0, let target = buffer.baseAddress { target.copyMemory(from: output.pointer, byteCount: needed) }
        }
        return plan.outputs.map(\.shape)
    }

    /// The plan for inputs given in `graph.inputs` order: the previous call's when every input
    /// has its dtype and shape again (nothing checked or looked up), else checked by name.
    private func plan<T: TensorShaped>(forInputsInOrder inputs: [T]) throws(DiagnosticError) -> PreparedPlan {
        if let last = lastRun, last.matches(inputs) { return last.plan }
        guard inputs.count == graph.inputs.count else {
            throw DiagnosticError(at: graph.location, "graph '\(graph.name)' takes \(graph.inputs.count) inputs, got \(inputs.count)")
        }
        var named: [String: T] = [:]
        for (id, input) in zip(graph.inputs, inputs) { named[graph.name(of: id)] = input }
        let plan = try preparedPlan(checking: named)
        lastRun = LastRun(plan: plan, inputs: inputs)
        return plan
    }

    /// Another executor over the same graph and the same params — read-only, so shared, not
    /// copied — with arenas of its own: the two can run at the same time on different threads.
    /// It makes its own plans, or adopts `plans` (made for `planThreads` threads).
    public func sibling(adopting plans: [MemoryPlan] = []) throws(DiagnosticError) -> Executor {
        let copy = Executor(sharingParametersOf: self)
        for plan in plans where plan.graph == graph { try copy.adopt(plan) }
        return copy
    }

    private init(sharingParametersOf other: Executor) {
        parallelism = other.parallelism
        concurrentStages = other.concurrentStages
        parameterBindings = other.parameterBindings
        graph = other.graph
        constants = other.constants
        parameterAddresses = other.parameterAddresses
    }

    /// Runs the graph `warmup` times untimed, then `runs` times recording where the time goes:
    /// every step's start and end and thread, every concurrent stage, every share of a kernel
    /// that split over the worker pool (`ExecutorProfile`). Returns the last run's outputs,
    /// the same bits as `run(_:)` gives: timing changes nothing the kernels compute.
    public func profile(_ inputs: [String: Tensor], runs: Int = 10, warmup: Int = 1) throws(DiagnosticError) -> (outputs: [Tensor], profile: ExecutorProfile) {
        let plan = try preparedPlan(checking: inputs)
        // Inputs go in before every run: a step may overwrite its input's slot in place.
        let copyInputs = {
            for slot in plan.inputSlots {
                guard let tensor = inputs[slot.name] else { preconditionFailure("input '\(slot.name)' passed the checks but is missing") }
                tensor.copyBytes(to: slot.pointer)
            }
        }
        for _ in 0..<max(0, warmup) {
            copyInputs()
            try plan.run()
        }
        let recorder = ProfileRecorder(plan: plan, threads: parallelism.threads, warmup: max(0, warmup))
        recorder.startProbe()
        defer { recorder.stopProbe() }
        for run in 0..<max(1, runs) {
            copyInputs()
            try recorder.measure(run: run) { () throws(DiagnosticError) in try plan.run(recording: recorder) }
        }
        statistics.runs += max(0, warmup) + max(1, runs)
        let outputs = plan.outputs.map { Tensor(copying: $0.pointer, dtype: $0.dtype, shape: $0.shape) }
        return (outputs, recorder.profile)
    }

    /// Inputs checked against the signature and the params' sizes, then the plan of their binding.
    private func preparedPlan<T: TensorShaped>(checking inputs: [String: T]) throws(DiagnosticError) -> PreparedPlan {
        var bindings = try checkInputs(inputs, of: graph)
        for (symbol, size) in parameterBindings {
            if let bound = bindings[symbol], bound != size {
                throw DiagnosticError(at: graph.location, "inputs bind \(symbol) = \(bound), but the params have \(symbol) = \(size)")
            }
            bindings[symbol] = size
        }
        return try preparedPlan(for: bindings)
    }

    private func preparedPlan(for bindings: [String: Int]) throws(DiagnosticError) -> PreparedPlan {
        if let plan = plans[bindings] { return plan }
        let memory = try planMemory(graph, bindings: bindings, threads: planThreads)
        #if DEBUG
        do { try memory.validate() } catch { preconditionFailure("invalid memory plan: \(error)") }
        #endif
        statistics.plansBuilt += 1
        return try prepare(memory)
    }

    /// The thread count plans are made for (their concurrent stages depend on it).
    public var planThreads: Int { concurrentStages ? parallelism.threads : 1 }

    /// Uses `memory` (made for `planThreads` threads and already validated: an artifact's
    /// plans are checked when it is decoded) for its bindings instead of planning again.
    public func adopt(_ memory: MemoryPlan) throws(DiagnosticError) {
        _ = try prepare(memory)
    }

    private func prepare(_ memory: MemoryPlan) throws(DiagnosticError) -> PreparedPlan {
        let bindings = memory.bindings
        // An absurd size (a huge --dim, a damaged artifact) is an error, not a failed allocation.
        guard memory.arenaBytes <= Int(clamping: ProcessInfo.processInfo.physicalMemory) else {
            let sizes = bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            throw DiagnosticError(at: graph.location, "running \(graph.name) with \(sizes.isEmpty ? "these inputs" : sizes) needs "
                + "\(memory.arenaBytes) bytes of memory for its values, more than this machine has")
        }
        let plan = PreparedPlan(graph: graph, memory: memory, parameters: parameterAddresses, constants: constants,
                                parallelism: parallelism)
        plans[bindings] = plan
        statistics.arenaGrowths += 1
        statistics.fallbackNodes = plan.fallbackOps.count
        statistics.arenaBytes = plan.arena.byteCount
        statistics.peakArenaBytes = max(statistics.peakArenaBytes, plan.arena.byteCount)
        statistics.weightsPacked = constants.packedHere
        return plan
    }

    /// The ops of the latest plan that run through the reference fallback.
    public var fallbackOps: [Op] { plans.values.first?.fallbackOps ?? [] }

    /// The memory plan (with its stages) the executor runs for `bindings`, made if needed.
    public func memoryPlan(for bindings: [String: Int]) throws(DiagnosticError) -> MemoryPlan {
        try preparedPlan(for: bindings).memory
    }

    /// Fork-joins per run of the plan for `bindings` made by the scheduler (one per concurrent
    /// stage; kernels splitting their own work add theirs); nil if no such plan was made yet.
    public func concurrentStages(for bindings: [String: Int]) -> Int? { plans[bindings]?.concurrentStages }
}

/// What the fast path compares the next call's inputs with.
private struct LastRun {
    let plan: PreparedPlan
    let dtypes: [DType]
    let shapes: [[Int]]

    init<T: TensorShaped>(plan: PreparedPlan, inputs: [T]) {
        self.plan = plan
        dtypes = inputs.map(\.dtype)
        shapes = inputs.map(\.shape)
    }

    func matches<T: TensorShaped>(_ inputs: [T]) -> Bool {
        guard inputs.count == shapes.count else { return false }
        for i in inputs.indices where inputs[i].dtype != dtypes[i] || inputs[i].shape != shapes[i] { return false }
        return true
    }
}
