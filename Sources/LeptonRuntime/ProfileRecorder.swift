#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LeptonKernels

/// Collects the timings of profiled runs of one prepared plan into an `ExecutorProfile`.
///
/// During a run, steps write only to preallocated slots (one per node: each step is run by
/// exactly one thread, so lanes never share a slot) and the pool's `ShareProbe` writes into
/// a preallocated buffer; between runs the slots and shares are moved into the profile's
/// arrays. So timing adds two clock reads per step and per share, and nothing else.
final class ProfileRecorder {
    private struct Slot {
        var start: UInt64 = 0
        var end: UInt64 = 0
        var thread = -1
    }

    /// Shares one run may record (40 bytes each: 2.5 MiB); a run that forks more drops the rest
    /// and counts them.
    static let shareCapacity = 1 << 16

    private let slots: UnsafeMutablePointer<Slot>
    private let nodeCount: Int
    private let stageSlots: UnsafeMutablePointer<Slot>
    private let stageCount: Int
    private let shareBuffer: UnsafeMutablePointer<ShareProbe.Record>
    /// The step (index into `profile.steps`) of each graph node.
    private let stepOfNode: [Int]
    private var origin: UInt64?
    private var probing = false
    private(set) var profile: ExecutorProfile

    init(plan: PreparedPlan, threads: Int, warmup: Int) {
        let memory = plan.memory
        let graph = memory.graph
        nodeCount = graph.nodes.count
        stageCount = memory.stages.count
        slots = .allocate(capacity: nodeCount)
        slots.initialize(repeating: Slot(), count: nodeCount)
        stageSlots = .allocate(capacity: stageCount)
        stageSlots.initialize(repeating: Slot(), count: stageCount)
        shareBuffer = .allocate(capacity: Self.shareCapacity)
        let steps = profiledSteps(memory)
        var stepOfNode = [Int](repeating: -1, count: nodeCount)
        for (index, step) in steps.enumerated() { stepOfNode[step.node] = index }
        self.stepOfNode = stepOfNode
        profile = ExecutorProfile(graph: graph.name, bindings: memory.bindings, threads: threads, warmup: warmup, steps: steps,
                                  stageLanes: memory.stages.map(\.lanes.count), runs: [], timings: [], stages: [],
                                  shares: [], droppedShares: 0, sharesRecorded: false)
    }

    deinit {
        stopProbe()
        slots.deallocate()
        stageSlots.deallocate()
        shareBuffer.deallocate()
    }

    /// Turns the pool's probe on for this thread. One profile records shares at a time per
    /// process: this waits (up to ten seconds) for another thread's to finish, then profiles
    /// without shares (`sharesRecorded` false).
    func startProbe() {
        for _ in 0..<100_000 {
            if ShareProbe.start(into: shareBuffer, capacity: Self.shareCapacity) {
                probing = true
                profile.sharesRecorded = true
                return
            }
            usleep(100)
        }
    }

    func stopProbe() {
        if probing { ShareProbe.stop() }
        probing = false
    }

    /// Runs `body` (one run of the plan, recording into this) as profiled run `run`, then
    /// moves its timings into `profile`.
    func measure(run: Int, _ body: () throws(DiagnosticError) -> Void) throws(DiagnosticError) {
        for i in 0..<nodeCount { slots[i].thread = -1 }
        for i in 0..<stageCount { stageSlots[i].thread = -1 }
        if probing { ShareProbe.reset() }
        let start = ShareProbe.now()
        try body()
        let end = ShareProbe.now()
        let origin = self.origin ?? start
        self.origin = origin
        let time = { (t: UInt64) in Int(clamping: t &- origin) }
        profile.runs.append(ExecutorProfile.Interval(run: run, stage: nil, start: time(start), end: time(end)))
        for (index, step) in profile.steps.enumerated() where slots[step.node].thread >= 0 {
            let slot = slots[step.node]
            profile.timings.append(ExecutorProfile.StepTiming(step: index, run: run, thread: slot.thread,
                                                              start: time(slot.start), end: time(slot.end)))
        }
        for stage in 0..<stageCount where stageSlots[stage].thread >= 0 {
            profile.stages.append(ExecutorProfile.Interval(run: run, stage: stage, start: time(stageSlots[stage].start),
                                                           end: time(stageSlots[stage].end)))
        }
        guard probing else { return }
        let (count, dropped) = ShareProbe.recorded
        profile.droppedShares += dropped
        // Label -1: the fork-join of a concurrent stage's lanes, whose steps are timed already.
        for record in UnsafeBufferPointer(start: shareBuffer, count: count) where record.label >= 0 && record.label < nodeCount {
            profile.shares.append(ExecutorProfile.ShareTiming(step: stepOfNode[record.label], run: run, share: record.share,
                                                              thread: record.thread, start: time(record.start), end: time(record.end)))
        }
    }

    /// Before node `node` runs; a step on the caller labels the fork-joins its kernel starts.
    @inline(__always) func willRun(_ node: Int, onCaller: Bool) {
        if onCaller { ShareProbe.label = node }
        slots[node].start = ShareProbe.now()
    }

    @inline(__always) func didRun(_ node: Int, thread: Int) {
        slots[node].end = ShareProbe.now()
        slots[node].thread = thread
    }

    func willRun(stage: Int) {
        ShareProbe.label = -1
        stageSlots[stage].start = ShareProbe.now()
    }

    func didRun(stage: Int) {
        stageSlots[stage].end = ShareProbe.now()
        stageSlots[stage].thread = 0
    }
}

/// The plan's steps in execution order, with what each computes.
private func profiledSteps(_ memory: MemoryPlan) -> [ExecutorProfile.Step] {
    let graph = memory.graph
    var place: [Int: (stage: Int, lane: Int)] = [:]
    for (index, stage) in memory.stages.enumerated() {
        for (lane, steps) in stage.lanes.enumerated() {
            for step in steps { place[step] = (index, lane) }
        }
    }
    var isView = Set<ValueID>()
    for buffer in memory.buffers { if case .view = buffer.storage { isView.insert(buffer.value) } }
    let shape = { (id: ValueID) in memory.shapes[id] ?? concreteShape(graph.type(of: id), memory.bindings) }
    let bytes = { (id: ValueID) in shape(id).reduce(1, *) * graph.type(of: id).dtype.byteSize }
    return memory.order.enumerated().map { position, index in
        let node = graph.nodes[index]
        let first = node.outputs.first
        let flops = node.op.flops(inputs: node.inputs.map(shape), outputs: node.outputs.map(shape), attributes: node.attributes)
            + node.regions.reduce(0) { $0 + $1.flopCount(sizes: memory.bindings) }
        // A node whose results all alias its operands (reshape and kin) moves no bytes.
        let moves = !node.outputs.isEmpty && !node.outputs.allSatisfy(isView.contains)
        return ExecutorProfile.Step(
            node: index, op: node.op, kernel: kernelName(node), outputs: node.outputs.map { graph.name(of: $0) },
            shape: first.map(shape) ?? [], dtype: first.map { graph.type(of: $0).dtype } ?? .f32, flops: flops,
            bytes: moves ? node.inputs.reduce(0) { $0 + bytes($1) } + node.outputs.reduce(0) { $0 + bytes($1) } : 0,
            stage: place[position]?.stage ?? 0, lane: place[position]?.lane ?? 0)
    }
}

/// `matmul`, or for a fused node the ops of its body: `fused[linear+gelu]` (constants left
/// out; long chains cut after six ops).
private func kernelName(_ node: Node) -> String {
    guard node.op == .fused, let body = node.regions.first else { return node.op.mnemonic }
    let ops = body.nodes.map(\.op).filter { $0 != .constant }.map(\.mnemonic)
    let shown = ops.count > 6 ? ops.prefix(6) + ["…"] : ops[...]
    return "fused[" + shown.joined(separator: "+") + "]"
}
