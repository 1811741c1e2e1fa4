/// The static schedule: groups an execution order into stages, decided once per plan with
/// the cost model, so runs are deterministic and allocate nothing.
///
/// A stage is either one node run with every thread (its kernel splits its own work:
/// intra-op), or a set of independent branches run concurrently, each lane on one thread
/// (inter-op, one fork-join for the whole stage). Walking the order, the scheduler collects the
/// ready branches — chains of not yet scheduled nodes that depend only on earlier stages, on
/// their own branch, or on operand-less nodes (constants) they take along — packs them into
/// lanes longest first, and makes them a concurrent stage when the estimate says it beats
/// running the same nodes one by one with intra-op splitting:
///
///     concurrent: longest lane + one fork-join
///     one by one: Σ (cost / threads + fork-join) for nodes worth splitting, Σ cost for the rest
///
/// Otherwise the first node of the order runs alone, and the walk goes on from there. With one
/// thread every node is its own stage, in the given order.
enum StageSchedule {
    /// A node whose single-thread estimate reaches this splits over the threads in its kernel
    /// (the kernels' `Parallelism.chunks` needs two chunks' worth of ~25 µs).
    static let splitNanoseconds = 50_000

    /// The order regrouped stage by stage (lanes back to back), and the stages.
    static func build(_ graph: Graph, order: [Int], shapes: [ValueID: [Int]], threads: Int) -> (order: [Int], stages: [MemoryPlan.Stage]) {
        guard threads > 1 else { return (order, order.indices.map { MemoryPlan.Stage(steps: $0..<($0 + 1)) }) }
        var builder = Builder(graph: graph, shapes: shapes, threads: threads)
        var remaining = order
        while let first = remaining.first {
            let lanes = builder.concurrentLanes(remaining) ?? [[first]]
            builder.append(lanes)
            remaining.removeAll { builder.isDone[$0] }
        }
        return (builder.order, builder.stages)
    }

    /// Estimated nanoseconds of a plan's stages (what the planner compares candidate orders by).
    static func estimate(_ graph: Graph, order: [Int], stages: [MemoryPlan.Stage], shapes: [ValueID: [Int]], threads: Int) -> Int {
        let cost = { (step: Int) in CostModel.nanoseconds(graph.nodes[order[step]], in: graph, shapes: shapes) }
        return stages.reduce(0) { total, stage in
            guard stage.isConcurrent else { return total + stage.steps.reduce(0) { $0 + intraOp(cost($1), threads: threads) } }
            let longest = stage.lanes.map { $0.reduce(0) { $0 + cost($1) } }.max() ?? 0
            return total + longest + CostModel.forkJoinNanoseconds
        }
    }

    /// One node's estimate when its kernel may split over `threads`.
    static func intraOp(_ cost: Int, threads: Int) -> Int {
        guard threads > 1, cost >= splitNanoseconds else { return cost }
        return cost / threads + CostModel.forkJoinNanoseconds
    }
}

private struct Builder {
    let graph: Graph
    let threads: Int
    let cost: [Int]
    let producer: [ValueID: Int]
    var isDone: [Bool]
    var order: [Int] = []
    var stages: [MemoryPlan.Stage] = []

    init(graph: Graph, shapes: [ValueID: [Int]], threads: Int) {
        self.graph = graph
        self.threads = threads
        cost = graph.nodes.map { CostModel.nanoseconds($0, in: graph, shapes: shapes) }
        var producer: [ValueID: Int] = [:]
        for (index, node) in graph.nodes.enumerated() { for id in node.outputs { producer[id] = index } }
        self.producer = producer
        isDone = [Bool](repeating: false, count: graph.nodes.count)
    }

    mutating func append(_ lanes: [[Int]]) {
        var ranges: [Range<Int>] = []
        for lane in lanes {
            ranges.append(order.count..<(order.count + lane.count))
            order += lane
            for node in lane { isDone[node] = true }
        }
        stages.append(MemoryPlan.Stage(lanes: ranges))
    }

    /// The lanes of a concurrent stage starting at the front of `remaining`, or nil when
    /// running its nodes one by one is estimated faster. Tried with every branch node first,
    /// then with the nodes big enough to split on their own left out of the branches.
    func concurrentLanes(_ remaining: [Int]) -> [[Int]]? {
        for cap in [Int.max, StageSchedule.splitNanoseconds] {
            let branches = self.branches(remaining, costBelow: cap)
            guard branches.count > 1 else { continue }
            let lanes = pack(branches)
            let longest = lanes.map { $0.reduce(0) { $0 + cost[$1] } }.max() ?? 0
            let oneByOne = branches.joined().reduce(0) { $0 + StageSchedule.intraOp(cost[$1], threads: threads) }
            if longest + CostModel.forkJoinNanoseconds < oneByOne { return lanes }
        }
        return nil
    }

    /// Independent chains of ready nodes, in order; a node joins the one branch its pending
    /// operands come from (constants it reads are taken along), or starts one when it has none.
    private func branches(_ remaining: [Int], costBelow cap: Int) -> [[Int]] {
        var branchOf: [Int: Int] = [:]
        var branches: [[Int]] = []
        for node in remaining where !graph.nodes[node].inputs.isEmpty && cost[node] < cap {
            var branch: Int?
            var constants: [Int] = []
            var joins = true
            for p in Set(graph.nodes[node].inputs.compactMap { producer[$0] }).sorted() where !isDone[p] {
                if let b = branchOf[p] {
                    if branch == nil || branch == b { branch = b } else { joins = false }
                } else if graph.nodes[p].inputs.isEmpty {
                    constants.append(p)
                } else {
                    joins = false
                }
            }
            guard joins else { continue }
            let index = branch ?? branches.count
            if branch == nil { branches.append([]) }
            for n in constants + [node] {
                branchOf[n] = index
                branches[index].append(n)
            }
        }
        return branches
    }

    /// Branches into at most `threads` lanes, longest first onto the least loaded lane (each
    /// branch keeps its topological sequence; branches of one lane are independent).
    private func pack(_ branches: [[Int]]) -> [[Int]] {
        let totals = branches.map { $0.reduce(0) { $0 + cost[$1] } }
        let byCost = branches.indices.sorted { totals[$0] != totals[$1] ? totals[$0] > totals[$1] : $0 < $1 }
        var lanes = [[Int]](repeating: [], count: Swift.min(threads, branches.count))
        var load = [Int](repeating: 0, count: lanes.count)
        for b in byCost {
            let lane = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 } ?? 0
            lanes[lane] += branches[b]
            load[lane] += totals[b]
        }
        return lanes
    }
}
