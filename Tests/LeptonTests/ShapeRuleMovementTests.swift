import Testing
@testable import LeptonIR

private func ints(_ v: [Int]) -> Attribute { .ints(v) }

private let reduce: [ShapeCase] = [
    ShapeCase(.softmax, ["f32[2, 3]"], ["f32[2, 3]"]),
    ShapeCase(.log_softmax, ["f64[N, 3]"], ["axis": .int(0)], ["f64[N, 3]"]),
    ShapeCase(.reduce_sum, ["f32[2, 3, 4]"], ["axes": ints([1])], ["f32[2, 1, 4]"]),
    ShapeCase(.reduce_sum, ["f32[2, 3, 4]"], ["axes": ints([1]), "keepdims": .bool(false)], ["f32[2, 4]"]),
    ShapeCase(.reduce_sum, ["i32[2, 3, 4]"], ["i32[1, 1, 1]"]),
    ShapeCase(.reduce_mean, ["f32[2, 3, 4]"], ["keepdims": .bool(false)], ["f32[]"]),
    ShapeCase(.reduce_mean, ["f32[N, 0, 4]"], ["axes": ints([-2, 0])], ["f32[1, 1, 4]"]),
    ShapeCase(.reduce_max, ["f32[N, 3]"], ["axes": ints([-1]), "keepdims": .bool(false)], ["f32[N]"]),
    ShapeCase(.reduce_min, ["i64[2, 3]"], ["axes": ints([0])], ["i64[1, 3]"]),
    ShapeCase(.reduce_prod, ["f32[]"], ["f32[]"]),
    ShapeCase(.argmax, ["f32[2, 3]"], ["axis": .int(1), "keepdims": .bool(false)], ["i64[2]"]),
    ShapeCase(.argmin, ["i32[2, N]"], ["axis": .int(-1)], ["i64[2, 1]"]),
]

private let movement: [ShapeCase] = [
    ShapeCase(.reshape, ["f32[2, 3, 4]"], ["shape": ints([0, -1])], ["f32[2, 12]"]),
    ShapeCase(.reshape, ["f32[2, 3, 4]"], ["shape": ints([4, -1, 2])], ["f32[4, 3, 2]"]),
    ShapeCase(.reshape, ["f32[N, 3, 4]"], ["shape": ints([0, 12])], ["f32[N, 12]"]),
    ShapeCase(.reshape, ["f32[N, 3, 4]"], ["shape": ints([-1, 12])], ["f32[N, 12]"]),
    ShapeCase(.reshape, ["f32[N, 3, 4]"], ["shape": ints([0, 0, 2, 2])], ["f32[N, 3, 2, 2]"]),
    ShapeCase(.reshape, ["f32[N, T, 6]"], ["shape": ints([0, 0, 2, -1])], ["f32[N, T, 2, 3]"]),
    ShapeCase(.reshape, ["f32[0, 4]"], ["shape": ints([-1, 2])], ["f32[0, 2]"]),
    ShapeCase(.reshape, ["f32[]"], ["shape": ints([1, 1])], ["f32[1, 1]"]),
    ShapeCase(.reshape, ["f32[1, 1]"], ["shape": ints([])], ["f32[]"]),
    ShapeCase(.transpose, ["f32[2, 3, 4]"], ["f32[4, 3, 2]"]),
    ShapeCase(.transpose, ["f32[N, 3, 4]"], ["perm": ints([0, 2, 1])], ["f32[N, 4, 3]"]),
    ShapeCase(.flatten, ["f32[N, 3, 4, 5]"], ["f32[N, 60]"]),
    ShapeCase(.flatten, ["f32[2, 3, 4]"], ["axis": .int(-1)], ["f32[6, 4]"]),
    ShapeCase(.flatten, ["f32[2, 3, 4]"], ["axis": .int(3)], ["f32[24, 1]"]),
    ShapeCase(.flatten, ["f32[N, 1, 1]"], ["axis": .int(0)], ["f32[1, N]"]),
    ShapeCase(.squeeze, ["f32[1, 3, 1, 2]"], ["f32[3, 2]"]),
    ShapeCase(.squeeze, ["f32[1, 3, 1, N]"], ["axes": ints([-2])], ["f32[1, 3, N]"]),
    ShapeCase(.unsqueeze, ["f32[3, 4]"], ["axes": ints([0, -1])], ["f32[1, 3, 4, 1]"]),
    ShapeCase(.unsqueeze, ["f32[N]"], ["axes": ints([1])], ["f32[N, 1]"]),
    ShapeCase(.expand, ["f32[3, 1]"], ["shape": ints([2, 1, 4])], ["f32[2, 3, 4]"]),
    ShapeCase(.expand, ["f32[2, 3, 4]"], ["shape": ints([1, 1])], ["f32[2, 3, 4]"]),
    ShapeCase(.expand, ["f32[N, 1]"], ["shape": ints([5])], ["f32[N, 5]"]),
    ShapeCase(.tile, ["f32[2, 3]"], ["repeats": ints([2, 1])], ["f32[4, 3]"]),
    ShapeCase(.tile, ["f32[N, 3]"], ["repeats": ints([1, 2])], ["f32[N, 6]"]),
    ShapeCase(.tile, ["f32[N, 3]"], ["repeats": ints([0, 2])], ["f32[0, 6]"]),
]

private let indexing: [ShapeCase] = [
    ShapeCase(.concat, ["f32[2, 3]", "f32[4, 3]"], ["axis": .int(0)], ["f32[6, 3]"]),
    ShapeCase(.concat, ["f32[N, 2]", "f32[N, 3]", "f32[N, 0]"], ["axis": .int(-1)], ["f32[N, 5]"]),
    ShapeCase(.concat, ["f32[N, 2]"], ["axis": .int(0)], ["f32[N, 2]"]),
    ShapeCase(.split, ["f32[6, 4]"], ["sizes": ints([2, 4])], ["f32[2, 4]", "f32[4, 4]"]),
    ShapeCase(.split, ["f32[6, 4]"], ["sizes": ints([6, 0])], ["f32[6, 4]", "f32[0, 4]"]),
    ShapeCase(.split, ["f32[6, 4]"], ["parts": .int(3)], ["f32[2, 4]", "f32[2, 4]", "f32[2, 4]"]),
    ShapeCase(.split, ["f32[N, 4]"], ["axis": .int(-1), "parts": .int(2)], ["f32[N, 2]", "f32[N, 2]"]),
    ShapeCase(.split, ["f32[2, 3]"], ["axis": .int(1)], ["f32[2, 1]", "f32[2, 1]", "f32[2, 1]"]),
    ShapeCase(.slice, ["f32[10, 8]"], ["starts": ints([1]), "ends": ints([-1])], ["f32[8, 8]"]),
    ShapeCase(.slice, ["f32[10, 8]"], ["starts": ints([-1]), "ends": ints([-100]), "steps": ints([-2])], ["f32[5, 8]"]),
    ShapeCase(.slice, ["f32[10, 8]"], ["starts": ints([2]), "ends": ints([1000]), "axes": ints([-1]), "steps": ints([3])],
              ["f32[10, 2]"]),
    ShapeCase(.slice, ["f32[10, 8]"], ["starts": ints([5, 7]), "ends": ints([2, 0]), "axes": ints([1, 0])], ["f32[0, 0]"]),
    ShapeCase(.slice, ["f32[N, 8]"], ["starts": ints([0, 4]), "ends": ints([Int.max, 8])], ["f32[N, 4]"]),
    ShapeCase(.slice, ["f32[N, 8]"], ["starts": ints([-1]), "ends": ints([Int.min]), "steps": ints([-1])], ["f32[N, 8]"]),
    ShapeCase(.gather, ["f32[10, 4]", "i64[2, 3]"], ["f32[2, 3, 4]"]),
    ShapeCase(.gather, ["f32[10, 4]", "i32[5]"], ["axis": .int(-1)], ["f32[10, 5]"]),
    ShapeCase(.gather, ["i64[V, D]", "i64[]"], ["i64[D]"]),
    ShapeCase(.pad, ["f32[2, 3]"], ["pads": ints([1, 0, 1, 2])], ["f32[4, 5]"]),
    ShapeCase(.pad, ["f32[2, 3]"], ["pads": ints([0, -1, 0, 0])], ["f32[2, 2]"]),
    ShapeCase(.pad, ["f32[2, 3]"], ["pads": ints([1, 2, 1, 2]), "mode": .choice("reflect")], ["f32[4, 7]"]),
    ShapeCase(.pad, ["f32[N, 3]"], ["pads": ints([0, 3, 0, 1]), "mode": .choice("edge")], ["f32[N, 7]"]),
]

private let sequence: [ShapeCase] = [
    ShapeCase(.lstm, ["f32[5, N, 10]", "f32[1, 80, 10]", "f32[1, 80, 20]", "f32[1, 160]"], ["hidden_size": .int(20)],
              ["f32[5, 1, N, 20]", "f32[1, N, 20]", "f32[1, N, 20]"]),
    ShapeCase(.lstm, ["f32[T, 3, 4]", "f32[2, 8, 4]", "f32[2, 8, 2]", "f32[2, 16]", "f32[2, 3, 2]", "f32[2, 3, 2]"],
              ["hidden_size": .int(2), "direction": .choice("bidirectional")],
              ["f32[T, 2, 3, 2]", "f32[2, 3, 2]", "f32[2, 3, 2]"]),
    ShapeCase(.lstm, ["f64[5, 2, 3]", "f64[1, 4, 3]", "f64[1, 4, 1]"], ["hidden_size": .int(1), "direction": .choice("reverse")],
              ["f64[5, 1, 2, 1]", "f64[1, 2, 1]", "f64[1, 2, 1]"]),
    ShapeCase(.gru, ["f32[5, 2, 10]", "f32[1, 60, 10]", "f32[1, 60, 20]"], ["hidden_size": .int(20)],
              ["f32[5, 1, 2, 20]", "f32[1, 2, 20]"]),
    ShapeCase(.gru, ["f32[5, B, 3]", "f32[2, 6, 3]", "f32[2, 6, 2]", "f32[2, 12]", "f32[2, B, 2]"],
              ["hidden_size": .int(2), "direction": .choice("bidirectional"), "linear_before_reset": .bool(true)],
              ["f32[5, 2, B, 2]", "f32[2, B, 2]"]),
]

let shapeCases2 = reduce + movement + indexing + sequence

@Test(arguments: shapeCases2)
func shapeRuleAcceptsMovement(_ c: ShapeCase) throws {
    #expect(try infer(c.op, c.inputs, c.attributes) == c.expected)
}
