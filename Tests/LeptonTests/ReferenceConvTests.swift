import Testing
@testable import LeptonReference

/// Hand-computed cases for convolution, pooling and normalization.
@Suite struct ReferenceConvTests {
    private let ones3x3 = f32([1, 1, 3, 3], Array(repeating: 1, count: 9))

    @Test func convolutionBasics() throws {
        let x = iota([1, 1, 3, 3], from: 1)
        expectClose(try evaluate1(.conv2d, [x, f32([1, 1, 2, 2], [1, 1, 1, 1])]), [1, 1, 2, 2], [12, 16, 24, 28])
        // Groups: each channel has its own 1x1 filter; bias per output channel.
        let grouped = try evaluate1(.conv2d, [iota([1, 2, 2, 2]), f32([2, 1, 1, 1], [2, 3]), f32([2], [1, -1])], ["group": .int(2)])
        expectClose(grouped, [1, 2, 2, 2], [1, 3, 5, 7, 11, 14, 17, 20])
    }

    @Test func convolutionSamePadding() throws {
        let x = iota([1, 1, 4, 4])
        // Stride 2, kernel 3 on 4: one pad row/column in total, at the end (same) or the start.
        let upper = try evaluate1(.conv2d, [x, ones3x3], ["strides": .ints([2, 2]), "padding": .choice("same")])
        expectClose(upper, [1, 1, 2, 2], [45, 39, 66, 50])
        let lower = try evaluate1(.conv2d, [x, ones3x3], ["strides": .ints([2, 2]), "padding": .choice("same_lower")])
        expectClose(lower, [1, 1, 2, 2], [10, 24, 51, 90])
        let explicit = try evaluate1(.conv2d, [x, ones3x3], ["pads": .ints([1, 0, 0, 0])])
        expectClose(explicit, [1, 1, 3, 2], [18, 24, 45, 54, 81, 90])
        let dilated = try evaluate1(.conv2d, [iota([1, 1, 3, 3]), f32([1, 1, 2, 2], [1, 1, 1, 1])], ["dilations": .ints([2, 2])])
        expectClose(dilated, [1, 1, 1, 1], [0 + 2 + 6 + 8])
    }

    @Test func convTransposeScattersKernels() throws {
        let x = f32([1, 1, 2, 2], [1, 2, 3, 4]), w = f32([1, 1, 2, 2], [1, 1, 1, 1])
        expectClose(try evaluate1(.conv_transpose2d, [x, w]), [1, 1, 3, 3], [1, 3, 2, 4, 10, 6, 3, 7, 4])
        expectClose(try evaluate1(.conv_transpose2d, [x, w], ["strides": .ints([2, 2])]), [1, 1, 4, 4],
                    [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
        expectClose(try evaluate1(.conv_transpose2d, [x, w], ["pads": .ints([1, 1, 1, 1])]), [1, 1, 1, 1], [10])
        let padded = try evaluate1(.conv_transpose2d, [x, w, f32([1], [0.5])], ["strides": .ints([2, 2]), "output_padding": .ints([1, 0])])
        #expect(padded.shape == [1, 1, 5, 4])
        #expect(Array(padded.doubles.suffix(4)) == [0.5, 0.5, 0.5, 0.5])
        // Kernel 3, stride 2 on 2x2 gives 5x5; `same` keeps 4x4 by cropping the end, same_lower the start.
        let w3 = ones3x3
        let upper = try evaluate1(.conv_transpose2d, [x, w3], ["strides": .ints([2, 2]), "padding": .choice("same")])
        #expect(upper.shape == [1, 1, 4, 4])
        expectClose(try evaluate1(.slice, [upper], ["starts": .ints([0]), "ends": .ints([1]), "axes": .ints([2])]), [1, 1, 1, 4], [1, 1, 3, 2])
        let lower = try evaluate1(.conv_transpose2d, [x, w3], ["strides": .ints([2, 2]), "padding": .choice("same_lower")])
        expectClose(try evaluate1(.slice, [lower], ["starts": .ints([0]), "ends": .ints([1]), "axes": .ints([2])]), [1, 1, 1, 4], [1, 3, 2, 2])
    }

    /// conv_transpose2d is the adjoint of conv2d: <conv(x), y> = <x, conv_transpose(y)>, with
    /// groups, strides, dilations and asymmetric pads all in play.
    @Test func convTransposeIsTheAdjointOfConv() throws {
        let x = randomF64([2, 4, 7, 7], seed: 1), w = randomF64([6, 2, 3, 3], seed: 2)
        let attributes: [String: Attribute] = ["strides": .ints([2, 2]), "dilations": .ints([2, 2]),
                                               "pads": .ints([1, 0, 1, 2]), "group": .int(2)]
        let y = try evaluate1(.conv2d, [x, w], attributes)
        #expect(y.shape == [2, 6, 3, 3])
        let v = randomF64(y.shape, seed: 3)
        let back = try evaluate1(.conv_transpose2d, [v, w], attributes)
        #expect(back.shape == x.shape)
        let left = zip(y.doubles, v.doubles).reduce(0) { $0 + $1.0 * $1.1 }
        let right = zip(x.doubles, back.doubles).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(left - right) < 1e-9 * max(1, abs(left)))
    }

    @Test func poolingCeilModeAndPadCounting() throws {
        let x = iota([1, 1, 4, 4], from: 1)
        let window: [String: Attribute] = ["kernel": .ints([3, 3]), "strides": .ints([2, 2]), "ceil_mode": .bool(true)]
        expectClose(try evaluate1(.max_pool2d, [x], window), [1, 1, 2, 2], [11, 12, 15, 16])
        expectClose(try evaluate1(.avg_pool2d, [x], window), [1, 1, 2, 2], [6, 7.5, 12, 13.5])
        // Positions past the end padding never count, even with count_include_pad.
        var including = window
        including["count_include_pad"] = .bool(true)
        expectClose(try evaluate1(.avg_pool2d, [x], including), [1, 1, 2, 2], [6, 7.5, 12, 13.5])
        expectClose(try evaluate1(.max_pool2d, [x], ["kernel": .ints([3, 3]), "strides": .ints([2, 2])]), [1, 1, 1, 1], [11])
        let padded: [String: Attribute] = ["kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]
        expectClose(try evaluate1(.avg_pool2d, [ones3x3], padded), [1, 1, 3, 3], Array(repeating: 1, count: 9))
        var counted = padded
        counted["count_include_pad"] = .bool(true)
        expectClose(try evaluate1(.avg_pool2d, [ones3x3], counted), [1, 1, 3, 3], [4, 6, 4, 6, 9, 6, 4, 6, 4].map { $0 / 9 })
    }

    @Test func poolingDropsWindowsStartingInPadding() throws {
        let row = iota([1, 1, 1, 5], from: 1)
        let pooled = try evaluate1(.max_pool2d, [row], ["kernel": .ints([1, 2]), "strides": .ints([1, 2]),
                                                         "pads": .ints([0, 1, 0, 1]), "ceil_mode": .bool(true)])
        expectClose(pooled, [1, 1, 1, 3], [1, 3, 5])
        let dilated = try evaluate1(.max_pool2d, [f32([1, 1, 1, 5], [1, 5, 2, 4, 3])], ["kernel": .ints([1, 2]), "dilations": .ints([1, 2])])
        expectClose(dilated, [1, 1, 1, 3], [2, 5, 3])
        expectClose(try evaluate1(.global_avg_pool, [iota([1, 2, 2, 2])]), [1, 2, 1, 1], [1.5, 5.5])
    }

    @Test func normalizations() throws {
        let x = f32([1, 2, 1, 2], [1, 2, 3, 4])
        let batch = try evaluate1(.batch_norm, [x, f32([2], [1, 2]), f32([2], [0, 1]), f32([2], [1, 3]), f32([2], [4, 1])],
                                  ["epsilon": .float(0)])
        expectClose(batch, [1, 2, 1, 2], [0, 0.5, 1, 3])
        let scale = 1 / (1 + 1e-5).squareRoot()
        let layer = try evaluate1(.layer_norm, [f32([2, 2], [1, 3, 2, 2]), f32([2], [1, 1])])
        expectClose(layer, [2, 2], [-scale, scale, 0, 0])
        let whole = try evaluate1(.layer_norm, [f32([2, 2], [1, 3, 1, 3]), f32([2, 2], [1, 2, 3, 4]), f32([2, 2], [0, 0, 0, 1])],
                                  ["axis": .int(0), "epsilon": .float(0)])
        expectClose(whole, [2, 2], [-1, 2, -3, 5])
        let instance = try evaluate1(.instance_norm, [f32([1, 2, 1, 2], [1, 3, 5, 5]), f32([2], [2, 1]), f32([2], [0, 1])])
        expectClose(instance, [1, 2, 1, 2], [-2 * scale, 2 * scale, 1, 1])
    }
}
