/// Plans where every intermediate value of `graph` lives when its symbols have the sizes in
/// `bindings` and it runs on `threads` threads: an execution order grouped into stages
/// (`StageSchedule`; with one thread, one node per stage), lifetimes under those stages, views
/// and in-place reuse, and arena offsets.
///
/// Each candidate execution order (the graph's own, and greedy memory-aware ones) is scheduled
/// and planned in full. The fastest schedule by the cost model wins (within 2%, which the
/// estimate cannot tell apart), then the smallest arena, then the earlier candidate (the graph's
/// own order first). Throws when a symbol of an input is unbound or a shape cannot be made
/// concrete. Debug builds validate every plan (an invalid plan is a planner bug, so it stops
/// the program).
public func planMemory(_ graph: Graph, bindings: [String: Int], threads: Int = 1) throws(DiagnosticError) -> MemoryPlan {
    let shapes = try ConcreteShapes.resolve(graph, bindings: bindings)
    var candidates: [(plan: MemoryPlan, estimate: Int)] = []
    for candidate in ExecutionOrder.candidates(graph, shapes: shapes) {
        let (order, stages) = StageSchedule.build(graph, order: candidate, shapes: shapes, threads: threads)
        let plan = MemoryPlan.assemble(graph, order: order, stages: stages, shapes: shapes, bindings: bindings)
        candidates.append((plan, StageSchedule.estimate(graph, order: order, stages: stages, shapes: shapes, threads: threads)))
    }
    let fastest = candidates.map(\.estimate).min() ?? 0
    let best = candidates.filter { $0.estimate * 100 <= fastest * 102 }.min { $0.plan.arenaBytes < $1.plan.arenaBytes }?.plan
    guard let plan = best else { preconditionFailure("no candidate execution order") }
    #if DEBUG
    do throws(PlanError) {
        try plan.validate()
    } catch {
        preconditionFailure("planner produced \(error) for graph '\(graph.name)'")
    }
    #endif
    return plan
}

extension MemoryPlan {
    /// The plan for one execution order and its stages (nil: one per step): lifetimes and
    /// aliasing, then offsets.
    static func assemble(_ graph: Graph, order: [Int], stages: [Stage]? = nil, shapes: [ValueID: [Int]],
                         bindings: [String: Int]) -> MemoryPlan {
        let stages = stages ?? order.indices.map { Stage(steps: $0..<($0 + 1)) }
        let draft = LifetimeDraft(graph: graph, order: order, stages: stages, shapes: shapes)
        let layout = ArenaLayout.best(for: draft.blocks)
        let offsets = Dictionary(uniqueKeysWithValues: zip(draft.blocks.map(\.root), layout.offsets))
        var buffers = draft.buffers
        for i in buffers.indices {
            if case .arena = buffers[i].storage, let offset = offsets[buffers[i].value] {
                buffers[i].storage = .arena(offset: offset)
            }
        }
        return MemoryPlan(graph: graph, order: order, stages: stages, shapes: shapes, bindings: bindings, buffers: buffers,
                          arenaBytes: layout.arenaBytes,
                          naiveBytes: buffers.reduce(0) { $0 + $1.bytes },
                          lowerBoundBytes: ArenaLayout.peakLiveBytes(draft.blocks))
    }
}
