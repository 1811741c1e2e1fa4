import Foundation
import LeptonFrontend
import LeptonIR
import LeptonPasses
import Testing

/// An example graph of graphs/ by file and graph name (the entry graph when nil).
func exampleGraph(_ file: String, _ name: String? = nil) throws -> (Graph, String) {
    let url = TestPaths.repositoryRoot.appendingPathComponent("graphs").appendingPathComponent(file)
    let module = try Frontend.parse(contentsOf: url.path)
    let graph = name.flatMap(module.graph(named:)) ?? module.entry
    guard let graph else { throw DiagnosticError(at: .unknown, "no graph \(name ?? "") in \(file)") }
    return (graph, module.baseDirectory)
}

@Test func foldBatchNormAfterDenseLayers() throws {
    let source = """
    graph g(x: f32[3, 4]) -> (a: f32[3, 5], b: f32[3, 5], c: f32[3, 5], d: f32[3, 10, 3, 3]) {
      param w: f32[4, 5] = glorot(seed: 1)
      param wt: f32[5, 4] = glorot(seed: 9)
      param bias: f32[5] = uniform(seed: 2)
      param s: f32[5] = uniform(low: 0.5, high: 2, seed: 3)
      param t: f32[5] = uniform(seed: 4)
      param m: f32[5] = normal(seed: 5)
      param v: f32[5] = uniform(low: 0.5, high: 1.5, seed: 6)
      param cw: f32[4, 5, 3, 3] = glorot(seed: 7)
      param cb: f32[10] = uniform(seed: 8)
      param s10: f32[10] = uniform(low: 0.5, high: 2, seed: 3)
      a = batch_norm(matmul(x, w), s, t, m, v)
      b = batch_norm(linear(x, w, bias), s, t, m, v, epsilon: 0.01)
      c = batch_norm(gemm(x, wt, bias, alpha: 0.5, beta: 2, trans_b: true), s, t, m, v)
      xi = reshape(x, shape: [3, 4, 1, 1])
      ct = conv_transpose2d(xi, cw, cb, group: 2, strides: [5, 5])
      d = batch_norm(ct, s10, cb, cb, s10)
    }
    """
    let folded = try expectSameResults(try entryGraph(source), after: [.foldBatchNorm])
    #expect(count(.batch_norm, in: folded) == 0)
    #expect(count(.matmul, in: folded) == 0)
}
