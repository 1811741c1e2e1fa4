import Foundation
import Testing
@testable import LeptonReference

/// Hand-computed cases for the tricky semantics of the elementwise, linear-algebra and
/// reduction kernels (numpy goldens cover the bulk elsewhere).
@Suite struct ReferenceKernelTests {
    @Test func broadcastingAlignsFromTheRight() throws {
        let sum = try evaluate1(.add, [f32([2, 1], [1, 2]), f32([3], [10, 20, 30])])
        expectClose(sum, [2, 3], [11, 21, 31, 12, 22, 32])
        let difference = try evaluate1(.sub, [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([2, 1], [1, 4])])
        expectClose(difference, [2, 3], [0, 1, 2, 0, 1, 2])
        let scaled = try evaluate1(.mul, [f32([], [2]), f32([1, 2, 2], [1, 2, 3, 4])])
        expectClose(scaled, [1, 2, 2], [2, 4, 6, 8])
        let middle = try evaluate1(.add, [f32([2, 1, 2], [0, 1, 2, 3]), f32([3, 1], [10, 20, 30])])
        expectClose(middle, [2, 3, 2], [10, 11, 20, 21, 30, 31, 12, 13, 22, 23, 32, 33])
    }

    @Test func emptyTensorsFlowThrough() throws {
        #expect(try evaluate1(.add, [f32([0, 3], []), f32([3], [1, 2, 3])]).shape == [0, 3])
        #expect(try evaluate1(.exp, [f32([2, 0], [])]).shape == [2, 0])
        expectClose(try evaluate1(.reduce_sum, [f32([2, 0], [])], ["axes": .ints([1])]), [2, 1], [0, 0])
        expectClose(try evaluate1(.reduce_max, [f32([2, 0], [])], ["axes": .ints([1]), "keepdims": .bool(false)]),
                    [2], [-.infinity, -.infinity])
        expectClose(try evaluate1(.matmul, [f32([2, 0], []), f32([0, 3], [])]), [2, 3], Array(repeating: 0, count: 6))
        #expect(try evaluate1(.softmax, [f32([0, 4], [])]).shape == [0, 4])
        #expect(try evaluate1(.transpose, [f32([0, 2], [])]).shape == [2, 0])
        #expect(try evaluate1(.concat, [f32([0, 2], []), f32([1, 2], [1, 2])], ["axis": .int(0)]).shape == [1, 2])
        #expect(try evaluate1(.gather, [f32([3, 2], [1, 2, 3, 4, 5, 6]), i64([0], [])]).shape == [0, 2])
        #expect(try evaluate1(.conv2d, [f32([0, 1, 3, 3], []), f32([2, 1, 2, 2], Array(repeating: 1, count: 8))]).shape == [0, 2, 2, 2])
    }

    @Test func integerDivisionTruncatesAndRejectsZero() throws {
        let quotient = try evaluate1(.div, [i64([4], [7, -7, 7, -7]), i64([4], [2, 2, -2, -2])])
        #expect(quotient == i64([4], [3, -3, -3, 3]))
        #expect(throws: KernelError.self) { try evaluate1(.div, [i32([2], [1, 2]), i32([2], [1, 0])]) }
        #expect(try evaluate1(.pow, [i64([3], [2, 3, -2]), i64([], [3])]) == i64([3], [8, 27, -8]))
        #expect(throws: KernelError.self) { try evaluate1(.pow, [i64([1], [2]), i64([1], [-1])]) }
        // Integer overflow wraps, as in numpy.
        #expect(try evaluate1(.add, [i32([1], [Int32.max]), i32([1], [1])]) == i32([1], [Int32.min]))
    }

    @Test func comparisonsWithNaNAndWhere() throws {
        let x = f32([3], [1, .nan, 3]), y = f32([3], [1, .nan, 2])
        #expect(try evaluate1(.eq, [x, y]) == Tensor(shape: [3], scalars: [true, false, false]))
        #expect(try evaluate1(.ne, [x, y]) == Tensor(shape: [3], scalars: [false, true, true]))
        #expect(try evaluate1(.gt, [x, y]) == Tensor(shape: [3], scalars: [false, false, true]))
        let cond = Tensor(shape: [2, 1], scalars: [true, false])
        let picked = try evaluate1(.where, [cond, f32([3], [1, 2, 3]), f32([], [0])])
        expectClose(picked, [2, 3], [1, 2, 3, 0, 0, 0])
        expectClose(try evaluate1(.max, [x, f32([], [2])]), [3], [2, .nan, 3])
    }

    @Test func unaryFunctions() throws {
        let x = f32([5], [-1000, -1, 0, 1, 1000])
        expectClose(try evaluate1(.sigmoid, [x]), [5], [0, 0.2689414, 0.5, 0.7310586, 1])
        expectClose(try evaluate1(.softplus, [x]), [5], [0, 0.3132617, 0.6931472, 1.3132617, 1000])
        expectClose(try evaluate1(.gelu, [f32([2], [-1, 1])]), [2], [-0.1586553, 0.8413447])
        expectClose(try evaluate1(.gelu, [f32([2], [-1, 1])], ["approximate": .choice("tanh")]), [2], [-0.1588080, 0.8411920])
        expectClose(try evaluate1(.elu, [f32([2], [-1, 2])], ["alpha": .float(2)]), [2], [2 * (exp(-1) - 1), 2])
        expectClose(try evaluate1(.leaky_relu, [f32([2], [-2, 3])]), [2], [-0.02, 3])
        expectClose(try evaluate1(.clip, [f32([4], [-1, 0.5, 7, .nan])], ["min": .float(0), "max": .float(6)]), [4], [0, 0.5, 6, .nan])
        #expect(try evaluate1(.clip, [i64([3], [-5, 3, 9])], ["min": .float(-1.6), "max": .float(4)]) == i64([3], [-2, 3, 4]))
        #expect(try evaluate1(.relu, [i32([2], [-3, 3])]) == i32([2], [0, 3]))
        #expect(try evaluate1(.abs, [i32([2], [Int32.min, -3])]) == i32([2], [Int32.min, 3]))
        expectClose(try evaluate1(.floor, [f32([2], [-1.5, 1.5])]), [2], [-2, 1])
    }

    @Test func castFollowsNumpy() throws {
        #expect(try evaluate1(.cast, [f32([4], [-2.7, 2.7, .nan, 1e10])], ["to": .dtype(.i32)]) == i32([4], [-2, 2, 0, Int32.max]))
        #expect(try evaluate1(.cast, [i64([2], [0x1_0000_0001, -1])], ["to": .dtype(.i32)]) == i32([2], [1, -1]))
        #expect(try evaluate1(.cast, [f32([3], [0, -0.5, .nan])], ["to": .dtype(.bool)]) == Tensor(shape: [3], scalars: [false, true, true]))
        #expect(try evaluate1(.cast, [Tensor(shape: [2], scalars: [true, false])], ["to": .dtype(.f64)]) == f64([2], [1, 0]))
    }

    @Test func matmulPromotesOneDimensionalOperands() throws {
        expectClose(try evaluate1(.matmul, [f32([3], [1, 2, 3]), f32([3], [4, 5, 6])]), [], [32])
        expectClose(try evaluate1(.matmul, [iota([2, 3]), f32([3], [1, 1, 1])]), [2], [3, 12])
        expectClose(try evaluate1(.matmul, [f32([2], [1, 1]), iota([2, 3])]), [3], [3, 5, 7])
        // Batch dims broadcast: [2, 1, 2, 2] x [3, 2, 2] -> [2, 3, 2, 2].
        let a = iota([2, 1, 2, 2]), b = iota([3, 2, 2])
        let product = try evaluate1(.matmul, [a, b])
        #expect(product.shape == [2, 3, 2, 2])
        // Batch (1, 2): a[1, 0] = [[4, 5], [6, 7]], b[2] = [[8, 9], [10, 11]].
        let values = product.doubles
        let offset = (1 * 3 + 2) * 4
        let expected: [Double] = [4 * 8 + 5 * 10, 4 * 9 + 5 * 11, 6 * 8 + 7 * 10, 6 * 9 + 7 * 11]
        #expect(Array(values[offset..<offset + 4]) == expected)
    }

    @Test func gemmTransposesAndBroadcastsC() throws {
        let a = iota([3, 2]), b = iota([3, 2])
        let result = try evaluate1(.gemm, [a, b, f32([2], [100, 200])],
                                   ["trans_a": .bool(true), "alpha": .float(2), "beta": .float(0.5)])
        // aᵀ = [[0, 2, 4], [1, 3, 5]], b = [[0, 1], [2, 3], [4, 5]]: aᵀb = [[20, 26], [26, 35]].
        expectClose(result, [2, 2], [90, 152, 102, 170])
        expectClose(try evaluate1(.linear, [iota([2, 1, 2]), f32([2, 1], [1, 10]), f32([1], [5])]), [2, 1, 1], [15, 37])
    }

    @Test func reductionsWithNegativeAxes() throws {
        let x = iota([2, 3, 2])
        expectClose(try evaluate1(.reduce_sum, [x], ["axes": .ints([-1]), "keepdims": .bool(false)]), [2, 3], [1, 5, 9, 13, 17, 21])
        expectClose(try evaluate1(.reduce_mean, [x], ["axes": .ints([0, -2])]), [1, 1, 2], [5, 6])
        expectClose(try evaluate1(.reduce_prod, [f32([3], [2, 3, 4])]), [1], [24])
        expectClose(try evaluate1(.reduce_min, [x], ["axes": .ints([1])]), [2, 1, 2], [0, 1, 6, 7])
        #expect(try evaluate1(.reduce_mean, [i64([2], [3, 4])], ["keepdims": .bool(false)]) == i64([], [3]))
    }

    @Test func argmaxTiesAndNaN() throws {
        let x = f32([2, 3], [1, 5, 5, 2, .nan, 2])
        #expect(try evaluate1(.argmax, [x], ["axis": .int(1)]) == i64([2, 1], [1, 1]))
        #expect(try evaluate1(.argmax, [x], ["axis": .int(-1), "select_last_index": .bool(true), "keepdims": .bool(false)]) == i64([2], [2, 1]))
        #expect(try evaluate1(.argmin, [x], ["axis": .int(0), "keepdims": .bool(false)]) == i64([3], [0, 1, 1]))
        #expect(throws: KernelError.self) { try evaluate1(.argmax, [f32([2, 0], [])], ["axis": .int(1)]) }
    }

    @Test func softmaxIsStableForLargeInputs() throws {
        let x = f32([3], [1000, 1001, 1002])
        expectClose(try evaluate1(.softmax, [x]), [3], [0.09003057, 0.24472847, 0.66524096])
        expectClose(try evaluate1(.log_softmax, [x]), [3], [-2.40760596, -1.40760596, -0.40760596])
        let columns = try evaluate1(.softmax, [f32([2, 2], [0, -1000, 0, -1000])], ["axis": .int(0)])
        expectClose(columns, [2, 2], [0.5, 0.5, 0.5, 0.5])
        expectClose(try evaluate1(.softmax, [f32([2], [-.infinity, 0])]), [2], [0, 1])
    }
}
