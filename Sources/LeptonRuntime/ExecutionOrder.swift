/// Candidate execution orders for memory planning: the graph's own node order, and greedy
/// memory-aware topological orders that, among the nodes whose operands are ready, run the
/// one that grows live memory the least. The planner plans each and keeps the smallest arena,
/// so a greedy order is only used where it actually helps.
enum ExecutionOrder {
    /// How the greedy scheduler ranks ready nodes (lower is better; ties go to node order).
    enum Rule: CaseIterable {
        /// Bytes allocated minus bytes freed.
        case netGrowth
        /// Most bytes freed first, then fewest allocated.
        case mostFreed
    }

    /// The graph's order first, then each greedy order not equal to an earlier candidate.
    static func candidates(_ graph: Graph, shapes: [ValueID: [Int]]) -> [[Int]] {
        var result = [Array(graph.nodes.indices)]
        for rule in Rule.allCases {
            let order = greedy(graph, shapes: shapes, rule: rule)
            if !result.contains(order) { result.append(order) }
        }
        return result
    }

    static func greedy(_ graph: Graph, shapes: [ValueID: [Int]], rule: Rule) -> [Int] {
        var state = SchedulerState(graph, shapes: shapes)
        var order: [Int] = []
        order.reserveCapacity(graph.nodes.count)
        while let next = state.ready.min(by: { a, b in
            let (x, y) = (state.rank(a, rule), state.rank(b, rule))
            return x != y ? x.lexicographicallyPrecedes(y) : a < b
        }) {
            order += state.takeSources(of: next) + [next]
            state.schedule(next)
        }
        order += state.takeSources(of: nil)
        precondition(order.count == graph.nodes.count, "graph '\(graph.name)' has a cycle or an undefined operand")
        return order
    }
}

/// What the greedy scheduler tracks: ready nodes and, per block of bytes (a value with its
/// views), how many unscheduled nodes still read it. Nodes without operands (constants) are
/// not scheduled on their own — they allocate and free nothing, so a greedy rule would run
/// them first and keep them live throughout — but just before their first reader.
private struct SchedulerState {
    let graph: Graph
    private(set) var ready: Set<Int> = []
    /// Operand-less nodes not yet placed in the order.
    private var pendingSources: Set<Int> = []
    private var sourcesOf: [Int: [Int]] = [:]
    private var waitingOn: [Int]
    private var consumers: [ValueID: [Int]] = [:]
    private var root: [ValueID: ValueID] = [:]
    private var readers: [ValueID: Int] = [:]
    private var bytes: [ValueID: Int] = [:]
    private var pinned: Set<ValueID> = []

    init(_ graph: Graph, shapes: [ValueID: [Int]]) {
        self.graph = graph
        var root: [ValueID: ValueID] = [:]
        var producer: [ValueID: Int] = [:]
        waitingOn = [Int](repeating: 0, count: graph.nodes.count)
        for (index, node) in graph.nodes.enumerated() {
            if node.inputs.isEmpty { pendingSources.insert(index) }
            let sources = Set(node.inputs.filter { producer[$0] != nil })
            let (lazy, waited) = (sources.filter { pendingSources.contains(producer[$0] ?? -1) },
                                  sources.filter { !pendingSources.contains(producer[$0] ?? -1) })
            sourcesOf[index] = Set(lazy.compactMap { producer[$0] }).sorted()
            waitingOn[index] = waited.count
            for id in waited { consumers[id, default: []].append(index) }
            if waitingOn[index] == 0 && !node.inputs.isEmpty { ready.insert(index) }
            for id in node.outputs {
                producer[id] = index
                let isView = MemoryPlan.isView(node.op) && producer[node.inputs[0]] != nil
                root[id] = isView ? root[node.inputs[0]] : id
                bytes[id] = MemoryPlan.byteCount(of: id, in: graph, shapes: shapes)
            }
            for r in Set(node.inputs.compactMap { root[$0] }) { readers[r, default: 0] += 1 }
        }
        self.root = root
        pinned = Set(graph.outputs.compactMap { root[$0] })
    }

    /// Lexicographic score of running `node` now.
    func rank(_ node: Int, _ rule: ExecutionOrder.Rule) -> [Int] {
        let node = graph.nodes[node]
        let allocated = MemoryPlan.isView(node.op) ? 0 : node.outputs.reduce(0) { $0 + (bytes[$1] ?? 0) }
        let freed = Set(node.inputs.compactMap { root[$0] })
            .filter { readers[$0] == 1 && !pinned.contains($0) }
            .reduce(0) { $0 + (bytes[$1] ?? 0) }
        switch rule {
        case .netGrowth: return [allocated - freed]
        case .mostFreed: return [-freed, allocated]
        }
    }

    /// The operand-less nodes `node` reads that are not yet in the order (all left when nil),
    /// now taken off the pending list.
    mutating func takeSources(of node: Int?) -> [Int] {
        let wanted = node.map { (sourcesOf[$0] ?? []).filter(pendingSources.contains) } ?? pendingSources.sorted()
        pendingSources.subtract(wanted)
        return wanted
    }

    mutating func schedule(_ index: Int) {
        ready.remove(index)
        let node = graph.nodes[index]
        for r in Set(node.inputs.compactMap { root[$0] }) { readers[r, default: 0] -= 1 }
        for id in node.outputs {
            for consumer in consumers[id] ?? [] {
                waitingOn[consumer] -= 1
                if waitingOn[consumer] == 0 { ready.insert(consumer) }
            }
        }
    }
}
