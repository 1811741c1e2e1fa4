import Testing
@testable import LeptonFrontend
@testable import LeptonReference
@testable import LeptonRuntime
import LeptonKernels

/// The training ops' buffer kernels against the reference, op by op: every window option of
/// conv2d_weight_grad and the pooling gradients, scatter_add's duplicate and negative indices
/// along any axis, both reductions of each loss, every one_hot dtype, f32 and f64. Each graph
/// runs on its kernels (no reference fallback), agrees with the reference interpreter, and
/// gives the same bits on 2 threads (with the default split and with every kernel forced to
/// split) as on one. Data errors are reported as the reference reports them.
@Suite struct ExecutorTrainingKernelTests {
    @Test(arguments: ["f32", "f64"])
    func convWeightGrad(dtype: String) throws {
        // (x, dy, dw, attributes): strides, asymmetric pads, dilations, groups (depthwise too),
        // a 1x1 kernel, a kernel as big as the padded image, pads wider than the image.
        let cases: [(String, String, String, String)] = [
            ("[4, 3, 7, 6]", "[4, 5, 7, 6]", "[5, 3, 3, 3]", "kernel: [3, 3], pads: [1, 1, 1, 1]"),
            ("[3, 4, 9, 8]", "[3, 6, 5, 3]", "[6, 2, 3, 3]", "kernel: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1], dilations: [1, 2], group: 2"),
            ("[2, 6, 8, 7]", "[2, 6, 4, 3]", "[6, 2, 2, 3]", "kernel: [2, 3], strides: [2, 3], pads: [0, 1, 1, 2], dilations: [2, 1], group: 3"),
            ("[2, 4, 5, 5]", "[2, 4, 5, 5]", "[4, 1, 3, 3]", "kernel: [3, 3], pads: [1, 1, 1, 1], group: 4"),
            ("[3, 5, 4, 6]", "[3, 7, 4, 6]", "[7, 5, 1, 1]", "kernel: [1, 1]"),
            ("[1, 2, 6, 6]", "[1, 3, 1, 1]", "[3, 2, 8, 8]", "kernel: [8, 8], pads: [1, 1, 1, 1]"),
            // Stride 1 with output rows as wide as the image: each cols run is a shifted plane.
            ("[2, 3, 6, 5]", "[2, 4, 4, 5]", "[4, 3, 3, 3]", "kernel: [3, 3], pads: [0, 1, 0, 1]"),
            ("[2, 2, 5, 6]", "[2, 3, 5, 6]", "[3, 2, 3, 3]", "kernel: [3, 3], pads: [2, 2, 2, 2], dilations: [2, 2]"),
            ("[2, 2, 4, 6]", "[2, 2, 4, 6]", "[2, 2, 1, 9]", "kernel: [1, 9], pads: [0, 8, 0, 0]"),
            ("[2, 2, 3, 4]", "[2, 2, 3, 4]", "[2, 2, 5, 1]", "kernel: [5, 1], pads: [4, 0, 0, 0]"),
        ]
        for (x, dy, dw, attributes) in cases {
            try expectKernelsMatchReference("""
                graph g(x: \(dtype)\(x), dy: \(dtype)\(dy)) -> (w: \(dtype)\(dw)) {
                  w = conv2d_weight_grad(x, dy, \(attributes))
                }
                """)
        }
    }

    /// A batch bigger than one product's scratch runs in chunks of images, accumulated in
    /// order; an empty batch gives zeros.
    @Test func convWeightGradInChunksAndEmpty() throws {
        #expect(ConvGeometry(batch: 5, inChannels: 8, height: 64, width: 64, outChannels: 8, kernelH: 3, kernelW: 3, outH: 64,
                             outW: 64, strides: [1, 1], dilations: [1, 1], padTop: 1, padLeft: 1, group: 1).weightGradImagesPerChunk == 3)
        try expectKernelsMatchReference("""
            graph g(x: f32[5, 8, 64, 64], dy: f32[5, 8, 64, 64]) -> (w: f32[8, 8, 3, 3]) {
              w = conv2d_weight_grad(x, dy, kernel: [3, 3], pads: [1, 1, 1, 1])
            }
            """)
        try expectKernelsMatchReference("""
            graph g(x: f32[0, 2, 5, 5], dy: f32[0, 4, 5, 5]) -> (w: f32[4, 2, 3, 3]) {
              w = conv2d_weight_grad(x, dy, kernel: [3, 3], pads: [1, 1, 1, 1])
            }
            """)
    }

    /// Overlapping windows over values with ties (floor) and NaNs (sqrt of negatives), every
    /// padding option, ceil_mode and count_include_pad.
    @Test(arguments: ["f32", "f64"])
    func poolGrads(dtype: String) throws {
        let windows = [
            "kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1]",
            "kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: true",
            "kernel: [2, 3], strides: [2, 1], pads: [0, 1, 1, 0], ceil_mode: true",
            "kernel: [2, 2], strides: [2, 2], padding: same",
            "kernel: [3, 2], strides: [3, 2], padding: same_lower, ceil_mode: true",
            "kernel: [5, 5], strides: [1, 1], padding: valid",
        ]
        for window in windows {
            try expectKernelsMatchReference(poolSource(dtype, window, maxOnly: "dilations: [1, 1]", averageOnly: "count_include_pad: false"))
            try expectKernelsMatchReference(poolSource(dtype, window, maxOnly: "dilations: [2, 1]", averageOnly: "count_include_pad: true"))
        }
    }

    private func poolSource(_ dtype: String, _ window: String, maxOnly: String, averageOnly: String) -> String {
        let maxWindow = "\(window), \(maxOnly)", averageWindow = "\(window), \(averageOnly)"
        return """
            graph g(x: \(dtype)[2, 3, 9, 8], s: \(dtype)[2, 3, 9, 8]) -> (tie: \(dtype)[2, 3, 9, 8], nans: \(dtype)[2, 3, 9, 8], avg: \(dtype)[2, 3, 9, 8]) {
              dy = max_pool2d(s, \(maxWindow))
              tie = max_pool2d_grad(floor(x), dy, \(maxWindow))
              nans = max_pool2d_grad(sqrt(x), dy, \(maxWindow))
              avg = avg_pool2d_grad(x, avg_pool2d(s, \(averageWindow)), \(averageWindow))
            }
            """
    }

    /// Indices in [-5, 5) on axes of size 5 (data's axis 0, 1 and -1): negative ones and many repeats.
    @Test(arguments: ["f32", "f64"], ["i32", "i64"])
    func scatterAdd(dtype: String, index: String) throws {
        try expectKernelsMatchReference("""
            graph g(d0: \(dtype)[5, 3], d1: \(dtype)[2, 5, 5], i: \(index)[7], j: \(index)[3, 4], u0: \(dtype)[7, 3], u1: \(dtype)[2, 3, 4, 5], u2: \(dtype)[2, 5, 3, 4]) -> (a: \(dtype)[5, 3], b: \(dtype)[2, 5, 5], c: \(dtype)[2, 5, 5], z: \(dtype)[5, 3]) {
              param zero: \(dtype)[5, 3] = zeros
              a = scatter_add(d0, i, u0)
              b = scatter_add(d1, j, u1, axis: 1)
              c = scatter_add(d1, j, u2, axis: -1)
              z = scatter_add(zero, i, u0)
            }
            """, intRange: -5..<5)
    }

    /// textclf's shape, smaller: rows of 64 into a zero table (a param, as -O2 folds it) and
    /// into a non-zero one, big enough to split over threads.
    @Test func scatterAddEmbeddingRows() throws {
        try expectKernelsMatchReference("""
            graph g(ids: i64[40, 16], rows: f32[40, 16, 64]) -> (zero: f32[300, 64], table: f32[300, 64]) {
              param z: f32[300, 64] = zeros
              param t: f32[300, 64] = uniform(seed: 3)
              zero = scatter_add(z, ids, rows)
              table = scatter_add(t, ids, rows)
            }
            """, intRange: -300..<300)
    }

    @Test(arguments: ["f32", "f64"], ["mean", "sum"])
    func losses(dtype: String, reduction: String) throws {
        for labels in ["i32", "i64"] {
            try expectKernelsMatchReference("""
                graph g(logits: \(dtype)[6, 4, 7], y: \(labels)[6, 4], a: \(dtype)[5, 3], b: \(dtype)[5, 3]) -> (ce: \(dtype)[], bce: \(dtype)[], hard: \(dtype)[], mse: \(dtype)[]) {
                  ce = cross_entropy(logits * 20, y, reduction: \(reduction))
                  bce = binary_cross_entropy(sigmoid(a), sigmoid(b), reduction: \(reduction))
                  hard = binary_cross_entropy(clip(a, min: 0, max: 1), clip(b, min: 0, max: 1), reduction: \(reduction))
                  mse = mse(a, b, reduction: \(reduction))
                }
                """, intRange: 0..<7)
        }
    }

    @Test(arguments: ["i32", "i64"])
    func oneHot(index: String) throws {
        try expectKernelsMatchReference("""
            graph g(y: \(index)[3, 4]) -> (a: f32[3, 4, 6], b: f64[3, 4, 6], c: i32[3, 4, 6], d: i64[3, 4, 6], e: bool[3, 4, 6]) {
              a = one_hot(y, depth: 6)
              b = one_hot(y, depth: 6, dtype: f64)
              c = one_hot(y, depth: 6, dtype: i32)
              d = one_hot(y, depth: 6, dtype: i64)
              e = one_hot(y, depth: 6, dtype: bool)
            }
            """, intRange: 0..<6)
    }

    /// Bad data fails on the kernels with the reference's message, at the op's line.
    @Test func dataErrorsMatchTheReference() throws {
        let cases: [(String, [String: Tensor], String)] = [
            ("graph g(l: f32[2, 3], y: i32[2]) -> (r: f32[]) {\n  r = cross_entropy(l, y)\n}",
             ["l": Tensor.zeros(.f32, shape: [2, 3]), "y": Tensor(shape: [2], scalars: [Int32(-1), 0])],
             "cross_entropy: label -1 is out of range [0, 3)"),
            ("graph g(y: i64[3]) -> (r: f64[3, 4]) {\n  r = one_hot(y, depth: 4, dtype: f64)\n}",
             ["y": Tensor(shape: [3], scalars: [Int64(0), 4, 9])], "one_hot: index 4 is out of range [0, 4)"),
            ("graph g(d: f32[4, 2], i: i32[3], u: f32[3, 2]) -> (r: f32[4, 2]) {\n  r = scatter_add(d, i, u)\n}",
             ["d": Tensor.zeros(.f32, shape: [4, 2]), "i": Tensor(shape: [3], scalars: [Int32(1), -5, 7]), "u": Tensor.zeros(.f32, shape: [3, 2])],
             "scatter_add index -5 is out of range for axis 0 of size 4"),
            ("graph g(p: f64[3], y: f64[3]) -> (r: f64[]) {\n  r = binary_cross_entropy(p, y)\n}",
             ["p": Tensor(shape: [3], scalars: [0.5, 1, 0.25]), "y": Tensor(shape: [3], scalars: [0.5, 1.5, 0.25])],
             "binary_cross_entropy: y 1.5 is out of range [0, 1]"),
        ]
        for (source, inputs, message) in cases {
            let graph = try parseGraph(source)
            let executor = try Executor(graph: graph, parameters: [])
            let interpreter = try Interpreter(graph: graph, parameters: [])
            for run in [executor.run, interpreter.run] as [([String: Tensor]) throws(DiagnosticError) -> [Tensor]] {
                do throws(DiagnosticError) {
                    _ = try run(inputs)
                    Issue.record("expected an error: \(message)")
                } catch {
                    #expect(error.diagnostics.map(\.message) == [message])
                    #expect(error.diagnostics.first?.location.line == 2)
                }
            }
            #expect(executor.fallbackOps.isEmpty)
        }
    }

    /// The graph on one thread against the reference, then on 2 threads (default split and
    /// forced) against one thread, bit for bit; no node may fall back to the reference.
    private func expectKernelsMatchReference(_ source: String, intRange: Range<Int64> = 0..<5,
                                             sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let graph = try parseGraph(source)
        let parameters = try materializeParameters(of: graph, baseDirectory: ".")
        let inputs = randomInputs(graph, intRange: intRange)
        let serial = try Executor(graph: graph, parameters: parameters, parallelism: .serial)
        try expectExecutorMatchesReference(graph, parameters: parameters, inputs, executor: serial, sourceLocation: sourceLocation)
        #expect(serial.fallbackOps.isEmpty, "falls back: \(serial.fallbackOps)", sourceLocation: sourceLocation)
        let expected = try serial.run(inputs)
        for policy in [Parallelism(threads: 2), Parallelism(threads: 2, minimumChunkCost: 1)] {
            let actual = try Executor(graph: graph, parameters: parameters, parallelism: policy).run(inputs)
            #expect(actual == expected, "\(policy.threads) threads (chunk cost \(policy.minimumChunkCost)) differ from one",
                    sourceLocation: sourceLocation)
        }
    }
}
