import Testing
@testable import LeptonRuntime
import LeptonReference

/// Fused nodes, written as .graph text: elementwise bodies (the tile engine), anchor +
/// epilogue bodies (kernel, then the epilogue in place over its output), and bodies that fit
/// neither (run node by node). Each against the reference interpreter, which runs the body.
@Suite struct ExecutorFusedTests {
    @Test func elementwiseBodyWithBroadcastAndConstant() throws {
        let executor = try expectExecutorMatchesReference(source: """
            graph g(x: f32[N, 5000], b: f32[5000], s: f32[N, 1]) -> (y: f32[N, 5000]) {
              y: f32[N, 5000] = fused(x, b, s) graph(x0: f32[N, 5000], x1: f32[5000], x2: f32[N, 1]) -> (y0: f32[N, 5000]) {
                %0: f32[N, 5000] = add(x0, x1)
                %1: f32[] = constant(value: 0.5, dtype: f32)
                %2: f32[N, 5000] = mul(%0, %1)
                %3: f32[N, 5000] = sub(%2, x2)
                y0: f32[N, 5000] = gelu(%3)
              }
            }
            """, bindings: ["N": 3])
        #expect(executor.statistics.fallbackNodes == 0)
    }

    @Test func multiOutputBodyWithComparisonsAndCasts() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[4, 6], y: f32[6]) -> (a: f32[4, 6], m: bool[4, 6], i: i32[4, 6]) {
              a: f32[4, 6], m: bool[4, 6], i: i32[4, 6] = fused(x, y) graph(x0: f32[4, 6], x1: f32[6]) -> (y0: f32[4, 6], y1: bool[4, 6], y2: i32[4, 6]) {
                %0: f32[4, 6] = mul(x0, x1)
                y1: bool[4, 6] = gt(%0, x0)
                y0: f32[4, 6] = where(y1, %0, x0)
                %1: f32[4, 6] = exp(y0)
                y2: i32[4, 6] = cast(%1, to: i32)
              }
            }
            """)
    }

    @Test func matmulEpilogue() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[N, 8], r: f32[N, 4]) -> (y: f32[N, 4]) {
              param w: f32[8, 4] = glorot(seed: 1)
              param b: f32[4] = uniform(seed: 2)
              y: f32[N, 4] = fused(x, w, b, r) graph(x0: f32[N, 8], x1: f32[8, 4], x2: f32[4], x3: f32[N, 4]) -> (y0: f32[N, 4]) {
                %0: f32[N, 4] = matmul(x0, x1)
                %1: f32[N, 4] = add(%0, x2)
                %2: f32[N, 4] = relu(%1)
                y0: f32[N, 4] = add(%2, x3)
              }
            }
            """, bindings: ["N": 5])
    }

    @Test func convEpilogueWithResidualAndClip() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[2, 3, 6, 6]) -> (y: f32[2, 3, 6, 6]) {
              param w: f32[3, 3, 3, 3] = glorot(seed: 1)
              param b: f32[3, 1, 1] = uniform(seed: 2)
              y: f32[2, 3, 6, 6] = fused(x, w, b) graph(x0: f32[2, 3, 6, 6], x1: f32[3, 3, 3, 3], x2: f32[3, 1, 1]) -> (y0: f32[2, 3, 6, 6]) {
                %0: f32[2, 3, 6, 6] = conv2d(x0, x1, padding: same)
                %1: f32[2, 3, 6, 6] = add(%0, x2)
                %2: f32[2, 3, 6, 6] = add(%1, x0)
                y0: f32[2, 3, 6, 6] = clip(%2, min: 0, max: 6)
              }
            }
            """)
    }

    @Test func bodyWithTwoAnchorsRunsNodeByNode() throws {
        let executor = try expectExecutorMatchesReference(source: """
            graph g(x: f32[3, 8]) -> (y: f32[3, 4], z: f32[3, 8]) {
              param w: f32[8, 4] = glorot(seed: 1)
              y: f32[3, 4], z: f32[3, 8] = fused(x, w) graph(x0: f32[3, 8], x1: f32[8, 4]) -> (y0: f32[3, 4], y1: f32[3, 8]) {
                %0: f32[3, 4] = matmul(x0, x1)
                y0: f32[3, 4] = softmax(%0)
                y1: f32[3, 8] = tanh(x0)
              }
            }
            """)
        #expect(executor.statistics.fallbackNodes == 0)
    }

    @Test func symbolicDimsRebindThroughThePlanCache() throws {
        let graph = try parseGraph("""
            graph g(x: f32[N, 6]) -> (y: f32[N, 3]) {
              param w: f32[6, 3] = glorot(seed: 1)
              y = softmax(relu(matmul(x, w)) * 2)
            }
            """)
        let parameters = try materializeParameters(of: graph, baseDirectory: ".")
        let executor = try Executor(graph: graph, parameters: parameters)
        for (n, plans) in [(1, 1), (3, 2), (1, 2), (3, 2)] {
            try expectExecutorMatchesReference(graph, parameters: parameters, randomInputs(graph, bindings: ["N": n], seed: UInt64(n)),
                                               executor: executor)
            #expect(executor.statistics.plansBuilt == plans, "N = \(n)")
            #expect(executor.statistics.arenaGrowths == plans, "N = \(n)")
        }
        #expect(executor.statistics.runs == 4)
    }
}
