import Testing

/// Normalizations against finite differences (GradientCheckSupport.swift): every operand of
/// batch_norm, layer_norm and instance_norm. Variances are kept away from zero so the
/// finite differences stay well conditioned; epsilon is large enough to matter.
@Suite struct GradientCheckNormTests {
    @Test func batchNorm() throws {
        var check = GradientCheck()
        check.ranges = ["v": 0.5...2]
        try check.run("""
            graph g(x: f64[2, 3, 2, 2], s: f64[3], b: f64[3], m: f64[3], v: f64[3]) -> (y) { y = batch_norm(x, s, b, m, v, epsilon: 0.01) }
            """)
        try check.run("graph g(x: f64[4, 3], s: f64[3], b: f64[3], m: f64[3], v: f64[3]) -> (y) { y = batch_norm(x, s, b, m, v) }")
    }

    @Test(arguments: ["layer_norm(x, s, b, epsilon: 0.1)", "layer_norm(x, s)"])
    func layerNormOverTheLastAxis(_ call: String) throws {
        let bias = call.contains("b,") ? ", b: f64[4]" : ""
        try GradientCheck().run("graph g(x: f64[2, 3, 4], s: f64[4]\(bias)) -> (y) { y = \(call) }")
    }

    @Test(arguments: ["layer_norm(x, s, b, axis: 1)", "layer_norm(x, s, axis: 1, epsilon: 0.1)"])
    func layerNormOverTrailingAxes(_ call: String) throws {
        let bias = call.contains("b,") ? ", b: f64[3, 4]" : ""
        try GradientCheck().run("graph g(x: f64[2, 3, 4], s: f64[3, 4]\(bias)) -> (y) { y = \(call) }")
    }

    @Test func layerNormOverEverything() throws {
        try GradientCheck().run("graph g(x: f64[2, 3], s: f64[2, 3], b: f64[2, 3]) -> (y) { y = layer_norm(x, s, b, axis: 0) }")
    }

    @Test func instanceNorm() throws {
        try GradientCheck().run("""
            graph g(x: f64[2, 3, 2, 2], s: f64[3], b: f64[3]) -> (y) { y = instance_norm(x, s, b, epsilon: 0.01) }
            """)
        try GradientCheck().run("graph g(x: f64[2, 2, 5], s: f64[2], b: f64[2]) -> (y) { y = instance_norm(x, s, b) }")
    }

    /// A normalization feeding another: adjoints of x from both uses are summed.
    @Test func normalizedTwice() throws {
        try GradientCheck().run("""
            graph g(x: f64[2, 3, 4], s: f64[4], t: f64[3]) -> (y) { y = instance_norm(layer_norm(x, s), t, t) + x }
            """)
    }
}
