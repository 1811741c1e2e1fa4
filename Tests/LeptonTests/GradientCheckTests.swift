import Testing
import LeptonTensor
import LeptonAutodiff
import LeptonFrontend
import LeptonIR

/// Autodiff against finite differences, op by op (GradientCheckSupport.swift). Each graph is
/// tiny; broadcasting cases make sure adjoints are summed back to each operand's shape.
@Suite struct GradientCheckTests {
    @Test(arguments: ["exp", "tanh", "sigmoid", "softplus", "erf", "neg", "abs", "relu", "identity",
                      "gelu(x, approximate: tanh)", "gelu", "leaky_relu(x, alpha: 0.2)", "elu(x, alpha: 0.7)",
                      "clip(x, min: -0.5, max: 0.4)"])
    func unaryOnSignedInputs(_ call: String) throws {
        let expression = call.contains("(") ? call : "\(call)(x)"
        try GradientCheck().run("graph g(x: f64[2, 3]) -> (y: f64[2, 3]) { y = \(expression) }")
    }

    @Test(arguments: ["log", "sqrt", "rsqrt", "reciprocal"])
    func unaryOnPositiveInputs(_ op: String) throws {
        try GradientCheck(range: 0.5...2).run("graph g(x: f64[2, 3]) -> (y: f64[2, 3]) { y = \(op)(x) }")
    }

    @Test(arguments: ["a + b", "a - b", "a * b", "max(a, b)", "min(a, b)", "a * a + b"])
    func broadcastingBinary(_ expression: String) throws {
        try GradientCheck().run("graph g(a: f64[2, 3], b: f64[3]) -> (y: f64[2, 3]) { y = \(expression) }")
        try GradientCheck().run("graph g(a: f64[2, 1], b: f64[1, 4]) -> (y: f64[2, 4]) { y = \(expression) }")
    }

    @Test func divisionAndPower() throws {
        var check = GradientCheck()
        check.ranges = ["b": 0.5...2, "a": 0.5...2]
        try check.run("graph g(a: f64[2, 3], b: f64[3]) -> (y: f64[2, 3]) { y = a / b }")
        try check.run("graph g(a: f64[2, 3], b: f64[3]) -> (y: f64[2, 3]) { y = pow(a, b) }")
    }

    @Test func whereTakesTheChosenBranch() throws {
        try GradientCheck().run("graph g(a: f64[2, 3], b: f64[3]) -> (y: f64[2, 3]) { y = where(gt(a, 0.0), a * 2.0, b) }")
    }

    @Test func matmulShapes() throws {
        try GradientCheck().run("graph g(a: f64[2, 3], b: f64[3, 4]) -> (y: f64[2, 4]) { y = matmul(a, b) }")
        try GradientCheck().run("graph g(a: f64[2, 2, 3], b: f64[3, 4]) -> (y: f64[2, 2, 4]) { y = matmul(a, b) }")
        try GradientCheck().run("graph g(a: f64[3], b: f64[2, 3, 4]) -> (y: f64[2, 4]) { y = matmul(a, b) }")
        try GradientCheck().run("graph g(a: f64[2, 3], b: f64[3]) -> (y: f64[2]) { y = matmul(a, b) }")
    }

    @Test func gemmAndLinear() throws {
        try GradientCheck().run("""
            graph g(a: f64[3, 2], b: f64[4, 3], c: f64[4]) -> (y: f64[2, 4]) { y = gemm(a, b, c, alpha: 0.5, beta: 2, trans_a: true, trans_b: true) }
            """)
        try GradientCheck().run("graph g(x: f64[2, 2, 3], w: f64[3, 4], b: f64[4]) -> (y: f64[2, 2, 4]) { y = linear(x, w, b) }")
    }

    @Test(arguments: ["reduce_sum(x, axes: [1])", "reduce_sum(x, axes: [0, 2], keepdims: false)", "reduce_mean(x, axes: [-1])",
                      "reduce_max(x, axes: [1], keepdims: false)", "reduce_min(x)", "reduce_prod(x, axes: [2])",
                      "softmax(x, axis: 1)", "log_softmax(x)"])
    func reductions(_ expression: String) throws {
        try GradientCheck().run("graph g(x: f64[2, 3, 2]) -> (y) { y = \(expression) }")
    }

    @Test func reduceMaxSharesTiesEvenly() throws {
        let gradients = try GradientCheck(inputs: ["x": Tensor(shape: [4], scalars: [1.0, 3, 3, 2])])
            .run("graph g(x: f64[4]) -> (y) { y = reduce_max(x) }")
        let g = try #require(gradients["x"]).doubles
        #expect(g[0] == 0 && g[3] == 0 && g[1] == g[2] && g[1] > 0)
    }

    @Test(arguments: ["reshape(x, shape: [3, 4])", "flatten(x, axis: 2)", "transpose(x, perm: [2, 0, 1])", "transpose(x)",
                      "squeeze(unsqueeze(x, axes: [1]), axes: [1])", "expand(x, shape: [2, 2, 3, 2])",
                      "tile(x, repeats: [2, 1, 3])", "slice(x, starts: [1, 0], ends: [3, 2], axes: [1, 2])",
                      "slice(x, starts: [0], ends: [3], axes: [1], steps: [2])", "slice(x, starts: [-1], ends: [-4], axes: [1], steps: [-2])",
                      "slice(x, starts: [2, 1], ends: [0, -10], axes: [1, 2], steps: [-1, -1])",
                      "pad(x, pads: [0, 1, 0, 1, 0, 2])", "pad(x, pads: [0, -1, 1, 0, 1, 0])",
                      "pad(x, pads: [0, 2, 1, 0, 1, 1], mode: reflect)", "pad(x, pads: [1, 0, 2, 0, 3, 1], mode: edge)",
                      "concat(x, x * 2.0, axis: 1)"])
    func movement(_ expression: String) throws {
        try GradientCheck().run("graph g(x: f64[2, 3, 2]) -> (y) { y = \(expression) }")
    }

    @Test func castBetweenFloatTypes() throws {
        // Through f32 and back: linear, so a wide step keeps f32 rounding out of the difference.
        var check = GradientCheck()
        check.step = 1e-2
        check.tolerance = 1e-4
        try check.run("graph g(x: f64[2, 3]) -> (y: f64[2, 3]) { y = cast(cast(x, to: f32) * 2.0, to: f64) }")
    }

    @Test func splitWithAnUnusedPiece() throws {
        try GradientCheck().run("graph g(x: f64[2, 5]) -> (a, c) { a, _, c = split(x, axis: 1, sizes: [2, 1, 2]) }")
    }
}

/// Paths the gradient cannot take are errors at the op that blocks them, not silent zeros.
@Suite struct AutodiffErrorTests {
    static func differentiate(_ source: String) throws -> String? {
        let graph = try #require(try Frontend.parse(source: source, path: "e.graph").entry)
        let loss = try #require(graph.outputs.first)
        do {
            _ = try Autodiff.differentiate(graph, loss: loss, wrt: graph.inputs.filter { graph.type(of: $0).dtype.isFloatingPoint })
            return nil
        } catch {
            return error.description
        }
    }

    @Test func argmaxOnThePathIsNamed() throws {
        let message = try Self.differentiate("""
            graph g(x: f64[2, 3]) -> (l: f64[]) {
              i = argmax(x, axis: 1)
              l = reduce_sum(cast(i, to: f64), keepdims: false)
            }
            """)
        #expect(message == "e.graph:2:7: error: the loss depends on trained params through argmax, whose i64[2, 1] result has no gradient")
    }

    @Test func floorIsRejected() throws {
        let message = try Self.differentiate("graph g(x: f64[3]) -> (l: f64[]) { l = reduce_sum(floor(x), keepdims: false) }")
        #expect(message?.contains("floor has no gradient") == true, "\(message ?? "no error")")
    }

    @Test func integerIndicesAreNotDifferentiatedButDataIs() throws {
        let message = try Self.differentiate("""
            graph g(t: f64[4, 2], x: f64[3]) -> (l: f64[]) {
              l = reduce_sum(gather(t, argmax(x, keepdims: false)), keepdims: false)
            }
            """)
        #expect(message == nil, "\(message ?? "")")
    }

    @Test func symbolicShapesAskForBinding() throws {
        let message = try Self.differentiate("graph g(x: f64[N]) -> (l: f64[]) { l = reduce_sum(x, keepdims: false) }")
        #expect(message?.contains("bind its symbols first") == true, "\(message ?? "no error")")
    }
}
