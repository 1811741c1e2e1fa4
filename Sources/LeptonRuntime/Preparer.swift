import LeptonKernels
import LeptonReference

/// Turns nodes into prepared steps: picks the kernel (the `Op+Kernel` facet, the fused-body
/// strategies, or the reference fallback) and guards against outputs that overlap inputs for
/// kernels that cannot run in place.
///
/// Steps of a concurrent stage run at the same time, each on one thread: while preparing lane
/// `k` of such a stage (`lane = k`) kernels get one thread and lane `k`'s own scratch area, so
/// no two concurrent steps share scratch. Steps of one-lane stages (`lane = nil`) get every
/// thread and area 0, which has a slot per thread.
final class Preparer {
    /// The executor's threads (what one-lane stages use).
    let threads: Parallelism
    private let scratchAreas: [ScratchArea]
    /// The lane of the concurrent stage being prepared; nil for a one-lane stage.
    var lane: Int?
    /// Memory the steps point into beyond the arena (constants, fused intermediates, redirects).
    private(set) var owned: [Arena] = []
    /// Nodes (fused body nodes included) that run through the reference `Op.evaluate`.
    private(set) var fallbackOps: [Op] = []
    let bindings: [String: Int]
    /// The params: constant once the executor is initialized, so kernels may pre-pack them.
    let constants: ConstantMemory?

    init(bindings: [String: Int], parallelism: Parallelism, constants: ConstantMemory? = nil) {
        self.bindings = bindings
        threads = parallelism
        scratchAreas = (0..<parallelism.threads).map { ScratchArea(slots: $0 == 0 ? parallelism.threads : 1) }
        self.constants = constants
    }

    /// The scratch of the steps being prepared.
    var scratch: ScratchArea { scratchAreas[lane ?? 0] }

    /// The threads the steps being prepared may use: one inside a concurrent stage.
    var parallelism: Parallelism {
        lane == nil ? threads : Parallelism(threads: 1, minimumChunkCost: threads.minimumChunkCost)
    }

    /// Allocates every scratch area (after the last step has reserved).
    func allocateScratch() { for area in scratchAreas { area.allocate() } }

    func keep(_ arena: Arena) { owned.append(arena) }

    /// Private memory for a step, owned by the plan.
    func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        let arena = Arena(byteCount: bytes)
        keep(arena)
        return arena.base
    }

    func context(_ node: Node, inputShapes: [[Int]], inputTypes: [DType], outputShapes: [[Int]], outputTypes: [DType],
                 inputs: [UnsafeMutableRawPointer], outputs: [UnsafeMutableRawPointer]) -> StepContext {
        StepContext(node: node, inputShapes: inputShapes, inputTypes: inputTypes, outputShapes: outputShapes,
                    outputTypes: outputTypes, inputs: inputs, outputs: outputs, scratch: scratch, parallelism: parallelism, keep: { [unowned self] in self.keep($0) },
                    constants: constants)
    }

    /// The step for `context.node`. Outputs that overlap an input are redirected to private
    /// memory and copied back afterwards, unless the kernel reads each element before writing it.
    func prepare(_ context: StepContext) -> StepBody {
        var context = context
        var copyBacks: [(UnsafeMutableRawPointer, UnsafeMutableRawPointer, Int)] = []
        if !runsInPlace(context.node) {
            for k in context.outputs.indices where overlapsInput(context, output: k) && !isPlannedView(context, output: k) {
                let bytes = context.bytes(output: k)
                let privateBuffer = allocate(bytes)
                copyBacks.append((context.outputs[k], privateBuffer, bytes))
                context.outputs[k] = privateBuffer
            }
        }
        let body = kernel(context)
        if copyBacks.isEmpty { return body }
        return { () throws(KernelFailure) in
            try body()
            for (target, source, bytes) in copyBacks { target.copyMemory(from: source, byteCount: bytes) }
        }
    }

    private func kernel(_ context: StepContext) -> StepBody {
        if context.op == .fused, let body = FusedPreparer(preparer: self, context: context).prepare() { return body }
        if let body = context.op.prepareKernel(context) { return body }
        return fallback(context)
    }

    private func runsInPlace(_ node: Node) -> Bool {
        if node.op == .fused { return MemoryPlan.mayRunInPlace(node) }
        return node.op.kernelRunsInPlace
    }

    /// A reshape (or flatten, squeeze, unsqueeze) the plan made a view: its result is its
    /// operand's very bytes, so its copy step does nothing. Redirecting it would copy the
    /// tensor out and back on every run (the profile showed ~10 µs per 128 KiB reshape).
    private func isPlannedView(_ context: StepContext, output k: Int) -> Bool {
        [.reshape, .flatten, .squeeze, .unsqueeze].contains(context.op) && !context.inputs.isEmpty
            && context.outputs[k] == context.inputs[0] && context.bytes(output: k) == context.bytes(input: 0)
    }

    private func overlapsInput(_ context: StepContext, output k: Int) -> Bool {
        let start = context.outputs[k], end = start + context.bytes(output: k)
        guard end > start else { return false }
        return context.inputs.indices.contains { i in
            let (s, e) = (context.inputs[i], context.inputs[i] + context.bytes(input: i))
            return s < end && start < e
        }
    }

    /// Runs the node with the reference kernel: operands copied out of the arena into tensors,
    /// results copied back. Allocates on every run; counted in `statistics.fallbackNodes`.
    private func fallback(_ context: StepContext) -> StepBody {
        fallbackOps.append(context.op)
        let node = context.node
        let operands = context.inputs.indices.map { (UnsafeRawPointer(context.inputs[$0]), context.inputTypes[$0], context.inputShapes[$0]) }
        let results = context.outputs.indices.map { (context.outputs[$0], context.bytes(output: $0)) }
        return { () throws(KernelFailure) in
            let tensors = operands.map { Tensor(copying: $0.0, dtype: $0.1, shape: $0.2) }
            let values: [Tensor]
            do throws(KernelError) {
                values = try node.op.evaluate(tensors, node.attributes)
            } catch {
                throw KernelFailure(error.message)
            }
            for ((target, _), value) in zip(results, values) { value.copyBytes(to: target) }
        }
    }
}
