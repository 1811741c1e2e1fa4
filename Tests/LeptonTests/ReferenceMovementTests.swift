import Testing
@testable import LeptonReference

/// Hand-computed cases for the shape and data-movement kernels.
@Suite struct ReferenceMovementTests {
    @Test func sliceClampsAndStepsBackwards() throws {
        let x = iota([10])
        expectClose(try evaluate1(.slice, [x], ["starts": .ints([-1]), "ends": .ints([-11]), "steps": .ints([-2])]), [5], [9, 7, 5, 3, 1])
        expectClose(try evaluate1(.slice, [x], ["starts": .ints([2]), "ends": .ints([1000])]), [8], [2, 3, 4, 5, 6, 7, 8, 9])
        expectClose(try evaluate1(.slice, [x], ["starts": .ints([20]), "ends": .ints([0]), "steps": .ints([-3])]), [3], [9, 6, 3])
        expectClose(try evaluate1(.slice, [x], ["starts": .ints([5]), "ends": .ints([2])]), [0], [])
        let grid = iota([3, 4])
        let corner = try evaluate1(.slice, [grid], ["starts": .ints([-1, 1]), "ends": .ints([Int.min, 3]), "axes": .ints([0, -1]), "steps": .ints([-1, 1])])
        expectClose(corner, [3, 2], [9, 10, 5, 6, 1, 2])
    }

    @Test func gatherTakesNegativeIndicesAndReportsRange() throws {
        let data = f32([3, 2], [1, 2, 3, 4, 5, 6])
        expectClose(try evaluate1(.gather, [data, i64([2], [-1, 0])]), [2, 2], [5, 6, 1, 2])
        expectClose(try evaluate1(.gather, [data, i32([2, 2], [1, -2, 0, 0])], ["axis": .int(1)]), [3, 2, 2], [2, 1, 1, 1, 4, 3, 3, 3, 6, 5, 5, 5])
        expectClose(try evaluate1(.gather, [data, i64([], [1])]), [2], [3, 4])
        do {
            _ = try evaluate1(.gather, [f32([5], [1, 2, 3, 4, 5]), i64([2], [1, 7])])
            Issue.record("expected an error")
        } catch let error as KernelError {
            #expect(error.message == "gather index 7 is out of range for axis 0 of size 5")
        }
    }

    @Test func padModes() throws {
        let x = f32([3], [1, 2, 3])
        expectClose(try evaluate1(.pad, [x], ["pads": .ints([2, 2]), "mode": .choice("reflect")]), [7], [3, 2, 1, 2, 3, 2, 1])
        expectClose(try evaluate1(.pad, [x], ["pads": .ints([2, 1]), "mode": .choice("edge")]), [6], [1, 1, 1, 2, 3, 3])
        expectClose(try evaluate1(.pad, [x], ["pads": .ints([1, 0]), "value": .float(9)]), [4], [9, 1, 2, 3])
        expectClose(try evaluate1(.pad, [x], ["pads": .ints([-1, 1])]), [3], [2, 3, 0])
        let grid = f32([2, 2], [1, 2, 3, 4])
        expectClose(try evaluate1(.pad, [grid], ["pads": .ints([1, 0, 0, 1]), "mode": .choice("reflect")]), [3, 3], [3, 4, 3, 1, 2, 1, 3, 4, 3])
        #expect(try evaluate1(.pad, [i64([1], [5])], ["pads": .ints([1, 1]), "value": .float(-2)]) == i64([3], [-2, 5, -2]))
    }

    @Test func reshapingOps() throws {
        let x = iota([2, 3, 4])
        #expect(try evaluate1(.reshape, [x], ["shape": .ints([0, -1])]).shape == [2, 12])
        #expect(try evaluate1(.reshape, [x], ["shape": .ints([-1, 4])]).shape == [6, 4])
        #expect(try evaluate1(.flatten, [x], ["axis": .int(-1)]).shape == [6, 4])
        #expect(try evaluate1(.flatten, [x], ["axis": .int(0)]).shape == [1, 24])
        #expect(try evaluate1(.flatten, [x], ["axis": .int(3)]).shape == [24, 1])
        let ones = iota([1, 3, 1])
        #expect(try evaluate1(.squeeze, [ones]).shape == [3])
        #expect(try evaluate1(.squeeze, [ones], ["axes": .ints([-1])]).shape == [1, 3])
        #expect(try evaluate1(.unsqueeze, [iota([3, 4])], ["axes": .ints([0, -1])]).shape == [1, 3, 4, 1])
        #expect(try evaluate1(.unsqueeze, [iota([3])], ["axes": .ints([1])]).shape == [3, 1])
    }

    @Test func transposeConcatSplit() throws {
        let x = iota([2, 3])
        expectClose(try evaluate1(.transpose, [x]), [3, 2], [0, 3, 1, 4, 2, 5])
        let cube = iota([2, 1, 3])
        expectClose(try evaluate1(.transpose, [cube], ["perm": .ints([2, 0, -2])]), [3, 2, 1], [0, 3, 1, 4, 2, 5])
        expectClose(try evaluate1(.concat, [x, iota([2, 1], from: 10)], ["axis": .int(-1)]), [2, 4], [0, 1, 2, 10, 3, 4, 5, 11])
        let pieces = try evaluate(.split, [iota([5, 2])], ["parts": .int(3)])
        #expect(pieces.map(\.shape) == [[2, 2], [2, 2], [1, 2]])
        expectClose(pieces[2], [1, 2], [8, 9])
        let sized = try evaluate(.split, [x], ["axis": .int(1), "sizes": .ints([1, 2])])
        expectClose(sized[0], [2, 1], [0, 3])
        expectClose(sized[1], [2, 2], [1, 2, 4, 5])
        #expect(try evaluate(.split, [iota([3])]).count == 3)
    }

    @Test func expandAndTile() throws {
        expectClose(try evaluate1(.expand, [f32([3, 1], [1, 2, 3])], ["shape": .ints([2, 1, 2])]), [2, 3, 2],
                    [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
        // ONNX Expand broadcasts both ways: a 1 in `shape` keeps the input's dim.
        #expect(try evaluate1(.expand, [iota([2, 3])], ["shape": .ints([1, 1])]).shape == [2, 3])
        expectClose(try evaluate1(.tile, [iota([2, 2])], ["repeats": .ints([1, 2])]), [2, 4], [0, 1, 0, 1, 2, 3, 2, 3])
        #expect(try evaluate1(.tile, [iota([2])], ["repeats": .ints([0])]).shape == [0])
    }

    @Test func constantAndIdentity() throws {
        let literal = f32([2], [1.5, 2.5])
        #expect(try evaluate1(.constant, [], ["value": .tensor(literal), "dtype": .dtype(.f32)]) == literal)
        #expect(try evaluate1(.constant, [], ["value": .tensor(literal), "dtype": .dtype(.f64)]) == f64([2], [1.5, 2.5]))
        #expect(try evaluate1(.identity, [literal]) == literal)
    }
}
