import LeptonIR
import LeptonPasses
import LeptonReference
import Testing

/// A dummy kernel library that wants 2-D weights transposed ("nk") and nothing else.
private let transposing: WeightLayoutProvider = { op, operand, type in
    guard operand == 1, type.rank == 2 else { return nil }
    return WeightLayout(layout: "nk") { w in
        let (k, n) = (w.shape[0], w.shape[1])
        let values = w.doubles
        let transposed = (0..<(k * n)).map { i in values[(i % k) * n + i / k] }
        return Tensor(shape: [n, k], scalars: transposed.map { Float($0) })
    }
}

private let source = """
graph g(x: f32[N, 3], v: f32[3, 2]) -> (y: f32[N, 2], z: f32[N, 2], u: f32[N, 2]) {
  param w: f32[3, 2] = uniform(seed: 1)
  y = linear(x, w)
  z = matmul(x, w)
  u = matmul(x, v)
}
"""

@Test func prepackWithoutProviderChangesNothing() throws {
    let graph = try entryGraph(source)
    var context = PassContext(baseDirectory: ".")
    let (result, changes) = try applying([.prepack], to: graph, context: &context)
    #expect(changes == [false])
    #expect(result == graph)
}

@Test func prepackTransformsConstantWeightsOnce() throws {
    let graph = try entryGraph(source)
    var context = PassContext(baseDirectory: ".", weightLayouts: transposing)
    let (packed, changes) = try applying([.prepack], to: graph, context: &context)
    #expect(changes == [true])
    let layouts = packed.nodes.map { $0.attributes.string("weight_layout") }
    #expect(layouts == ["nk", "nk", ""])  // v is an input, not a known weight
    #expect(packed.params.count == 1)    // one packed copy shared by both readers; w itself is gone
    let param = try #require(packed.params.first)
    #expect(packed.name(of: param.value) == "w_packed")
    #expect(packed.type(of: param.value) == graph.type(of: graph.params[0].value))
    guard case .tensor(let value) = param.initializer else { Issue.record("not a tensor param"); return }
    let original = try materializeParameters(of: graph, baseDirectory: ".")[0].doubles
    #expect(value.doubles == [0, 2, 4, 1, 3, 5].map { original[$0] })
}

@Test func prepackNeedsFrozenParameters() throws {
    let graph = try entryGraph(source)
    var context = PassContext(baseDirectory: ".", freezeParameters: false, weightLayouts: transposing)
    let (result, changes) = try applying([.prepack], to: graph, context: &context)
    #expect(changes == [false])
    #expect(result == graph)
}

@Test func referenceRejectsPackedWeights() throws {
    var attributes = Op.linear.schema.defaults
    attributes["weight_layout"] = .string("nk")
    let x = Tensor(shape: [1, 2], scalars: [Float(1), 2])
    #expect(throws: KernelError.self) { try Op.linear.evaluate([x, Tensor(shape: [2, 1], scalars: [Float(1), 1])], attributes) }
    #expect(try Op.linear.evaluate([x, Tensor(shape: [2, 1], scalars: [Float(1), 1])], Op.linear.schema.defaults)[0].doubles == [3])
}

/// The runtime's provider packs at plan time: the pass leaves the graph (and so the reference)
/// alone and notes each param weight it will pack, anchors inside fused nodes included.
@Test func planTimeLayoutsOnlyNote() throws {
    let planTime: WeightLayoutProvider = { op, operand, _ in
        op == .linear && operand == 1 ? WeightLayout(packedAtPlanTime: "panels") : nil
    }
    let fusedSource = """
    graph g(x: f32[N, 3]) -> (y: f32[N, 2], z: f32[N, 2]) {
      param w: f32[3, 2] = uniform(seed: 1)
      param v: f32[3, 2] = uniform(seed: 2)
      y = linear(x, w)
      z = relu(linear(x, v))
    }
    """
    let graph = try entryGraph(fusedSource)
    var plain = PassContext(baseDirectory: ".")
    let (fused, _) = try applying([.fuseEpilogue], to: graph, context: &plain)
    #expect(fused.nodes.contains { $0.op == .fused })
    var context = PassContext(baseDirectory: ".", weightLayouts: planTime)
    let (result, changes) = try applying([.prepack], to: fused, context: &context)
    #expect(changes == [false])
    #expect(result == fused)
    #expect(context.notes.contains("prepack: w (linear) packed at plan time as panels"), "\(context.notes)")
    #expect(context.notes.contains { $0.hasPrefix("prepack: v (linear in ") }, "\(context.notes)")
    var thawed = PassContext(baseDirectory: ".", freezeParameters: false, weightLayouts: planTime)
    _ = try applying([.prepack], to: fused, context: &thawed)
    #expect(thawed.notes.isEmpty)
}
