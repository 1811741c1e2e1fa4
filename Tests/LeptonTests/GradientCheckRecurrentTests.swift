import Testing
@testable import LeptonAutodiff
import LeptonReference

/// lstm and gru against finite differences (GradientCheckSupport.swift), at seq 3, batch 2,
/// input 2, hidden 3: every direction, with the optional operands left off one by one, and
/// with the loss reading each result alone and together (a result nobody reads gets no
/// adjoint, so each path back into the recurrence is checked on its own).
@Suite struct GradientCheckRecurrentTests {
    /// The optional trailing operands given (positional: initial_h needs b before it).
    static let operandCounts = [3, 4, 5, 6]
    static let directions = ["forward", "reverse", "bidirectional"]

    /// `names` of lstm's y, y_h, y_c as bound in the graph ("_" drops one), its outputs.
    static let lstmResults: [(binding: String, outputs: String)] = [
        ("y, _, _", "y"), ("_, yh, _", "yh"), ("_, _, yc", "yc"), ("y, _, yc", "y, yc"), ("y, yh, yc", "y, yh, yc"),
    ]

    @Test(arguments: directions, operandCounts)
    func lstm(direction: String, operands: Int) throws {
        for results in Self.lstmResults {
            try GradientCheck().run(Self.recurrent("lstm", gates: 4, direction: direction, operands: operands, results: results))
        }
    }

    @Test(arguments: [false, true], directions)
    func gru(linearBeforeReset: Bool, direction: String) throws {
        for operands in [3, 4, 5] {
            for results in [("y, _", "y"), ("_, yh", "yh"), ("y, yh", "y, yh")] {
                try GradientCheck().run(Self.recurrent("gru", gates: 3, direction: direction, operands: operands, results: results,
                                                       attributes: ", linear_before_reset: \(linearBeforeReset)"))
            }
        }
    }

    /// One value as both initial_h and initial_c: its adjoint is the sum over both uses, once.
    @Test func lstmWithOneInitialStateForBoth() throws {
        try GradientCheck().run("""
            graph g(x: f64[3, 2, 2], w: f64[1, 12, 2], r: f64[1, 12, 3], b: f64[1, 24], s: f64[1, 2, 3]) -> (y, yc) {
              y, _, yc = lstm(x, w, r, b, s, s, hidden_size: 3)
            }
            """)
    }

    /// No time steps: the final states are the initial ones, and so are their adjoints.
    @Test func emptySequence() throws {
        try GradientCheck().run("""
            graph g(x: f64[0, 2, 2], w: f64[2, 12, 2], r: f64[2, 12, 3], b: f64[2, 24], h0: f64[2, 2, 3], c0: f64[2, 2, 3]) -> (y, yh, yc) {
              y, yh, yc = lstm(x, w, r, b, h0, c0, hidden_size: 3, direction: bidirectional)
            }
            """)
        try GradientCheck().run("""
            graph g(x: f64[0, 2, 2], w: f64[1, 9, 2], r: f64[1, 9, 3], b: f64[1, 18], h0: f64[1, 2, 3]) -> (yh) {
              _, yh = gru(x, w, r, b, h0, hidden_size: 3)
            }
            """)
    }

    /// A recurrence feeding another, with x also read directly: adjoints from several uses add up.
    @Test func stackedLayers() throws {
        try GradientCheck().run("""
            graph g(x: f64[3, 2, 3], w: f64[1, 9, 3], r: f64[1, 9, 3], v: f64[1, 12, 3], u: f64[1, 12, 3]) -> (z) {
              y, _ = gru(x, w, r, hidden_size: 3)
              _, h, _ = lstm(reshape(y, shape: [3, 2, 3]) + x, v, u, hidden_size: 3)
              z = h
            }
            """)
    }

    /// The backward graph of an unrolled recurrence goes through the -O2 pipeline (folding,
    /// CSE, fusion) and memory planning like any other, and the executor agrees with the
    /// reference on it.
    @Test(arguments: [
        ("w: f32[2, 20, 4], r: f32[2, 20, 5], b: f32[2, 40], h0: f32[2, 3, 5], c0: f32[2, 3, 5]",
         "_, h, c = lstm(x, w, r, b, h0, c0, hidden_size: 5, direction: bidirectional)\n  loss = reduce_sum(h * c, keepdims: false)"),
        ("w: f32[1, 15, 4], r: f32[1, 15, 5], b: f32[1, 30], h0: f32[1, 3, 5]",
         "y, _ = gru(x, w, r, b, h0, hidden_size: 5, direction: reverse, linear_before_reset: true)\n  loss = reduce_sum(y * y, keepdims: false)"),
        ("w: f32[1, 15, 4], r: f32[1, 15, 5]",
         "y, _ = gru(x, w, r, hidden_size: 5)\n  loss = reduce_sum(y * y, keepdims: false)"),
    ])
    func backwardRunsOnTheExecutor(weights: String, body: String) throws {
        let forward = try parseGraph("graph g(x: f32[8, 3, 4], \(weights)) -> (loss) {\n  \(body)\n}")
        let backward = try Autodiff.differentiate(forward, loss: forward.outputs[0], wrt: forward.inputs)
        let optimized = try optimizedAtO2(backward, baseDirectory: ".", verifyEach: true)
        try expectExecutorMatchesReference(optimized, parameters: materializeParameters(of: optimized, baseDirectory: "."),
                                           randomInputs(forward))
    }

    /// An lstm or gru graph at seq 3, batch 2, input 2, hidden 3 taking its first `operands`
    /// operands (x, w, r, b, initial_h, initial_c).
    static func recurrent(_ op: String, gates: Int, direction: String, operands: Int,
                          results: (binding: String, outputs: String), attributes: String = "") -> String {
        let dirs = direction == "bidirectional" ? 2 : 1
        let parameters = [
            "x: f64[3, 2, 2]", "w: f64[\(dirs), \(gates * 3), 2]", "r: f64[\(dirs), \(gates * 3), 3]",
            "b: f64[\(dirs), \(2 * gates * 3)]", "h0: f64[\(dirs), 2, 3]", "c0: f64[\(dirs), 2, 3]",
        ].prefix(operands)
        let names = ["x", "w", "r", "b", "h0", "c0"].prefix(operands)
        return """
            graph g(\(parameters.joined(separator: ", "))) -> (\(results.outputs)) {
              \(results.binding) = \(op)(\(names.joined(separator: ", ")), hidden_size: 3, direction: \(direction)\(attributes))
            }
            """
    }
}
