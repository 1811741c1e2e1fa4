import LeptonKernels

/// A graph prepared for one binding of its symbols: the memory plan, the arena it was laid
/// out in (allocated once), and every node as a ready-to-run step over fixed pointers, grouped
/// into the plan's stages (`run()` runs them).
final class PreparedPlan {
    let memory: MemoryPlan
    let arena: Arena
    private let preparer: Preparer
    /// Per stage, per lane, its steps in order.
    private(set) var stages: [[[Step]]] = []
    /// One failure slot per lane, written by that lane's thread during a concurrent stage.
    private let laneFailures: UnsafeMutablePointer<LaneFailure?>
    private let laneCount: Int
    /// The lanes of the concurrent stage being run (read by the lanes' threads).
    private var runningStage: [[Step]] = []
    /// Where the run in progress records its step times (nil: not profiling).
    private var recorder: ProfileRecorder?
    /// Where each graph input is copied before a run.
    private(set) var inputSlots: [(name: String, pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    /// Where each graph output is read after a run.
    private(set) var outputs: [(pointer: UnsafeMutableRawPointer, dtype: DType, shape: [Int])] = []

    var fallbackOps: [Op] { preparer.fallbackOps }

    /// Lays out the arena as [planned values | input slots], resolves every value's address
    /// (views and in-place values share their source's), and prepares the steps in plan order.
    init(graph: Graph, memory: MemoryPlan, parameters: [ValueID: UnsafeMutableRawPointer], constants: ConstantMemory,
         parallelism: Parallelism = .serial) {
        let parameterBytes = constants.bytes
        self.memory = memory
        let shapes = graph.values.indices.map { memory.shapes[$0] ?? concreteShape(graph.type(of: $0), memory.bindings) }
        let bytes = { (id: ValueID) in shapes[id].reduce(1, *) * graph.type(of: id).dtype.byteSize }
        var inputOffsets: [Int] = []
        var size = aligned64(memory.arenaBytes)
        for id in graph.inputs {
            inputOffsets.append(size)
            size += aligned64(bytes(id))
        }
        arena = Arena(byteCount: size)
        preparer = Preparer(bindings: memory.bindings, parallelism: parallelism, constants: constants)
        var address = [UnsafeMutableRawPointer?](repeating: nil, count: graph.values.count)
        for (id, offset) in zip(graph.inputs, inputOffsets) {
            address[id] = arena.base + offset
            inputSlots.append((graph.name(of: id), arena.base + offset, bytes(id)))
        }
        for (id, pointer) in parameters { address[id] = pointer }
        var storage: [ValueID: MemoryPlan.Storage] = [:]
        for buffer in memory.buffers { storage[buffer.value] = buffer.storage }
        laneCount = memory.stages.map(\.lanes.count).max() ?? 1
        laneFailures = .allocate(capacity: laneCount)
        laneFailures.initialize(repeating: nil, count: laneCount)
        for stage in memory.stages {
            var lanes: [[Step]] = []
            for (lane, steps) in stage.lanes.enumerated() {
                preparer.lane = stage.isConcurrent ? lane : nil
                lanes.append(steps.map { step in
                    let index = memory.order[step]
                    let node = graph.nodes[index]
                    for id in node.outputs {
                        address[id] = resolve(storage[id], bytes: bytes(id), address, parameterBytes)
                    }
                    let context = preparer.context(
                        node, inputShapes: node.inputs.map { shapes[$0] }, inputTypes: node.inputs.map { graph.type(of: $0).dtype },
                        outputShapes: node.outputs.map { shapes[$0] }, outputTypes: node.outputs.map { graph.type(of: $0).dtype },
                        inputs: node.inputs.map { defined(address[$0]) }, outputs: node.outputs.map { defined(address[$0]) })
                    return Step(node: index, location: node.location, body: preparer.prepare(context))
                })
            }
            stages.append(lanes)
        }
        preparer.lane = nil
        preparer.allocateScratch()
        outputs = graph.outputs.map { (defined(address[$0]), graph.type(of: $0).dtype, shapes[$0]) }
    }

    deinit {
        laneFailures.deinitialize(count: laneCount)
        laneFailures.deallocate()
    }

    /// Fork-joins one run makes: one per concurrent stage (kernels inside one-lane stages may
    /// add their own).
    var concurrentStages: Int { stages.filter { $0.count > 1 }.count }

    /// Runs every stage: a one-lane stage's steps on this thread, a concurrent stage's lanes
    /// with one fork-join (`WorkerPool.forkJoin`, which allocates nothing). A failing step stops its lane; the failure of the earliest
    /// step (in plan order) among the lanes is thrown, so the error does not depend on timing.
    /// With a `recorder`, every step's start and end (and every concurrent stage's) go into
    /// it; the steps run exactly as without, so the results are the same bits.
    func run(recording recorder: ProfileRecorder? = nil) throws(DiagnosticError) {
        self.recorder = recorder
        defer { self.recorder = nil }
        for (index, stage) in stages.enumerated() {
            if stage.count == 1 {
                for step in stage[0] {
                    recorder?.willRun(step.node, onCaller: true)
                    do { try step.body() } catch { throw DiagnosticError(at: step.location, error.message) }
                    recorder?.didRun(step.node, thread: 0)
                }
                continue
            }
            recorder?.willRun(stage: index)
            defer { recorder?.didRun(stage: index) }
            runningStage = stage
            // A C function over `self`, not a closure: no context to allocate, even in debug builds.
            WorkerPool.forkJoin(iterations: stage.count, context: Unmanaged.passUnretained(self).toOpaque()) { plan, lane in
                Unmanaged<PreparedPlan>.fromOpaque(plan).takeUnretainedValue().runLane(lane)
            }
            runningStage = []
            try throwFirstFailure(lanes: stage.count)
        }
    }

    /// Lane `lane` of `runningStage`, on the thread the fork-join gives it; it stops at its
    /// first failure and records it in its own slot.
    private func runLane(_ lane: Int) {
        // Read once per lane: the recorder is set for the whole run.
        let recorder = self.recorder
        let thread = recorder == nil ? 0 : WorkerPool.currentThread
        for step in runningStage[lane] {
            recorder?.willRun(step.node, onCaller: false)
            do throws(KernelFailure) { try step.body() } catch {
                laneFailures[lane] = LaneFailure(location: step.location, failure: error)
                return
            }
            recorder?.didRun(step.node, thread: thread)
        }
    }

    private func throwFirstFailure(lanes: Int) throws(DiagnosticError) {
        // Lanes are back to back in plan order: the lowest failing lane holds the earliest step.
        for lane in 0..<lanes {
            guard let failed = laneFailures[lane] else { continue }
            for other in 0..<lanes { laneFailures[other] = nil }
            throw DiagnosticError(at: failed.location, failed.failure.message)
        }
    }

    /// A node output's address under the plan. Values the plan left out, and in-place reuse
    /// that would land on a parameter, get private memory instead.
    private func resolve(_ storage: MemoryPlan.Storage?, bytes: Int, _ address: [UnsafeMutableRawPointer?],
                         _ parameterBytes: Range<UnsafeMutableRawPointer>) -> UnsafeMutableRawPointer {
        switch storage {
        case .arena(let offset):
            return arena.base + offset
        case .view(let source):
            return defined(address[source])
        case .inPlace(let source):
            let pointer = defined(address[source])
            return parameterBytes.contains(pointer) ? preparer.allocate(bytes) : pointer
        case nil:
            return preparer.allocate(bytes)
        }
    }

    private func defined(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer {
        guard let pointer else { preconditionFailure("value used before the plan defines it") }
        return pointer
    }
}

/// Where a lane of a concurrent stage stopped.
struct LaneFailure {
    var location: SourceLocation
    var failure: KernelFailure
}
