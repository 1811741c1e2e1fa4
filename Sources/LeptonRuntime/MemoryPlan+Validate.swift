extension MemoryPlan {
    /// Checks the plan against its graph, independently of how it was made: the order is a
    /// topological order of all nodes; every node output has one buffer of the right size whose
    /// lifetime covers its reads (graph outputs to the end); views only of view ops' operands
    /// that live as long; in-place only for elementwise nodes over an operand of the same shape
    /// that nothing reads afterwards (never a graph input or param); offsets aligned and inside
    /// the arena; no two arena blocks live at the same step share a byte; totals recomputed.
    ///
    /// Under concurrency: the stages cover the order, lane by lane; no step reads a value
    /// another lane of its stage produces; a block is live through the whole stages of its
    /// first and last step (so the values of one stage never share bytes); nothing runs in
    /// place over bytes another lane of its stage reads.
    public func validate() throws(PlanError) {
        var check = PlanValidator(plan: self)
        try check.stages()
        try check.order()
        try check.buffers()
        for buffer in buffers { try check.storage(of: buffer) }
        try check.overlaps()
        try check.totals()
    }
}

private struct PlanValidator {
    let plan: MemoryPlan
    var graph: Graph { plan.graph }
    /// Step of each node and of each node output.
    var stepOfNode: [Int: Int] = [:]
    var producer: [ValueID: Int] = [:]
    var table: [ValueID: MemoryPlan.Buffer] = [:]
    var end: Int { Swift.max(plan.order.count - 1, 0) }
    /// Stage and lane of each step (-1 until `stages()` has checked they cover every step).
    var stageOf: [Int]
    var laneOf: [Int]

    init(plan: MemoryPlan) {
        self.plan = plan
        stageOf = [Int](repeating: -1, count: plan.order.count)
        laneOf = stageOf
        for (step, node) in plan.order.enumerated() { stepOfNode[node] = step }
        for (index, node) in plan.graph.nodes.enumerated() { for id in node.outputs { producer[id] = index } }
    }

    func name(_ id: ValueID) -> String { graph.values.indices.contains(id) ? graph.name(of: id) : "#\(id)" }

    /// Stages cover steps 0..<count in order, each lane a non-empty run right after the last.
    mutating func stages() throws(PlanError) {
        var next = 0
        for (index, stage) in plan.stages.enumerated() {
            guard !stage.lanes.isEmpty else { throw PlanError("stage \(index) has no lanes") }
            for (lane, steps) in stage.lanes.enumerated() {
                guard steps.lowerBound == next, !steps.isEmpty, steps.upperBound <= plan.order.count else {
                    throw PlanError("stage \(index) lane \(lane) has steps \(steps), expected a non-empty run from step \(next)")
                }
                for step in steps { (stageOf[step], laneOf[step]) = (index, lane) }
                next = steps.upperBound
            }
        }
        guard next == plan.order.count else { throw PlanError("stages cover \(next) of \(plan.order.count) steps") }
    }

    mutating func order() throws(PlanError) {
        guard plan.order.sorted() == Array(graph.nodes.indices) else {
            throw PlanError("order is not a permutation of the \(graph.nodes.count) nodes")
        }
        for (step, index) in plan.order.enumerated() {
            for id in graph.nodes[index].inputs {
                if let p = producer[id], let s = stepOfNode[p], s >= step {
                    throw PlanError("step \(step) (\(graph.nodes[index].op)) reads \(name(id)) before step \(s) produces it")
                }
                if let p = producer[id], let s = stepOfNode[p], stageOf[s] == stageOf[step], laneOf[s] != laneOf[step] {
                    throw PlanError("step \(step) (\(graph.nodes[index].op)) reads \(name(id)), which lane \(laneOf[s]) of the same stage produces concurrently")
                }
            }
        }
    }

    /// One buffer per node output, sized by its concrete shape, alive from its step to its last read.
    mutating func buffers() throws(PlanError) {
        for (earlier, later) in zip(plan.buffers, plan.buffers.dropFirst()) where later.firstStep < earlier.firstStep {
            throw PlanError("buffers are not in execution order (\(name(later.value)) after \(name(earlier.value)))")
        }
        for buffer in plan.buffers {
            guard table.updateValue(buffer, forKey: buffer.value) == nil else { throw PlanError("two buffers for \(name(buffer.value))") }
            guard let p = producer[buffer.value], let step = stepOfNode[p] else {
                throw PlanError("buffer for \(name(buffer.value)), which no node produces")
            }
            guard let shape = plan.shapes[buffer.value], buffer.bytes == shape.reduce(1, *) * graph.type(of: buffer.value).dtype.byteSize else {
                throw PlanError("\(name(buffer.value)): \(buffer.bytes) bytes do not match its shape")
            }
            guard buffer.firstStep == step, buffer.lastStep >= step, buffer.lastStep <= end else {
                throw PlanError("\(name(buffer.value)): lifetime [\(buffer.firstStep), \(buffer.lastStep)] but produced at step \(step)")
            }
        }
        for (step, index) in plan.order.enumerated() {
            for id in graph.nodes[index].outputs where table[id] == nil { throw PlanError("no buffer for \(name(id))") }
            for id in graph.nodes[index].inputs {
                if let buffer = table[id], buffer.lastStep < step {
                    throw PlanError("\(name(id)) is read at step \(step) after its lifetime ends at \(buffer.lastStep)")
                }
            }
        }
        for id in graph.outputs {
            if let buffer = table[id], buffer.lastStep != end { throw PlanError("graph output \(name(id)) dies at step \(buffer.lastStep) before the end") }
        }
    }

    func storage(of buffer: MemoryPlan.Buffer) throws(PlanError) {
        guard let p = producer[buffer.value] else { return }
        let node = graph.nodes[p]
        let value = name(buffer.value)
        switch buffer.storage {
        case .arena(let offset):
            guard offset >= 0, offset % MemoryPlan.alignment == 0, offset + buffer.bytes <= plan.arenaBytes else {
                throw PlanError("\(value): offset \(offset) (+\(buffer.bytes) bytes) is unaligned or outside the \(plan.arenaBytes)-byte arena")
            }
        case .view(let source):
            guard MemoryPlan.isView(node.op), node.inputs.first == source else {
                throw PlanError("\(value) = \(node.op)(...) cannot be a view of \(name(source))")
            }
            if let origin = table[source], origin.lastStep < buffer.lastStep {
                throw PlanError("\(value) is a view of \(name(source)), which dies first (step \(origin.lastStep) < \(buffer.lastStep))")
            }
        case .inPlace(let source):
            try inPlace(buffer, over: source, node: node)
        }
    }

    private func inPlace(_ buffer: MemoryPlan.Buffer, over source: ValueID, node: Node) throws(PlanError) {
        let (value, step) = (name(buffer.value), buffer.firstStep)
        guard MemoryPlan.mayRunInPlace(node), node.inputs.contains(source) else {
            throw PlanError("\(value) = \(node.op)(...) cannot run in place of \(name(source))")
        }
        guard table[source] != nil else { throw PlanError("\(value) runs in place of \(name(source)), which is not in the arena (a graph input or param)") }
        guard plan.shapes[source] == plan.shapes[buffer.value],
              graph.type(of: source).dtype.byteSize == graph.type(of: buffer.value).dtype.byteSize else {
            throw PlanError("\(value) runs in place of \(name(source)) of another shape or element size")
        }
        let root = try self.root(of: source)
        guard table[root].map({ if case .arena = $0.storage { true } else { false } }) ?? false else {
            throw PlanError("\(value) runs in place of \(name(source)), whose bytes are not in the arena")
        }
        for other in plan.buffers where other.firstStep < step && (try? self.root(of: other.value)) == root {
            guard other.lastStep <= step, !graph.outputs.contains(other.value) else {
                throw PlanError("\(value) overwrites \(name(source)) at step \(step), but \(name(other.value)) in the same bytes is read until step \(other.lastStep)")
            }
        }
        for other in plan.stages[stageOf[step]].steps where laneOf[other] != laneOf[step] {
            for id in graph.nodes[plan.order[other]].inputs where (try? self.root(of: id)) == root {
                throw PlanError("\(value) overwrites \(name(source)) at step \(step), but step \(other) in another lane of the same stage reads \(name(id)) in those bytes")
            }
        }
    }

    /// The arena buffer whose bytes `value` uses, following views and in-place chains.
    func root(of value: ValueID) throws(PlanError) -> ValueID {
        var current = value
        for _ in 0...plan.buffers.count {
            guard let buffer = table[current] else { return current }
            switch buffer.storage {
            case .arena: return current
            case .view(let source), .inPlace(let source): current = source
            }
        }
        throw PlanError("views and in-place values of \(name(value)) form a cycle")
    }

    /// Arena blocks (a buffer with everything sharing its bytes) live at one step are disjoint.
    func overlaps() throws(PlanError) {
        let blocks = try self.blocks()
        for (i, a) in blocks.enumerated() {
            guard case .arena(let x) = table[a.root]?.storage, a.bytes > 0 else { continue }
            for b in blocks[(i + 1)...] where b.bytes > 0 && a.overlapsInTime(b) {
                guard case .arena(let y) = table[b.root]?.storage else { continue }
                if x < y + b.bytes && y < x + a.bytes {
                    throw PlanError("\(name(a.root)) [\(x), \(x + a.bytes)) steps [\(a.firstStep), \(a.lastStep)] overlaps \(name(b.root)) [\(y), \(y + b.bytes)) steps [\(b.firstStep), \(b.lastStep)]")
                }
            }
        }
    }

    func blocks() throws(PlanError) -> [MemoryBlock] {
        var last: [ValueID: Int] = [:]
        for buffer in plan.buffers {
            let root = try self.root(of: buffer.value)
            if table[root] != nil { last[root] = Swift.max(last[root] ?? 0, buffer.lastStep) }
        }
        return plan.buffers.compactMap { buffer in
            guard case .arena = buffer.storage else { return nil }
            let block = MemoryBlock(root: buffer.value, bytes: buffer.bytes, firstStep: buffer.firstStep, lastStep: last[buffer.value] ?? buffer.lastStep)
            return block.widened(to: plan.stages)
        }
    }

    func totals() throws(PlanError) {
        let naive = plan.buffers.reduce(0) { $0 + $1.bytes }
        guard plan.naiveBytes == naive else { throw PlanError("naive size \(plan.naiveBytes), but the buffers add up to \(naive)") }
        let peak = ArenaLayout.peakLiveBytes(try blocks())
        guard plan.lowerBoundBytes == peak else { throw PlanError("lower bound \(plan.lowerBoundBytes), but \(peak) bytes are live at the peak") }
    }
}
