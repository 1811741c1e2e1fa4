/// A block of arena bytes: one `.arena` buffer together with every view and in-place value
/// that shares its bytes. It is live from the start of its root's stage to the end of the stage
/// of the last read of any member (with one step per stage: from its root's step to that read).
struct MemoryBlock: Hashable, Sendable {
    var root: ValueID
    var bytes: Int
    var firstStep: Int
    var lastStep: Int

    func overlapsInTime(_ other: MemoryBlock) -> Bool {
        firstStep <= other.lastStep && other.firstStep <= lastStep
    }

    /// Live from the first step of its first step's stage to the last step of its last step's.
    func widened(to stages: [MemoryPlan.Stage]) -> MemoryBlock {
        var block = self
        for stage in stages {
            let steps = stage.steps
            if steps.contains(firstStep) { block.firstStep = steps.lowerBound }
            if steps.contains(lastStep) { block.lastStep = steps.upperBound - 1 }
        }
        return block
    }
}

/// Lifetimes and storage kinds (views, in-place) of every node output for one execution
/// order; offsets come later (every `.arena` offset here is 0).
struct LifetimeDraft {
    var buffers: [MemoryPlan.Buffer] = []
    var blocks: [MemoryBlock] = []

    init(graph: Graph, order: [Int], stages: [MemoryPlan.Stage], shapes: [ValueID: [Int]]) {
        var index: [ValueID: Int] = [:]
        for (step, node) in order.enumerated() {
            for id in graph.nodes[node].outputs {
                index[id] = buffers.count
                let bytes = MemoryPlan.byteCount(of: id, in: graph, shapes: shapes)
                buffers.append(.init(value: id, bytes: bytes, firstStep: step, lastStep: step, storage: .arena(offset: 0)))
            }
        }
        measureLifetimes(graph, order, index)
        var aliases = AliasClasses(buffers: buffers, index: index, outputs: Set(graph.outputs))
        var concurrentSteps = Set<Int>()
        for stage in stages where stage.isConcurrent { concurrentSteps.formUnion(stage.steps) }
        shareInPlace(graph, order, shapes, index, concurrentSteps, &aliases)
        blocks = aliases.blocks(buffers).map { $0.widened(to: stages) }
    }

    /// Last reads, graph outputs to the end, then views stretch their sources (in reverse
    /// order, so a view of a view stretches the whole chain).
    private mutating func measureLifetimes(_ graph: Graph, _ order: [Int], _ index: [ValueID: Int]) {
        for (step, node) in order.enumerated() {
            for id in graph.nodes[node].inputs {
                if let i = index[id] { buffers[i].lastStep = Swift.max(buffers[i].lastStep, step) }
            }
        }
        let end = Swift.max(order.count - 1, 0)
        for id in graph.outputs { if let i = index[id] { buffers[i].lastStep = end } }
        for node in order.reversed() where MemoryPlan.isView(graph.nodes[node].op) {
            let node = graph.nodes[node]
            guard let output = index[node.outputs[0]] else { continue }
            buffers[output].storage = .view(of: node.inputs[0])
            if let source = index[node.inputs[0]] {
                buffers[source].lastStep = Swift.max(buffers[source].lastStep, buffers[output].lastStep)
            }
        }
    }

    /// An elementwise node writes over the first operand of its result's shape and dtype whose
    /// bytes nothing reads later (and that is not, and has no view that is, a graph output).
    /// Not in a concurrent stage: another lane may still be reading those bytes.
    /// Same dtype, not just same element size (which the validator allows): a cast from f32 to
    /// i32 in place would make kernels access one memory as two types.
    private mutating func shareInPlace(_ graph: Graph, _ order: [Int], _ shapes: [ValueID: [Int]],
                                       _ index: [ValueID: Int], _ concurrentSteps: Set<Int>, _ aliases: inout AliasClasses) {
        for (step, node) in order.enumerated() where MemoryPlan.mayRunInPlace(graph.nodes[node]) && !concurrentSteps.contains(step) {
            let node = graph.nodes[node]
            let output = node.outputs[0]
            guard let slot = index[output] else { continue }
            let dtype = graph.type(of: output).dtype
            for input in node.inputs {
                guard let root = aliases.root(of: input), aliases.isFree(root, after: step),
                      shapes[input] == shapes[output], graph.type(of: input).dtype == dtype
                else { continue }
                buffers[slot].storage = .inPlace(of: input)
                aliases.merge(output, into: root)
                break
            }
        }
    }
}

/// Which arena buffer each value's bytes belong to, while in-place sharing merges classes.
struct AliasClasses {
    private var rootOf: [ValueID: ValueID] = [:]
    private var members: [ValueID: [ValueID]] = [:]
    private var lastStep: [ValueID: Int] = [:]
    private var holdsOutput: Set<ValueID> = []

    /// Views join their source's class; values outside the arena (inputs, params) have none.
    init(buffers: [MemoryPlan.Buffer], index: [ValueID: Int], outputs: Set<ValueID>) {
        for buffer in buffers {
            let root: ValueID?
            switch buffer.storage {
            case .arena: root = buffer.value
            case .view(let source), .inPlace(let source): root = rootOf[source]
            }
            guard let root else { continue }
            rootOf[buffer.value] = root
            members[root, default: []].append(buffer.value)
            lastStep[root] = Swift.max(lastStep[root] ?? 0, buffer.lastStep)
            if outputs.contains(buffer.value) { holdsOutput.insert(root) }
        }
    }

    func root(of value: ValueID) -> ValueID? { rootOf[value] }

    /// Nothing reads the class's bytes after `step`, and no graph output lives in them.
    func isFree(_ root: ValueID, after step: Int) -> Bool {
        lastStep[root] == step && !holdsOutput.contains(root)
    }

    /// `value` (a root, with its views) now lives in `root`'s bytes.
    mutating func merge(_ value: ValueID, into root: ValueID) {
        guard let moved = members.removeValue(forKey: value) else { preconditionFailure("merging a non-root value") }
        for member in moved { rootOf[member] = root }
        members[root, default: []] += moved
        lastStep[root] = Swift.max(lastStep[root] ?? 0, lastStep.removeValue(forKey: value) ?? 0)
        if holdsOutput.remove(value) != nil { holdsOutput.insert(root) }
    }

    /// One block per arena buffer, in buffer order.
    func blocks(_ buffers: [MemoryPlan.Buffer]) -> [MemoryBlock] {
        buffers.compactMap { buffer in
            guard case .arena = buffer.storage, let last = lastStep[buffer.value] else { return nil }
            return MemoryBlock(root: buffer.value, bytes: buffer.bytes, firstStep: buffer.firstStep, lastStep: last)
        }
    }
}
