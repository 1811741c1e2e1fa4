import Foundation
import Testing
import LeptonTensor
@testable import LeptonFrontend
@testable import LeptonReference
@testable import LeptonRuntime
import LeptonKernels

/// The f32 SIMD kernels against the reference: the direct depthwise conv (strides 1/2/3,
/// dilation, asymmetric pads, channel multipliers, planes narrower and wider than 16), the
/// SIMD16 norm rows and softmax (row lengths around 16, length 1, large magnitudes, ±inf and
/// NaN), and the vectorized unary ops inside fused tiles.
@Suite struct VectorKernelTests {
    @Test func depthwiseConvolutions() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[2, 3, 9, 37]) -> (a: f32[2, 3, 9, 37], b: f32[2, 3, 5, 19], c: f32[2, 6, 3, 13], d: f32[2, 3, 8, 36], e: f32[2, 3, 9, 37]) {
              param w1: f32[3, 1, 3, 3] = glorot(seed: 1)
              param b1: f32[3] = uniform(seed: 2)
              param w2: f32[6, 1, 3, 2] = glorot(seed: 3)
              param w3: f32[3, 1, 2, 2] = glorot(seed: 4)
              param w4: f32[3, 1, 5, 5] = glorot(seed: 5)
              param b6: f32[6] = uniform(seed: 6)
              a = clip(conv2d(x, w1, b1, pads: [1, 1, 1, 1], group: 3), min: 0, max: 6)
              b = conv2d(x, w1, strides: [2, 2], pads: [1, 1, 1, 1], group: 3)
              c = conv2d(x, w2, b6, strides: [3, 3], pads: [0, 1, 2, 0], dilations: [2, 1], group: 3)
              d = conv2d(x, w3, group: 3)
              e = conv2d(x, w4, pads: [2, 2, 2, 2], group: 3)
            }
            """)
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[1, 4, 1, 1]) -> (a: f32[1, 4, 1, 1], b: f32[1, 4, 1, 1]) {
              param w: f32[4, 1, 3, 3] = glorot(seed: 1)
              param v: f32[4, 1, 1, 1] = glorot(seed: 2)
              a = conv2d(x, w, pads: [1, 1, 1, 1], group: 4)
              b = conv2d(x, v, group: 4)
            }
            """)
    }

    @Test func maxPooling() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[2, 3, 9, 37]) -> (a: f32[2, 3, 5, 19], b: f32[2, 3, 9, 37], c: f32[2, 3, 4, 13], d: f32[2, 3, 4, 18]) {
              a = max_pool2d(x, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: true, dilations: [1, 1])
              b = max_pool2d(x, kernel: [3, 2], padding: same, dilations: [2, 1])
              c = max_pool2d(x, kernel: [2, 2], strides: [2, 3], pads: [0, 0, 0, 1], dilations: [1, 1])
              d = max_pool2d(x, kernel: [2, 2], strides: [2, 2], dilations: [1, 1])
            }
            """)
        let graph = try parseGraph("""
            graph g(x: f32[1, 2, 4, 18]) -> (y: f32[1, 2, 2, 9]) {
              y = max_pool2d(x, kernel: [2, 2], strides: [2, 2], dilations: [1, 1])
            }
            """)
        var values = (0..<144).map { Float($0 % 11) - 5 }
        values[3] = .nan
        values[40] = .infinity
        values[100] = -.infinity
        try expectExecutorMatchesReference(graph, ["x": Tensor(shape: [1, 2, 4, 18], scalars: values)])
    }

    @Test func normRowsAndSoftmax() throws {
        for row in [1, 5, 16, 17, 33, 64] {
            try expectExecutorMatchesReference(source: """
                graph g(x: f32[3, 2, \(row)]) -> (a: f32[3, 2, \(row)], b: f32[3, 2, \(row)], c: f32[3, 2, \(row)], d: f32[3, 2, \(row)], e: f32[3, 2, \(row)]) {
                  param s: f32[\(row)] = uniform(seed: 1)
                  param t: f32[\(row)] = uniform(seed: 2)
                  param gamma: f32[2] = uniform(seed: 3)
                  param beta: f32[2] = uniform(seed: 4)
                  param mean: f32[2] = uniform(seed: 5)
                  param var: f32[2] = uniform(low: 0.5, high: 1.5, seed: 6)
                  a = softmax(x * 30, axis: -1)
                  b = log_softmax(x * 30, axis: 2)
                  c = layer_norm(x * 1000 + 5000, s, t, axis: -1, epsilon: 1e-5)
                  d = instance_norm(x, gamma, beta, epsilon: 1e-5)
                  e = batch_norm(x, gamma, beta, mean, var, epsilon: 1e-5)
                }
                """)
        }
    }

    /// Rows holding ±inf and NaN: the reference's shift-by-0 and NaN rules, lane by lane.
    @Test func softmaxSpecialValues() throws {
        let graph = try parseGraph("""
            graph g(x: f32[5, 19]) -> (a: f32[5, 19], b: f32[5, 19]) {
              a = softmax(x, axis: -1)
              b = log_softmax(x, axis: -1)
            }
            """)
        var values = (0..<95).map { Float($0 % 7) - 3 }
        for j in 0..<19 { values[19 + j] = -.infinity }    // all −inf
        values[38 + 17] = .infinity
        values[57 + 18] = .nan
        values[76 + 3] = -.infinity
        let x = Tensor(shape: [5, 19], scalars: values)
        try expectExecutorMatchesReference(graph, ["x": x])
    }

    /// Several tiles per thread chunk: scalar operands filled once per chunk, rows and
    /// columns broadcast through whole-run copies and fills.
    @Test func fusedBroadcastsOverManyTiles() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[3, 7001], row: f32[7001], column: f32[3, 1]) -> (a: f32[3, 7001], b: f32[3, 7001]) {
              a = clip(x * 1.5 + 0.25, min: -2, max: 2) - x
              b = (x + row) * column - 0.5
            }
            """)
    }

    @Test func fusedTranscendentals() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[3, 37]) -> (a: f32[3, 37], b: f32[3, 37], c: f32[3, 37], d: f32[3, 37]) {
              a = sigmoid(x * 20) + tanh(x * 5) * exp(x * 10)
              b = gelu(x * 4) + gelu(x * 4, approximate: tanh) + erf(x)
              c = softplus(x * 50) + log(abs(x) + 1e-3) + relu(x) + leaky_relu(x, alpha: 0.1)
              d = clip(x * 10, min: -1, max: 2) - x
            }
            """)
    }
}
