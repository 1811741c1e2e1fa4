import Testing
import LeptonIR
import LeptonRuntime

/// Fused nodes are planned like any other step: in place when their body is purely
/// elementwise with one result, never when it holds anything else.

/// `y = fused(t, x) { relu(x0 + x1) }` after `t = exp(x)`, built by hand (the body replaces the
/// add node). `outputType` overrides y's declared type, to exercise shapes taken from the body.
private func fusedGraph(body bodySource: String, outputType: TensorType? = nil) throws -> Graph {
    var graph = try MemoryTesting.graph("""
    graph g(x: f32[N, 8]) -> (y: f32[N, 8]) {
      t = exp(x)
      y = add(t, x)
    }
    """)
    let body = try MemoryTesting.graph(bodySource, path: "body.graph")
    let index = try #require(graph.nodes.firstIndex { $0.op == .add })
    graph.nodes[index].op = .fused
    graph.nodes[index].attributes = Attributes()
    graph.nodes[index].regions = [body]
    if let outputType { graph.values[graph.nodes[index].outputs[0]].type = outputType }
    return graph
}

private let elementwiseBody = """
graph body(x0: f32[N, 8], x1: f32[N, 8]) -> (y0: f32[N, 8]) {
  s = add(x0, x1)
  y0 = relu(s)
}
"""

@Test func elementwiseFusedNodeRunsInPlace() throws {
    let graph = try fusedGraph(body: elementwiseBody)
    let fused = try #require(graph.nodes.first { $0.op == .fused })
    #expect(MemoryPlan.mayRunInPlace(fused))
    let plan = try planMemory(graph, bindings: ["N": 3])
    let t = try #require(graph.values.firstIndex { $0.name == "t" })
    #expect(plan.buffers[try MemoryTesting.slot(plan, "y")].storage == .inPlace(of: t))
    #expect(plan.arenaBytes == 3 * 8 * 4 + 32)
    #expect(MemoryTesting.complaint(plan) == nil)
}

@Test func fusedNodeWithAReductionDoesNotRunInPlace() throws {
    // softmax reads a whole row before writing any of it: overwriting x0 as it goes is wrong.
    let graph = try fusedGraph(body: """
    graph body(x0: f32[N, 8], x1: f32[N, 8]) -> (y0: f32[N, 8]) {
      s = softmax(x0)
      y0 = add(s, x1)
    }
    """)
    let fused = try #require(graph.nodes.first { $0.op == .fused })
    #expect(!MemoryPlan.mayRunInPlace(fused))
    let plan = try planMemory(graph, bindings: ["N": 2])
    guard case .arena = plan.buffers[try MemoryTesting.slot(plan, "y")].storage else {
        Issue.record("y must get its own bytes")
        return
    }
    // And the validator refuses it by hand.
    var bad = plan
    let t = try #require(graph.values.firstIndex { $0.name == "t" })
    bad.buffers[try MemoryTesting.slot(plan, "y")].storage = .inPlace(of: t)
    #expect(MemoryTesting.complaint(bad)?.contains("cannot run in place") == true)
}

@Test func fusedResultShapeComesFromItsBodyWhenTheDeclaredOneIsOpen() throws {
    // A result typed with a symbol no binding covers: its shape is inferred through the body.
    let graph = try fusedGraph(body: elementwiseBody, outputType: TensorType(.f32, [.symbol("M"), .fixed(8)]))
    let plan = try planMemory(graph, bindings: ["N": 5])
    let y = try #require(graph.values.firstIndex { $0.name == "y" })
    #expect(plan.shapes[y] == [5, 8])
}
