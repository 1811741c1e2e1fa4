import Testing
import LeptonIR
import LeptonRuntime

/// The validator against hand-broken plans: each starts from a valid plan and breaks one rule.
private let diamond = """
graph g(x: f32[4, 16]) -> (y: f32[4, 16]) {
  a = exp(x)
  b = tanh(x)
  s = a + b
  r = reshape(s, shape: [16, 4])
  t = transpose(r)
  y = relu(t)
}
"""

private func broken(_ edit: (inout MemoryPlan) throws -> Void) throws -> String? {
    var plan = try MemoryTesting.plan(diamond)
    #expect(MemoryTesting.complaint(plan) == nil, "the unbroken plan must be valid")
    try edit(&plan)
    return MemoryTesting.complaint(plan)
}

private func id(_ plan: MemoryPlan, _ name: String) throws -> ValueID {
    try #require(plan.graph.values.firstIndex { $0.name == name })
}

@Test func validatorCatchesOverlappingLiveBuffers() throws {
    let problem = try broken { plan in
        // a and b are both live while s is computed.
        let (a, b) = (try MemoryTesting.slot(plan, "a"), try MemoryTesting.slot(plan, "b"))
        guard case .arena(let offset) = plan.buffers[a].storage else { Issue.record("a not in arena"); return }
        plan.buffers[b].storage = .arena(offset: offset)
    }
    #expect(problem?.contains("overlaps") == true, "\(problem ?? "accepted")")
}

@Test func validatorCatchesViewOfANonViewOp() throws {
    let problem = try broken { plan in
        plan.buffers[try MemoryTesting.slot(plan, "t")].storage = .view(of: try id(plan, "r"))
    }
    #expect(problem?.contains("t = transpose(...) cannot be a view of r") == true, "\(problem ?? "accepted")")
}

@Test func validatorCatchesInPlaceOverAGraphInput() throws {
    let problem = try broken { plan in
        plan.buffers[try MemoryTesting.slot(plan, "a")].storage = .inPlace(of: try id(plan, "x"))
    }
    #expect(problem?.contains("not in the arena") == true, "\(problem ?? "accepted")")
}

@Test func validatorCatchesInPlaceOverAValueReadLater() throws {
    let problem = try broken { plan in
        // b = tanh(x) cannot overwrite a: s reads a afterwards. (Make b in place of a by hand.)
        var graph = plan.graph
        let b = try #require(graph.nodes.firstIndex { $0.outputs.contains(try id(plan, "b")) })
        graph.nodes[b].inputs = [try id(plan, "a")]
        plan.graph = graph
        plan.buffers[try MemoryTesting.slot(plan, "b")].storage = .inPlace(of: try id(plan, "a"))
    }
    #expect(problem?.contains("is read until step") == true, "\(problem ?? "accepted")")
}

@Test func validatorCatchesInPlaceOfANonElementwiseOp() throws {
    let problem = try broken { plan in
        plan.buffers[try MemoryTesting.slot(plan, "t")].storage = .inPlace(of: try id(plan, "r"))
    }
    #expect(problem?.contains("cannot run in place") == true, "\(problem ?? "accepted")")
}

@Test func validatorCatchesOffsetsOutsideTheArenaOrUnaligned() throws {
    let outside = try broken { plan in plan.arenaBytes -= MemoryPlan.alignment }
    #expect(outside?.contains("outside") == true, "\(outside ?? "accepted")")
    let unaligned = try broken { plan in plan.buffers[try MemoryTesting.slot(plan, "a")].storage = .arena(offset: 4) }
    #expect(unaligned?.contains("unaligned") == true, "\(unaligned ?? "accepted")")
}

@Test func validatorCatchesShortLifetimesAndWrongTotals() throws {
    let short = try broken { plan in plan.buffers[try MemoryTesting.slot(plan, "a")].lastStep -= 1 }
    #expect(short?.contains("after its lifetime ends") == true, "\(short ?? "accepted")")
    let output = try broken { plan in plan.buffers[try MemoryTesting.slot(plan, "y")].lastStep = 0 }
    #expect(output != nil)
    let total = try broken { plan in plan.lowerBoundBytes += 1 }
    #expect(total?.contains("lower bound") == true, "\(total ?? "accepted")")
    let order = try broken { plan in plan.order.reverse() }
    #expect(order?.contains("before step") == true, "\(order ?? "accepted")")
}
