import Foundation
import Testing
@testable import LeptonReference

/// Hand-computed cases for the training ops' reference kernels (gradient helpers and losses),
/// and their run-time errors. ReferenceAdjointTests checks the gradients against the forward ops.
@Suite struct ReferenceTrainingOpTests {
    @Test func scatterAddAccumulatesRepeatedAndNegativeIndices() throws {
        let data = f32([4, 2], [1, 2, 3, 4, 5, 6, 7, 8])
        let updates = f32([3, 2], [10, 20, 30, 40, 50, 60])
        expectClose(try evaluate1(.scatter_add, [data, i64([3], [2, -1, 2]), updates]), [4, 2], [1, 2, 3, 4, 65, 86, 37, 48])
        // Along axis 1 with 2-D indices: updates is [2] + [2, 2].
        let along = try evaluate1(.scatter_add, [f64([2, 3], Array(repeating: 0, count: 6)), i32([2, 2], [0, 2, 2, 2]),
                                                 f64([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])], ["axis": .int(1)])
        expectClose(along, [2, 3], [1, 0, 9, 5, 0, 21])
        // Scalar index: one slice.
        expectClose(try evaluate1(.scatter_add, [f32([3], [1, 1, 1]), i64([], [1]), f32([], [5])]), [3], [1, 6, 1])
    }

    /// In index order: 1e8 + 1 rounds back to 1e8 in f32, so the result is 0; pairing the two
    /// large updates first would give 1.
    @Test func scatterAddAccumulatesInIndexOrder() throws {
        let result = try evaluate1(.scatter_add, [f32([1], [0]), i64([3], [0, 0, 0]), f32([3], [1e8, 1, -1e8])])
        #expect(result == f32([1], [0]))
    }

    @Test func scatterAddReportsIndexOutOfRange() {
        let data = f32([4, 2], Array(repeating: 0, count: 8))
        for (index, message) in [(4, "scatter_add index 4 is out of range for axis 0 of size 4"),
                                 (-5, "scatter_add index -5 is out of range for axis 0 of size 4")] {
            #expect(kernelError(.scatter_add, [data, i64([2], [0, Int64(index)]), f32([2, 2], [1, 1, 1, 1])]) == message)
        }
    }

    @Test func oneHotRowsAndDTypes() throws {
        let labels = i64([2, 2], [0, 2, 1, 0])
        expectClose(try evaluate1(.one_hot, [labels], ["depth": .int(3)]), [2, 2, 3], [1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0])
        #expect(try evaluate1(.one_hot, [i32([2], [3, 0])], ["depth": .int(4), "dtype": .dtype(.i64)])
            == i64([2, 4], [0, 0, 0, 1, 1, 0, 0, 0]))
        #expect(try evaluate1(.one_hot, [i32([], [1])], ["depth": .int(2), "dtype": .dtype(.f64)]) == f64([2], [0, 1]))
    }

    @Test func oneHotReportsBadLabels() {
        #expect(kernelError(.one_hot, [i64([2], [3, 12])], ["depth": .int(10)]) == "one_hot: index 12 is out of range [0, 10)")
        #expect(kernelError(.one_hot, [i32([1], [-1])], ["depth": .int(10)]) == "one_hot: index -1 is out of range [0, 10)")
    }

    /// Overlapping 2x2 windows with ties: each window's gradient goes to its first maximal
    /// position in row-major order, and shared maxima accumulate.
    @Test func maxPoolGradRoutesToFirstMaximum() throws {
        let x = f32([1, 1, 3, 3], [1, 3, 3, 2, 3, 0, 0, 1, 2])
        let dy = f32([1, 1, 2, 2], [1, 10, 100, 1000])
        expectClose(try evaluate1(.max_pool2d_grad, [x, dy], ["kernel": .ints([2, 2])]), [1, 1, 3, 3], [0, 11, 0, 0, 1100, 0, 0, 0, 0])
        // The picks are where max_pool2d's values come from.
        expectClose(try evaluate1(.max_pool2d, [x], ["kernel": .ints([2, 2])]), [1, 1, 2, 2], [3, 3, 3, 3])
    }

    /// Negative values with padding all round: the padding never wins, never gets gradient.
    @Test func maxPoolGradSkipsPadding() throws {
        let x = f64([1, 1, 2, 2], [-1, -2, -3, -4])
        let dy = f64([1, 1, 3, 3], Array(repeating: 1, count: 9))
        let attributes: [String: Attribute] = ["kernel": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]
        expectClose(try evaluate1(.max_pool2d_grad, [x, dy], attributes), [1, 1, 2, 2], [4, 2, 2, 1])
    }

    @Test func maxPoolGradFollowsNaN() throws {
        let x = f32([1, 1, 1, 3], [1, .nan, 5])
        let result = try evaluate1(.max_pool2d_grad, [x, f32([1, 1, 1, 1], [2])], ["kernel": .ints([1, 3])])
        expectClose(result, [1, 1, 1, 3], [0, 2, 0])
    }

    /// ceil_mode without pads: the last windows are cut short and divide by what they cover,
    /// with count_include_pad or without (positions past the input never count).
    @Test func avgPoolGradCeilMode() throws {
        let x = f64([1, 1, 3, 3], Array(repeating: 0, count: 9))
        let dy = f64([1, 1, 2, 2], [4, 2, 6, 5])
        for include in [false, true] {
            let attributes: [String: Attribute] = ["kernel": .ints([2, 2]), "strides": .ints([2, 2]), "ceil_mode": .bool(true),
                                                   "count_include_pad": .bool(include)]
            expectClose(try evaluate1(.avg_pool2d_grad, [x, dy], attributes), [1, 1, 3, 3], [1, 1, 1, 1, 1, 1, 3, 3, 5])
        }
    }

    /// Every window holds one input element and three padding cells.
    @Test func avgPoolGradCountIncludePad() throws {
        let x = f32([1, 1, 2, 2], [7, 7, 7, 7])
        let dy = f32([1, 1, 2, 2], [4, 8, 12, 16])
        var attributes: [String: Attribute] = ["kernel": .ints([2, 2]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1])]
        expectClose(try evaluate1(.avg_pool2d_grad, [x, dy], attributes), [1, 1, 2, 2], [4, 8, 12, 16])
        attributes["count_include_pad"] = .bool(true)
        expectClose(try evaluate1(.avg_pool2d_grad, [x, dy], attributes), [1, 1, 2, 2], [1, 2, 3, 4])
    }

    /// 4x4, kernel 3, stride 2, pads 1, ceil_mode: per axis the windows cover input rows
    /// {0, 1}, {1, 2, 3}, {3} and padded extents 3, 3, 2 (the last window stops at the end
    /// padding). dx sums 1/divisor over the windows holding each element.
    @Test func avgPoolGradCeilModeWithPads() throws {
        let x = f64([1, 1, 4, 4], Array(repeating: 0, count: 16))
        let dy = f64([1, 1, 3, 3], Array(repeating: 1, count: 9))
        var attributes: [String: Attribute] = ["kernel": .ints([3, 3]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]),
                                               "ceil_mode": .bool(true)]
        let excluded: [Double] = [1 / 4, 5 / 12, 1 / 6, 2 / 3, 5 / 12, 25 / 36, 5 / 18, 10 / 9,
                                  1 / 6, 5 / 18, 1 / 9, 4 / 9, 2 / 3, 10 / 9, 4 / 9, 16 / 9]
        expectClose(try evaluate1(.avg_pool2d_grad, [x, dy], attributes), [1, 1, 4, 4], excluded, tolerance: 1e-12)
        attributes["count_include_pad"] = .bool(true)
        let included: [Double] = [1 / 9, 2 / 9, 1 / 9, 5 / 18, 2 / 9, 4 / 9, 2 / 9, 5 / 9,
                                  1 / 9, 2 / 9, 1 / 9, 5 / 18, 5 / 18, 5 / 9, 5 / 18, 25 / 36]
        expectClose(try evaluate1(.avg_pool2d_grad, [x, dy], attributes), [1, 1, 4, 4], included, tolerance: 1e-12)
    }

    @Test func convWeightGradPlain() throws {
        let x = iota([1, 1, 3, 3])
        let dy = f32([1, 1, 2, 2], [1, 1, 1, 1])
        expectClose(try evaluate1(.conv2d_weight_grad, [x, dy], ["kernel": .ints([2, 2])]), [1, 1, 2, 2], [8, 12, 20, 24])
    }

    /// Stride 2, pads 1, dilation 2, group 2 on x[1, 2, 4, 4] (channel 0 holds r·4 + c, channel 1
    /// 100 + r·4 + c): dW[o, 0, i, j] = Σ dy[0, o, y, x]·x[o, 2y + 2i − 1, 2x + 2j − 1].
    @Test func convWeightGradStridedDilatedGrouped() throws {
        let x = f32([1, 2, 4, 4], (0..<16).map { Float($0) } + (0..<16).map { 100 + Float($0) })
        let dy = f32([1, 2, 2, 2], [1, 0, 0, 0, 1, 0, 0, 2])
        let attributes: [String: Attribute] = ["kernel": .ints([2, 2]), "strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]),
                                               "dilations": .ints([2, 2]), "group": .int(2)]
        // o = 0: only dy(0, 0), which reaches the image at tap (1, 1): x0[1, 1] = 5.
        // o = 1: dy(0, 0) gives x1[1, 1] = 105 at (1, 1); 2·dy(1, 1) gives 2·x1[1 + 2i, 1 + 2j].
        expectClose(try evaluate1(.conv2d_weight_grad, [x, dy], attributes), [2, 1, 2, 2], [0, 0, 0, 5, 210, 214, 226, 335])
    }

    @Test func crossEntropyMeanAndSum() throws {
        let logits = f64([2, 3], [1, 2, 3, 1, 1, 1])
        let labels = i64([2], [2, 0])
        let losses = [Foundation.log(1 + Foundation.exp(-1.0) + Foundation.exp(-2.0)), Foundation.log(3.0)]
        expectClose(try evaluate1(.cross_entropy, [logits, labels]), [], [(losses[0] + losses[1]) / 2], tolerance: 1e-12)
        expectClose(try evaluate1(.cross_entropy, [logits, labels], ["reduction": .choice("sum")]), [], [losses[0] + losses[1]],
                    tolerance: 1e-12)
    }

    /// Max-subtracted: e^1000 would overflow, the loss is still exactly 1000.
    @Test func crossEntropyIsStable() throws {
        #expect(try evaluate1(.cross_entropy, [f32([1, 2], [1000, 0]), i32([1], [1])]) == Tensor(scalar: Float(1000)))
        #expect(try evaluate1(.cross_entropy, [f32([2], [-1000, 0]), i32([], [1])]) == Tensor(scalar: Float(0)))
    }

    @Test func crossEntropyReportsBadLabels() {
        let logits = f32([2, 10], Array(repeating: 0, count: 20))
        #expect(kernelError(.cross_entropy, [logits, i64([2], [3, 12])]) == "cross_entropy: label 12 is out of range [0, 10)")
        #expect(kernelError(.cross_entropy, [logits, i32([2], [-1, 0])]) == "cross_entropy: label -1 is out of range [0, 10)")
    }

    /// p = 0 or 1 with the opposite target costs 100 each (the clamped log), not infinity.
    @Test func binaryCrossEntropyClampsLogs() throws {
        let p = f64([4], [0.5, 0.9, 0, 1]), y = f64([4], [1, 0, 1, 0])
        let sum = Foundation.log(2.0) - Foundation.log(0.1) + 200
        expectClose(try evaluate1(.binary_cross_entropy, [p, y], ["reduction": .choice("sum")]), [], [sum], tolerance: 1e-12)
        expectClose(try evaluate1(.binary_cross_entropy, [p, y]), [], [sum / 4], tolerance: 1e-12)
        // Confident and right costs nothing.
        #expect(try evaluate1(.binary_cross_entropy, [f32([2], [0, 1]), f32([2], [0, 1])]) == Tensor(scalar: Float(0)))
    }

    @Test func binaryCrossEntropyReportsValuesOutsideZeroOne() {
        #expect(kernelError(.binary_cross_entropy, [f32([2], [0.5, 1.5]), f32([2], [0, 1])])
            == "binary_cross_entropy: p 1.5 is out of range [0, 1]")
        #expect(kernelError(.binary_cross_entropy, [f64([1], [0.5]), f64([1], [-0.5])])
            == "binary_cross_entropy: y -0.5 is out of range [0, 1]")
        #expect(kernelError(.binary_cross_entropy, [f32([1], [.nan]), f32([1], [0])])
            == "binary_cross_entropy: p nan is out of range [0, 1]")
    }

    @Test func meanSquaredError() throws {
        let pred = f32([3], [1, 2, 3]), target = f32([3], [1, 0, 5])
        expectClose(try evaluate1(.mse, [pred, target]), [], [8.0 / 3], tolerance: 1e-7)
        expectClose(try evaluate1(.mse, [pred, target], ["reduction": .choice("sum")]), [], [8])
        // No elements: the sum is 0 and the mean 0/0.
        expectClose(try evaluate1(.mse, [f64([0], []), f64([0], [])]), [], [.nan])
        expectClose(try evaluate1(.mse, [f64([0], []), f64([0], [])], ["reduction": .choice("sum")]), [], [0])
    }

    /// The KernelError message `op` throws on these operands (nil when it does not throw).
    private func kernelError(_ op: Op, _ inputs: [Tensor], _ attributes: [String: Attribute] = [:]) -> String? {
        do {
            _ = try evaluate(op, inputs, attributes)
            return nil
        } catch let error as KernelError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }
}
