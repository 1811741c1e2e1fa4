import Foundation
import Testing
import Lepton

// The flop estimate `lepton bench` divides by latency (Op+Flops.swift), on small graphs whose
// counts are worked out by hand in each case's comment.

@Suite struct FlopCountTests {
    /// Graph body (one input x of type `input`), symbol sizes, expected flops.
    static let cases: [(String, String, String, [String: Int], Int)] = [
        // 2·N·5·3 for the matmul, N·5 each for the bias add and the relu.
        ("dense", "f32[N, 3]", """
            param w: f32[3, 5] = ones
            param b: f32[5] = zeros
            y = relu(matmul(x, w) + b)
            """, ["N": 4], 120 + 20 + 20),
        // Batched matmul [2, 3, 4, 5] x [5, 6] -> [2, 3, 4, 6]: 144 results of 5 multiply-adds.
        ("batched", "f32[2, 3, 4, 5]", """
            param w: f32[5, 6] = ones
            y = matmul(x, w)
            """, [:], 144 * 2 * 5),
        // gemm [4, 3] x [5, 3]^T + c: 2·4·5·3 + 4·5.
        ("gemm", "f32[4, 3]", """
            param w: f32[5, 3] = ones
            param c: f32[5] = zeros
            y = gemm(x, w, c, trans_b: true)
            """, [:], 120 + 20),
        // linear over [2, 7, 3] rows: 2·14·5·3 + 14·5 for the bias.
        ("linear", "f32[2, 7, 3]", """
            param w: f32[3, 5] = ones
            param b: f32[5] = zeros
            y = linear(x, w, b)
            """, [:], 420 + 70),
        // Grouped conv, 6 outputs of 8x8 from 2 channels per group, 3x3: 2·384·2·9 + 384 bias.
        ("conv", "f32[1, 4, 8, 8]", """
            param w: f32[6, 2, 3, 3] = ones
            param b: f32[6] = zeros
            y = conv2d(x, w, b, pads: [1, 1, 1, 1], group: 2)
            """, [:], 13_824 + 384),
        // LSTM, 5 steps, batch 2, 3 features, hidden 4: per step 2·2·16·(3 + 4) + 13·2·4.
        ("lstm", "f32[5, 2, 3]", """
            param w: f32[1, 16, 3] = ones
            param r: f32[1, 16, 4] = ones
            y, _, _ = lstm(x, w, r, hidden_size: 4)
            """, [:], 5 * (448 + 104)),
        // conv2d as above, then its weight gradient: each of dy's 384 elements meets the 2·9 taps
        // of its weight row once more, 2·384·18.
        ("conv-weight-grad", "f32[1, 4, 8, 8]", """
            param w: f32[6, 2, 3, 3] = ones
            dy = conv2d(x, w, pads: [1, 1, 1, 1], group: 2)
            y = conv2d_weight_grad(x, dy, kernel: [3, 3], pads: [1, 1, 1, 1], group: 2)
            """, [:], 13_824 + 13_824),
        // Losses over 4x5 logits: cross_entropy and mse 3 per element, then one scalar add.
        ("losses", "f32[4, 5]", """
            param labels: i64[4] = zeros
            y = cross_entropy(x, labels) + mse(x, x)
            """, [:], 60 + 60 + 1),
        // Pooling reads 4 elements per result (4 results); movement is free; softmax 3 per element.
        ("pool-softmax", "f32[1, 1, 4, 4]", """
            p = max_pool2d(x, kernel: [2, 2], strides: [2, 2])
            y = softmax(reshape(transpose(p, perm: [0, 1, 3, 2]), shape: [1, 4]))
            """, [:], 16 + 12),
    ]

    @Test(arguments: cases.map { $0.0 })
    func countsByHand(name: String) throws {
        let (_, input, body, sizes, expected) = try #require(Self.cases.first { $0.0 == name })
        let source = "graph g(x: \(input)) -> (y) {\n\(body)\n}"
        #expect(try parseGraph(source).flopCount(sizes: sizes) == expected)
    }

    /// An unbound symbol counts as size 1; a bound one scales the count.
    @Test func symbolsScaleTheCount() throws {
        let graph = try parseGraph("graph g(x: f32[N, 8]) -> (y) {\n y = relu(exp(x) + 1.0)\n}")
        #expect(graph.flopCount(sizes: [:]) == 24)
        #expect(graph.flopCount(sizes: ["N": 10]) == 240)
    }

    /// Fused kernels carry their work in their region: the -O2 graph of an elementwise chain
    /// counts what the -O0 graph does.
    @Test func fusedRegionsAreCounted() throws {
        let graph = try parseGraph("graph g(x: f32[N, 8]) -> (y) {\n y = relu(exp(x) + 1.0)\n}")
        let optimized = try optimizedAtO2(graph, baseDirectory: "", verifyEach: true)
        #expect(optimized.nodes.contains { $0.op == .fused })
        #expect(optimized.flopCount(sizes: ["N": 3]) == graph.flopCount(sizes: ["N": 3]))
    }

    /// The example models, against their dominant terms (2·MNK of the layers).
    @Test func exampleModels() throws {
        let mlp = try exampleGraph("mlp.graph").graph.flopCount(sizes: ["N": 1])
        #expect(mlp == 2 * (784 * 512 + 512 * 512 + 512 * 10) + (512 + 512 + 10) + (512 + 512) + 30)
        let resblock = try exampleGraph("resblock.graph").graph.flopCount(sizes: ["N": 1])
        let conv = 2 * 64 * 56 * 56 * 64 * 9, planes = 64 * 56 * 56
        #expect(resblock == 2 * conv + 2 * (2 * planes) + 3 * planes)  // 2 batch norms, 2 relus, 1 add
    }
}
