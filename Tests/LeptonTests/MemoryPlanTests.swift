import Foundation
import Testing
import LeptonFrontend
import LeptonIR
import LeptonRuntime

/// An example graph under `graphs/`, planned with every symbol bound to 1.
struct ExampleGraph: Sendable, CustomTestStringConvertible {
    var file: String
    var testDescription: String { file }
}

private let examples = ["mobilenet_v2", "resblock", "transformer", "lstm", "textclf", "mlp", "lenet", "cifar_cnn", "face_cnn"]
    .map { ExampleGraph(file: "\($0).graph") }

/// Every symbol of the graph's inputs bound to `size`.
private func bindAll(_ graph: Graph, to size: Int) -> [String: Int] {
    var bindings: [String: Int] = [:]
    for id in graph.inputs {
        for case .symbol(let symbol) in graph.type(of: id).shape { bindings[symbol] = size }
    }
    return bindings
}

@Test(arguments: examples)
func examplePlanMeetsArenaBound(_ example: ExampleGraph) throws {
    let path = TestPaths.repositoryRoot.appendingPathComponent("graphs/\(example.file)").path
    let graph = try #require(try Frontend.parse(contentsOf: path).entry)
    let plan = try planMemory(graph, bindings: bindAll(graph, to: 1))
    #expect(MemoryTesting.complaint(plan) == nil)
    #expect(PlanSimulator.firstClobber(plan) == nil)
    #expect(plan.lowerBoundBytes > 0)
    #expect(plan.arenaBytes >= plan.lowerBoundBytes)
    // The target: within 5% of the most bytes ever live at once.
    #expect(plan.arenaBytes * 100 <= plan.lowerBoundBytes * 105,
            "\(example.file): arena \(plan.arenaBytes) vs lower bound \(plan.lowerBoundBytes)")
    #expect(plan.arenaBytes < plan.naiveBytes)
}

private let mlp = """
graph mlp(x: f32[N, 8]) -> (y: f32[N, 4]) {
  param w1: f32[8, 16] = glorot(seed: 1)
  param w2: f32[16, 4] = glorot(seed: 2)
  h = relu(matmul(x, w1))
  f = reshape(h, shape: [0, 4, 4])
  g = reshape(f, shape: [0, 16])
  y = matmul(g, w2)
}
"""

@Test func symbolicDimensionsArePlannedPerBinding() throws {
    let graph = try MemoryTesting.graph(mlp)
    let small = try planMemory(graph, bindings: ["N": 1])
    let large = try planMemory(graph, bindings: ["N": 5])
    for plan in [small, large] { #expect(MemoryTesting.complaint(plan) == nil) }
    let h = try #require(graph.values.firstIndex { $0.name == "h" })
    #expect(small.shapes[h] == [1, 16])
    #expect(large.shapes[h] == [5, 16])
    #expect(large.buffer(of: h)?.bytes == 5 * 16 * 4)
    #expect(large.naiveBytes == 5 * small.naiveBytes)
    #expect(large.arenaBytes > small.arenaBytes)
    #expect(large.bindings == ["N": 5])
}

@Test func unboundSymbolIsAnError() throws {
    let graph = try MemoryTesting.graph(mlp)
    #expect {
        _ = try planMemory(graph, bindings: [:])
    } throws: { error in
        "\(error)".contains("no size for symbol N of x: f32[N, 8]")
    }
    #expect(throws: DiagnosticError.self) { _ = try planMemory(graph, bindings: ["N": -1]) }
}

@Test func viewsAliasTheirSourceAndStretchItsLifetime() throws {
    let plan = try MemoryTesting.plan(mlp, ["N": 2])
    let (h, f, g) = try (MemoryTesting.slot(plan, "h"), MemoryTesting.slot(plan, "f"), MemoryTesting.slot(plan, "g"))
    let names = plan.graph.values.map(\.name)
    #expect(plan.buffers[f].storage == .view(of: try #require(names.firstIndex(of: "h"))))
    #expect(plan.buffers[g].storage == .view(of: try #require(names.firstIndex(of: "f"))))
    // h is read only by the reshape, but lives while the last view of it is read.
    #expect(plan.buffers[h].lastStep == plan.buffers[g].lastStep)
    #expect(plan.arenaOffset(of: plan.buffers[g].value) == plan.arenaOffset(of: plan.buffers[h].value))
}

@Test func inPlaceOnlyOverValuesThatDie() throws {
    let plan = try MemoryTesting.plan("""
    graph g(x: f32[4, 4]) -> (y: f32[4, 4], z: f32[4, 4]) {
      a = exp(x)
      b = relu(a)
      c = neg(b)
      z = b + c
      y = relu(z)
    }
    """)
    let ids = Dictionary(uniqueKeysWithValues: plan.graph.values.indices.map { (plan.graph.name(of: $0), $0) })
    func storage(_ name: String) throws -> MemoryPlan.Storage { plan.buffers[try MemoryTesting.slot(plan, name)].storage }
    // exp(x): x is a graph input, never overwritten.
    guard case .arena = try storage("a") else { Issue.record("a should have its own bytes"); return }
    #expect(try storage("b") == .inPlace(of: try #require(ids["a"])))
    // b is read again by z, so neg(b) cannot overwrite it.
    guard case .arena = try storage("c") else { Issue.record("c should have its own bytes"); return }
    #expect(try storage("z") == .inPlace(of: try #require(ids["b"])))
    // z is a graph output: it must survive relu.
    guard case .arena = try storage("y") else { Issue.record("y must not overwrite the graph output z"); return }
    #expect(PlanSimulator.firstClobber(plan) == nil)
}

@Test func memoryAwareOrderBeatsAGreedyGraphOrder() throws {
    // Written so the graph order computes all four big branches before reducing any.
    let plan = try MemoryTesting.plan("""
    graph g(x: f32[64, 64]) -> (y: f32[64]) {
      a = exp(x); b = tanh(x); c = sigmoid(x); d = neg(x)
      ra = reduce_sum(a, axes: [1], keepdims: false); rb = reduce_sum(b, axes: [1], keepdims: false)
      rc = reduce_sum(c, axes: [1], keepdims: false); rd = reduce_sum(d, axes: [1], keepdims: false)
      y = ra + rb + rc + rd
    }
    """)
    #expect(plan.order != Array(plan.graph.nodes.indices))
    #expect(plan.arenaBytes <= 64 * 64 * 4 + 3 * 256 + 256)
    #expect(MemoryTesting.complaint(plan) == nil)
    #expect(PlanSimulator.firstClobber(plan) == nil)
}

@Test func planOfAGraphWithoutNodesIsEmpty() throws {
    let plan = try MemoryTesting.plan("graph g(x: f32[2]) -> (x: f32[2]) {\n}\n")
    #expect(plan.buffers.isEmpty && plan.arenaBytes == 0 && plan.lowerBoundBytes == 0)
    #expect(MemoryTesting.complaint(plan) == nil)
}

@Test func castsNeverRunInPlace() throws {
    // Same element size, different dtype: kernels would access one memory as two types.
    let plan = try MemoryTesting.plan("""
    graph g(x: f32[4]) -> (y: i32[4]) {
      a = exp(x)
      y = cast(a, to: i32)
    }
    """)
    guard case .arena = plan.buffers[try MemoryTesting.slot(plan, "y")].storage else {
        Issue.record("cast must get its own bytes")
        return
    }
    #expect(MemoryTesting.complaint(plan) == nil)
}
