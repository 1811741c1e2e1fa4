import Testing
@testable import LeptonRuntime

/// Hand-written graphs covering every op family and dtype: the Executor against the reference.
@Suite struct ExecutorOpTests {
    @Test func floatUnary() throws {
        for dtype in ["f32", "f64"] {
            try expectExecutorMatchesReference(source: """
                graph g(x: \(dtype)[3, 5]) -> (a: \(dtype)[3, 5], b: \(dtype)[3, 5], c: \(dtype)[3, 5], d: \(dtype)[3, 5], e: \(dtype)[3, 5], f: \(dtype)[3, 5]) {
                  p = abs(x) + 0.5
                  a = exp(x) + log(p) + sqrt(p) + rsqrt(p)
                  b = reciprocal(p) + sigmoid(x) + tanh(x) + softplus(x)
                  c = erf(x) + gelu(x) + gelu(x, approximate: tanh)
                  d = leaky_relu(x, alpha: 0.2) + elu(x, alpha: 0.7) + floor(x) + ceil(x)
                  e = neg(x) + relu(x) + clip(x, min: -0.5, max: 0.25)
                  f = pow(p, x) + max(x, p) + min(x, p) - x / p * x
                }
                """)
        }
    }

    @Test func integerElementwise() throws {
        for dtype in ["i32", "i64"] {
            try expectExecutorMatchesReference(source: """
                graph g(x: \(dtype)[2, 3, 4], y: \(dtype)[3, 1]) -> (a: \(dtype)[2, 3, 4], b: \(dtype)[2, 3, 4], c: \(dtype)[2, 3, 4]) {
                  a = x + y - x * y
                  b = x / y + pow(x, y) + max(x, y) + min(x, y)
                  c = neg(x) + abs(x - y) + relu(x - y) + clip(x, min: 1, max: 3)
                }
                """, intRange: 1..<6)
        }
    }

    @Test func comparisonsLogicWhereCast() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[4, 3], y: f32[3], i: i64[4, 3]) -> (a: bool[4, 3], b: f32[4, 3], c: i32[4, 3], d: f64[4, 3], e: bool[4, 3], f: i64[4, 3]) {
              p = lt(x, y)
              q = ge(x, y)
              a = xor(and(p, not(q)), or(eq(x, y), ne(i, cast(x, to: i64))))
              b = where(gt(x, y), x, y) + cast(le(x, y), to: f32)
              c = cast(x * 3, to: i32) + cast(i, to: i32)
              d = cast(x, to: f64) + cast(cast(i, to: i32), to: f64)
              e = cast(x, to: bool)
              f = where(p, i, cast(c, to: i64))
            }
            """)
    }

    @Test func linearAlgebra() throws {
        try expectExecutorMatchesReference(source: """
            graph g(a: f32[2, 1, 3, 4], b: f32[3, 4, 5], v: f32[4], m: f32[5, 4], c: f32[6], n: f32[3, 4]) -> (x: f32[2, 3, 3, 5], y: f32[2, 1, 3], z: f32[4, 6], w: f32[3, 5], u: f32[2, 1, 3, 5], t: f32[5]) {
              param k: f32[4, 5] = uniform(low: -1, high: 1, seed: 3)
              param kb: f32[5] = uniform(seed: 4)
              param q: f32[6, 5] = uniform(seed: 5)
              x = matmul(a, b)
              y = matmul(a, v)
              z = gemm(m, q, c, trans_a: true, trans_b: true, alpha: 0.5, beta: 2)
              w = gemm(n, k)
              u = linear(a, k, kb)
              t = matmul(v, k)
            }
            """)
    }

    @Test func integerMatmul() throws {
        try expectExecutorMatchesReference(source: """
            graph g(a: i64[3, 4], b: i64[4, 2]) -> (c: i64[3, 2]) {
              c = matmul(a, b)
            }
            """)
    }

    @Test func convolutions() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[2, 4, 7, 6]) -> (a: f32[2, 6, 4, 2], b: f32[2, 4, 7, 6], c: f32[2, 3, 15, 11], d: f32[2, 4, 7, 6]) {
              param w1: f32[6, 2, 3, 3] = glorot(seed: 1)
              param b1: f32[6] = uniform(seed: 2)
              param w2: f32[4, 1, 3, 3] = glorot(seed: 3)
              param w3: f32[4, 3, 3, 2] = glorot(seed: 4)
              param b3: f32[3] = uniform(seed: 5)
              param w4: f32[4, 4, 1, 1] = glorot(seed: 6)
              a = conv2d(x, w1, b1, strides: [2, 2], pads: [1, 0, 1, 1], dilations: [1, 2], group: 2)
              b = conv2d(x, w2, group: 4, padding: same)
              c = conv_transpose2d(x, w3, b3, strides: [2, 2], pads: [1, 0, 0, 1], output_padding: [1, 0])
              d = conv2d(x, w4)
            }
            """)
    }

    @Test func pooling() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f64[2, 3, 7, 8]) -> (a: f64[2, 3, 4, 5], b: f64[2, 3, 4, 5], c: f64[2, 3, 1, 1], d: f64[2, 3, 7, 8]) {
              a = max_pool2d(x, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: true, dilations: [1, 1])
              b = avg_pool2d(x, kernel: [2, 3], strides: [2, 2], pads: [1, 1, 0, 1], count_include_pad: true, ceil_mode: true)
              c = global_avg_pool(x)
              d = max_pool2d(x, kernel: [3, 2], padding: same, dilations: [2, 1])
            }
            """)
    }

    @Test func normalization() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[2, 3, 4, 5], s: f32[3], b: f32[3], m: f32[3], l: f32[4, 5]) -> (a: f32[2, 3, 4, 5], c: f32[2, 3, 4, 5], d: f32[2, 3, 4, 5], e: f32[2, 3, 4, 5], f: f32[2, 3, 4, 5]) {
              a = batch_norm(x, s, b, m, abs(s) + 0.1, epsilon: 0.001)
              c = layer_norm(x, l, l, axis: -2)
              d = instance_norm(x, s, b)
              e = softmax(x, axis: 1)
              f = log_softmax(x)
            }
            """)
    }

    @Test func reductions() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[3, 4, 5], i: i32[3, 4]) -> (a: f32[1, 4, 1], b: f32[3, 5], c: f32[], d: f32[3, 1, 5], e: f32[4], f: i64[3, 5], g: i64[4], h: i32[3]) {
              a = reduce_sum(x, axes: [0, 2])
              b = reduce_mean(x, axes: [1], keepdims: false)
              c = reduce_max(x, keepdims: false)
              d = reduce_min(x, axes: [-2])
              e = reduce_prod(x, axes: [0, -1], keepdims: false)
              f = argmax(x, axis: 1, keepdims: false)
              g = argmin(i, axis: 0, keepdims: false, select_last_index: true)
              h = reduce_sum(i, axes: [1], keepdims: false)
            }
            """)
    }

    @Test func movement() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[2, 3, 4], i: i64[2, 2], j: i32[3]) -> (a: f32[4, 3, 2], b: f32[2, 1, 2], c: f32[3, 2, 3, 4], d: f32[4, 3, 8], e: f32[2, 7, 4], f: f32[2, 1, 4], g: f32[2, 2, 4], h: f32[2, 2, 2, 4], k: f32[24], l: f32[4, 4, 8], m: f32[2, 3, 3]) {
              a = transpose(x)
              b = slice(x, starts: [-1, 3, 0], ends: [-100, 0, 4], steps: [-1, -2, 2])
              c = expand(reshape(x, shape: [1, 2, 3, 4]), shape: [3, 1, 1, 1])
              d = tile(x, repeats: [2, 1, 2])
              e = concat(x, x, slice(x, starts: [0], ends: [1], axes: [1]), axis: 1)
              f, g = split(slice(x, starts: [0], ends: [3], axes: [1]), axis: 1, sizes: [1, 2])
              h = gather(x, i, axis: 1)
              k = flatten(squeeze(unsqueeze(x, axes: [0]), axes: [0]), axis: 0)
              l = pad(x, pads: [1, 1, 2, 1, 0, 2], mode: constant, value: 1.5)
              m = gather(pad(x, pads: [0, 0, 1, 0, 0, 2], mode: reflect), j, axis: 2)
            }
            """.replacingOccurrences(of: "k: f32[24]", with: "k: f32[1, 24]"), intRange: -2..<2)
    }

    @Test func padModesAndIntegerMovement() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: i64[3, 4], b: bool[3, 4]) -> (a: i64[5, 9], c: i64[3, 3], d: bool[3, 3], e: i64[1, 2]) {
              a = pad(x, pads: [1, 2, 1, 3], mode: edge)
              c = pad(x, pads: [0, -1, 0, 0], mode: reflect)
              d = transpose(pad(b, pads: [0, 0, 0, -1]), perm: [1, 0])
              e = pad(x, pads: [-1, -1, -1, -1], mode: constant, value: 7)
            }
            """)
    }

    @Test func recurrent() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[4, 2, 3], h0: f32[2, 2, 5], c0: f32[2, 2, 5]) -> (y: f32[4, 2, 2, 5], yh: f32[2, 2, 5], yc: f32[2, 2, 5], gy: f32[4, 1, 2, 5], gh: f32[1, 2, 5], ry: f32[4, 1, 2, 5], wy: f32[4, 1, 2, 20]) {
              param w: f32[2, 20, 3] = uniform(low: -0.5, high: 0.5, seed: 1)
              param r: f32[2, 20, 5] = uniform(low: -0.5, high: 0.5, seed: 2)
              param b: f32[2, 40] = uniform(low: -0.5, high: 0.5, seed: 3)
              param gw: f32[1, 15, 3] = uniform(low: -0.5, high: 0.5, seed: 4)
              param gr: f32[1, 15, 5] = uniform(low: -0.5, high: 0.5, seed: 5)
              param gb: f32[1, 30] = uniform(low: -0.5, high: 0.5, seed: 6)
              y, yh, yc = lstm(x, w, r, b, h0, c0, hidden_size: 5, direction: bidirectional)
              gy, gh = gru(x, gw, gr, gb, hidden_size: 5, direction: reverse)
              ry, _ = gru(x, gw, gr, hidden_size: 5, linear_before_reset: true)
              param ww: f32[1, 60, 3] = uniform(low: -0.5, high: 0.5, seed: 7)
              param wr: f32[1, 60, 20] = uniform(low: -0.3, high: 0.3, seed: 8)
              param wb: f32[1, 120] = uniform(low: -0.5, high: 0.5, seed: 9)
              wy, _ = gru(x, ww, wr, wb, hidden_size: 20)
            }
            """)
    }

    @Test func constantsAndIdentity() throws {
        try expectExecutorMatchesReference(source: """
            graph g(x: f32[2, 2]) -> (y: f32[2, 2], z: f32[2, 2]) {
              y = x * [[1, 2], [3, 4]] + 0.5
              z = y
            }
            """)
    }

    @Test func integerDivisionByZeroIsADiagnostic() throws {
        let graph = try parseGraph("""
            graph g(x: i32[3], y: i32[3]) -> (z: i32[3]) {
              z = x / y
            }
            """)
        let executor = try Executor(graph: graph, parameters: [])
        let inputs = ["x": Tensor(shape: [3], scalars: [1, 2, 3] as [Int32]), "y": Tensor(shape: [3], scalars: [1, 0, 3] as [Int32])]
        #expect(throws: DiagnosticError.self) { try executor.run(inputs) }
        do {
            _ = try executor.run(inputs)
        } catch {
            #expect(error.description.contains("test.graph:2:") && error.description.contains("integer division by zero"), "\(error)")
        }
    }

    @Test func inputsAreChecked() throws {
        let graph = try parseGraph("graph g(x: f32[N, 3]) -> (y: f32[N, 3]) {\n  y = relu(x)\n}")
        let executor = try Executor(graph: graph, parameters: [])
        #expect(throws: DiagnosticError.self) { try executor.run(["x": Tensor(shape: [2, 4], scalars: [Float](repeating: 0, count: 8))]) }
        #expect(throws: DiagnosticError.self) { try executor.run([:]) }
    }
}
