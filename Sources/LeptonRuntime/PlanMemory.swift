/// Plans where every intermediate value of `graph` lives when its symbols have the sizes in
/// `bindings`: an execution order, lifetimes, views and in-place reuse, and arena offsets.
///
/// Each candidate execution order (the graph's own, and greedy memory-aware ones) is planned
/// in full and the smallest arena kept, the graph's own order winning ties. Throws when a
/// symbol of an input is unbound or a shape cannot be made concrete. Debug builds validate
/// every plan (an invalid plan is a planner bug, so it stops the program).
public func planMemory(_ graph: Graph, bindings: [String: Int]) throws(DiagnosticError) -> MemoryPlan {
    let shapes = try ConcreteShapes.resolve(graph, bindings: bindings)
    var best: MemoryPlan?
    for order in ExecutionOrder.candidates(graph, shapes: shapes) {
        let plan = MemoryPlan.assemble(graph, order: order, shapes: shapes, bindings: bindings)
        if best.map({ plan.arenaBytes < $0.arenaBytes }) ?? true { best = plan }
    }
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
    /// The plan for one execution order: lifetimes and aliasing, then offsets.
    static func assemble(_ graph: Graph, order: [Int], shapes: [ValueID: [Int]], bindings: [String: Int]) -> MemoryPlan {
        let draft = LifetimeDraft(graph: graph, order: order, shapes: shapes)
        let layout = ArenaLayout.best(for: draft.blocks)
        let offsets = Dictionary(uniqueKeysWithValues: zip(draft.blocks.map(\.root), layout.offsets))
        var buffers = draft.buffers
        for i in buffers.indices {
            if case .arena = buffers[i].storage, let offset = offsets[buffers[i].value] {
                buffers[i].storage = .arena(offset: offset)
            }
        }
        return MemoryPlan(graph: graph, order: order, shapes: shapes, bindings: bindings, buffers: buffers,
                          arenaBytes: layout.arenaBytes,
                          naiveBytes: buffers.reduce(0) { $0 + $1.bytes },
                          lowerBoundBytes: ArenaLayout.peakLiveBytes(draft.blocks))
    }
}
