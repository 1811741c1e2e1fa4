import Testing
import LeptonTensor

/// Finite-difference checks of the convolution, pooling, gather and loss gradients: strides,
/// asymmetric pads, dilations, groups, the padding modes, ceil_mode, repeated gather indices.
@Suite struct GradientCheckConvTests {
    @Test(arguments: [
        "strides: [2, 2], pads: [1, 0, 1, 1], group: 2",
        "padding: same",
        "dilations: [2, 1], pads: [2, 1, 1, 1]",
        "strides: [2, 1], padding: same_lower, group: 2",
        "padding: valid, strides: [1, 2]",
    ])
    func conv2d(_ attributes: String) throws {
        let perGroup = attributes.contains("group: 2") ? 2 : 4
        try GradientCheck().run("""
            graph g(x: f64[2, 4, 5, 6], w: f64[4, \(perGroup), 3, 2], b: f64[4]) -> (y) { y = conv2d(x, w, b, \(attributes)) }
            """)
    }

    @Test func depthwiseConv() throws {
        try GradientCheck().run("graph g(x: f64[1, 3, 4, 4], w: f64[3, 1, 3, 3]) -> (y) { y = conv2d(x, w, group: 3, pads: [1, 1, 1, 1]) }")
    }

    @Test(arguments: ["strides: [2, 2], pads: [1, 1, 0, 0], output_padding: [1, 0]", "padding: same, strides: [2, 2]",
                      "dilations: [1, 2], group: 2"])
    func convTranspose(_ attributes: String) throws {
        try GradientCheck().run("""
            graph g(x: f64[1, 2, 3, 3], w: f64[2, 2, 3, 2], b: f64[4]) -> (y) { y = conv_transpose2d(x, w, b, \(attributes)) }
            """.replacingOccurrences(of: "b: f64[4]", with: attributes.contains("group") ? "b: f64[4]" : "b: f64[2]"))
    }

    @Test(arguments: ["kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]", "kernel: [2, 2], strides: [2, 2], ceil_mode: true",
                      "kernel: [2, 3], dilations: [2, 1]", "kernel: [3, 3], padding: same"])
    func maxPool(_ attributes: String) throws {
        try GradientCheck().run("graph g(x: f64[1, 2, 5, 5]) -> (y) { y = max_pool2d(x, \(attributes)) }")
    }

    @Test(arguments: ["kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1]",
                      "kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: true",
                      "kernel: [2, 2], strides: [2, 2], ceil_mode: true", "kernel: [3, 2], padding: same"])
    func averagePool(_ attributes: String) throws {
        try GradientCheck().run("graph g(x: f64[1, 2, 5, 5]) -> (y) { y = avg_pool2d(x, \(attributes)) }")
    }

    @Test func globalAveragePool() throws {
        try GradientCheck().run("graph g(x: f64[2, 3, 2, 3]) -> (y) { y = global_avg_pool(x) }")
    }

    @Test func gatherWithRepeatedIndices() throws {
        let indices = Tensor(shape: [2, 2], scalars: [Int64(1), 3, 1, -1])
        try GradientCheck(inputs: ["i": indices]).run("graph g(t: f64[5, 3], i: i64[2, 2]) -> (y) { y = gather(t, i) }")
        try GradientCheck(inputs: ["i": Tensor(shape: [3], scalars: [Int64(0), 2, 0])])
            .run("graph g(t: f64[2, 3], i: i64[3]) -> (y) { y = gather(t, i, axis: 1) }")
    }

    @Test func scatterAdd() throws {
        try GradientCheck(inputs: ["i": Tensor(shape: [3], scalars: [Int64(1), 1, 0])])
            .run("graph g(d: f64[2, 3], i: i64[3], u: f64[3, 3]) -> (y) { y = scatter_add(d, i, u) }")
    }

    @Test func crossEntropy() throws {
        let labels = Tensor(shape: [4], scalars: [Int64(2), 0, 1, 2])
        try GradientCheck(inputs: ["y": labels], range: -2...2).run("graph g(z: f64[4, 3], y: i64[4]) -> (l) { l = cross_entropy(z, y) }")
        try GradientCheck(inputs: ["y": Tensor(shape: [2, 2], scalars: [Int64(0), 1, 1, 1])])
            .run("graph g(z: f64[2, 2, 3], y: i64[2, 2]) -> (l) { l = cross_entropy(z, y, reduction: sum) }")
    }

    @Test func binaryCrossEntropyAndMSE() throws {
        var check = GradientCheck()
        check.ranges = ["p": 0.1...0.9, "y": 0...1]
        try check.run("graph g(p: f64[3, 2], y: f64[3, 2]) -> (l) { l = binary_cross_entropy(p, y) }")
        try check.run("graph g(p: f64[3, 2], y: f64[3, 2]) -> (l) { l = mse(p, y) }")
        try check.run("graph g(p: f64[3, 2], y: f64[3, 2]) -> (l) { l = mse(p, y, reduction: sum) }")
    }
}
