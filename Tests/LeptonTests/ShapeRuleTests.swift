import Testing
@testable import LeptonIR

/// One accepted application of an op and the types it must infer.
struct ShapeCase: Sendable, CustomTestStringConvertible {
    var op: Op
    var inputs: [String]
    var attributes: [String: Attribute]
    var expected: [String]

    init(_ op: Op, _ inputs: [String], _ attributes: [String: Attribute], _ expected: [String]) {
        self.op = op
        self.inputs = inputs
        self.attributes = attributes
        self.expected = expected
    }

    init(_ op: Op, _ inputs: [String], _ expected: [String]) {
        self.init(op, inputs, [:], expected)
    }

    var testDescription: String { "\(op)(\(inputs.joined(separator: ", ")), \(attributes)) -> \(expected)" }
}

private let floatUnary: [ShapeCase] = [Op.exp, .log, .sqrt, .rsqrt, .reciprocal, .sigmoid, .tanh, .softplus, .erf,
                                       .gelu, .leaky_relu, .elu, .floor, .ceil].map { ShapeCase($0, ["f32[2, N]"], ["f32[2, N]"]) }

private let elementwise: [ShapeCase] = floatUnary + [
    ShapeCase(.log, ["f64[0]"], ["f64[0]"]),
    ShapeCase(.gelu, ["f32[3]"], ["approximate": .choice("tanh")], ["f32[3]"]),
    ShapeCase(.neg, ["i32[3]"], ["i32[3]"]),
    ShapeCase(.abs, ["i64[2, 2]"], ["i64[2, 2]"]),
    ShapeCase(.relu, ["f32[N, 4]"], ["f32[N, 4]"]),
    ShapeCase(.clip, ["i32[2]"], ["min": .float(0), "max": .float(6)], ["i32[2]"]),
    ShapeCase(.identity, ["bool[2]"], ["bool[2]"]),
    ShapeCase(.cast, ["f32[2, 3]"], ["to": .dtype(.i64)], ["i64[2, 3]"]),
    ShapeCase(.cast, ["bool[]"], ["to": .dtype(.f64)], ["f64[]"]),
    ShapeCase(.add, ["f32[2, 3]", "f32[3]"], ["f32[2, 3]"]),
    ShapeCase(.sub, ["f32[N, 1]", "f32[1, 4]"], ["f32[N, 4]"]),
    ShapeCase(.mul, ["i32[]", "i32[5]"], ["i32[5]"]),
    ShapeCase(.div, ["f32[N, 3]", "f32[N, 3]"], ["f32[N, 3]"]),
    ShapeCase(.pow, ["f32[2]", "f32[]"], ["f32[2]"]),
    ShapeCase(.max, ["f32[0, 3]", "f32[1, 3]"], ["f32[0, 3]"]),
    ShapeCase(.min, ["f64[2, 1]", "f64[3]"], ["f64[2, 3]"]),
    ShapeCase(.eq, ["bool[2]", "bool[2]"], ["bool[2]"]),
    ShapeCase(.ne, ["i64[2]", "i64[1]"], ["bool[2]"]),
    ShapeCase(.lt, ["f32[2, 3]", "f32[3]"], ["bool[2, 3]"]),
    ShapeCase(.le, ["i32[N]", "i32[N]"], ["bool[N]"]),
    ShapeCase(.gt, ["f64[]", "f64[]"], ["bool[]"]),
    ShapeCase(.ge, ["f32[4, 1]", "f32[1, 5]"], ["bool[4, 5]"]),
    ShapeCase(.and, ["bool[2, 1]", "bool[3]"], ["bool[2, 3]"]),
    ShapeCase(.or, ["bool[2]", "bool[]"], ["bool[2]"]),
    ShapeCase(.xor, ["bool[N]", "bool[N]"], ["bool[N]"]),
    ShapeCase(.not, ["bool[4]"], ["bool[4]"]),
    ShapeCase(.where, ["bool[2, 1]", "f32[3]", "f32[1]"], ["f32[2, 3]"]),
    ShapeCase(.constant, [], ["value": .tensor(Tensor(shape: [2, 2], scalars: [Float](repeating: 1, count: 4))),
                              "dtype": .dtype(.f32)], ["f32[2, 2]"]),
    ShapeCase(.constant, [], ["value": .tensor(Tensor(scalar: Int64(3))), "dtype": .dtype(.i64)], ["i64[]"]),
]

private let linalg: [ShapeCase] = [
    ShapeCase(.matmul, ["f32[4, 3]", "f32[3, 5]"], ["f32[4, 5]"]),
    ShapeCase(.matmul, ["f32[2, 1, 4, 3]", "f32[5, 3, 6]"], ["f32[2, 5, 4, 6]"]),
    ShapeCase(.matmul, ["f32[3]", "f32[3, 5]"], ["f32[5]"]),
    ShapeCase(.matmul, ["f32[2, 4, 3]", "f32[3]"], ["f32[2, 4]"]),
    ShapeCase(.matmul, ["f32[3]", "f32[3]"], ["f32[]"]),
    ShapeCase(.matmul, ["f32[N, K]", "f32[K, M]"], ["f32[N, M]"]),
    ShapeCase(.matmul, ["i64[B, 2, 0]", "i64[0, 3]"], ["i64[B, 2, 3]"]),
    ShapeCase(.gemm, ["f32[4, 3]", "f32[3, 5]"], ["f32[4, 5]"]),
    ShapeCase(.gemm, ["f32[3, 4]", "f32[3, 5]", "f32[5]"], ["trans_a": .bool(true)], ["f32[4, 5]"]),
    ShapeCase(.gemm, ["f32[4, 3]", "f32[5, 3]", "f32[4, 1]"], ["trans_b": .bool(true)], ["f32[4, 5]"]),
    ShapeCase(.gemm, ["f32[N, 3]", "f32[3, 5]", "f32[]"], ["f32[N, 5]"]),
    ShapeCase(.linear, ["f32[N, T, 4]", "f32[4, 8]", "f32[8]"], ["f32[N, T, 8]"]),
    ShapeCase(.linear, ["f32[4]", "f32[4, 2]"], ["f32[2]"]),
]

private func ints(_ v: [Int]) -> Attribute { .ints(v) }

private let conv: [ShapeCase] = [
    ShapeCase(.conv2d, ["f32[1, 3, 32, 32]", "f32[8, 3, 3, 3]"], ["pads": ints([1, 1, 1, 1])], ["f32[1, 8, 32, 32]"]),
    ShapeCase(.conv2d, ["f32[1, 3, 32, 32]", "f32[8, 3, 3, 3]", "f32[8]"], ["strides": ints([2, 2])], ["f32[1, 8, 15, 15]"]),
    ShapeCase(.conv2d, ["f32[1, 3, 32, 31]", "f32[8, 3, 3, 3]"], ["strides": ints([2, 2]), "padding": .choice("same")],
              ["f32[1, 8, 16, 16]"]),
    ShapeCase(.conv2d, ["f32[1, 3, 32, 31]", "f32[8, 3, 3, 3]"], ["strides": ints([2, 2]), "padding": .choice("same_lower")],
              ["f32[1, 8, 16, 16]"]),
    ShapeCase(.conv2d, ["f32[1, 3, 32, 32]", "f32[8, 3, 3, 3]"], ["padding": .choice("valid"), "pads": ints([5, 5, 5, 5])],
              ["f32[1, 8, 30, 30]"]),
    ShapeCase(.conv2d, ["f32[1, 3, 32, 32]", "f32[8, 3, 3, 3]"], ["dilations": ints([2, 1])], ["f32[1, 8, 28, 30]"]),
    ShapeCase(.conv2d, ["f32[1, 3, 7, 9]", "f32[8, 3, 3, 1]"], ["pads": ints([1, 0, 2, 0]), "strides": ints([2, 3])],
              ["f32[1, 8, 4, 3]"]),
    ShapeCase(.conv2d, ["f32[1, 4, 8, 8]", "f32[8, 2, 3, 3]"], ["group": .int(2)], ["f32[1, 8, 6, 6]"]),
    ShapeCase(.conv2d, ["f32[1, 4, 8, 8]", "f32[4, 1, 3, 3]", "f32[4]"], ["group": .int(4)], ["f32[1, 4, 6, 6]"]),
    ShapeCase(.conv2d, ["f32[N, 3, H, W]", "f32[8, 3, 3, 3]"], ["pads": ints([1, 1, 1, 1])], ["f32[N, 8, H, W]"]),
    ShapeCase(.conv2d, ["f32[N, 3, H, W]", "f32[8, 3, 5, 5]"], ["padding": .choice("same_lower")], ["f32[N, 8, H, W]"]),
    ShapeCase(.conv2d, ["f64[N, C, H, 5]", "f64[8, C, 1, 3]"], ["f64[N, 8, H, 3]"]),
    ShapeCase(.conv2d, ["f32[0, 3, 4, 4]", "f32[8, 3, 3, 3]"], ["f32[0, 8, 2, 2]"]),
    ShapeCase(.conv_transpose2d, ["f32[1, 4, 5, 5]", "f32[4, 2, 3, 3]"], ["strides": ints([2, 2])], ["f32[1, 2, 11, 11]"]),
    ShapeCase(.conv_transpose2d, ["f32[1, 4, 5, 5]", "f32[4, 2, 3, 3]", "f32[2]"],
              ["strides": ints([2, 2]), "output_padding": ints([1, 0])], ["f32[1, 2, 12, 11]"]),
    ShapeCase(.conv_transpose2d, ["f32[1, 4, 5, 5]", "f32[4, 2, 3, 3]"],
              ["strides": ints([2, 2]), "pads": ints([1, 1, 1, 1]), "output_padding": ints([1, 1])], ["f32[1, 2, 10, 10]"]),
    ShapeCase(.conv_transpose2d, ["f32[1, 4, 5, 6]", "f32[4, 2, 3, 3]"], ["strides": ints([2, 2]), "padding": .choice("same")],
              ["f32[1, 2, 10, 12]"]),
    ShapeCase(.conv_transpose2d, ["f32[1, 4, 5, 5]", "f32[4, 3, 3, 3]"], ["group": .int(2)], ["f32[1, 6, 7, 7]"]),
    ShapeCase(.conv_transpose2d, ["f32[N, 4, H, W]", "f32[4, 2, 3, 3]"], ["pads": ints([1, 1, 1, 1])], ["f32[N, 2, H, W]"]),
    ShapeCase(.conv_transpose2d, ["f32[1, 4, 3, 3]", "f32[4, 2, 3, 3]"], ["dilations": ints([2, 2])], ["f32[1, 2, 7, 7]"]),
]

private let pool: [ShapeCase] = [
    ShapeCase(.max_pool2d, ["f32[1, 1, 5, 5]"], ["kernel": ints([2, 2]), "strides": ints([2, 2])], ["f32[1, 1, 2, 2]"]),
    ShapeCase(.max_pool2d, ["f32[1, 1, 5, 5]"], ["kernel": ints([2, 2]), "strides": ints([2, 2]), "ceil_mode": .bool(true)],
              ["f32[1, 1, 3, 3]"]),
    // ceil_mode drops a last window that would start inside the end padding.
    ShapeCase(.max_pool2d, ["f32[1, 1, 4, 4]"],
              ["kernel": ints([2, 2]), "strides": ints([2, 2]), "pads": ints([0, 0, 1, 1]), "ceil_mode": .bool(true)],
              ["f32[1, 1, 2, 2]"]),
    ShapeCase(.max_pool2d, ["i32[1, 1, 5, 5]"], ["kernel": ints([2, 2]), "dilations": ints([2, 2])], ["i32[1, 1, 3, 3]"]),
    ShapeCase(.max_pool2d, ["f32[1, 1, 5, 6]"], ["kernel": ints([3, 3]), "strides": ints([2, 2]), "padding": .choice("same")],
              ["f32[1, 1, 3, 3]"]),
    ShapeCase(.max_pool2d, ["f32[N, C, H, W]"], ["kernel": ints([3, 3]), "pads": ints([1, 1, 1, 1])], ["f32[N, C, H, W]"]),
    ShapeCase(.avg_pool2d, ["f32[2, 3, 4, 4]"], ["kernel": ints([2, 2]), "strides": ints([2, 2])], ["f32[2, 3, 2, 2]"]),
    ShapeCase(.avg_pool2d, ["f32[2, 3, 6, 6]"], ["kernel": ints([3, 3]), "strides": ints([2, 2]), "ceil_mode": .bool(true)],
              ["f32[2, 3, 3, 3]"]),
    ShapeCase(.avg_pool2d, ["f32[1, 1, 5, 5]"], ["kernel": ints([2, 2]), "padding": .choice("valid")], ["f32[1, 1, 4, 4]"]),
    ShapeCase(.avg_pool2d, ["f32[1, 1, 5, 5]"], ["kernel": ints([2, 2]), "strides": ints([2, 2]), "padding": .choice("same_lower")],
              ["f32[1, 1, 3, 3]"]),
    ShapeCase(.global_avg_pool, ["f32[N, C, 7, 7]"], ["f32[N, C, 1, 1]"]),
    ShapeCase(.global_avg_pool, ["f64[2, 3, 4]"], ["f64[2, 3, 1]"]),
    ShapeCase(.batch_norm, ["f32[2, 3, 4, 4]", "f32[3]", "f32[3]", "f32[3]", "f32[3]"], ["f32[2, 3, 4, 4]"]),
    ShapeCase(.batch_norm, ["f32[N, C]", "f32[C]", "f32[C]", "f32[C]", "f32[C]"], ["f32[N, C]"]),
    ShapeCase(.layer_norm, ["f32[2, 5, 8]", "f32[8]", "f32[8]"], ["f32[2, 5, 8]"]),
    ShapeCase(.layer_norm, ["f32[N, 5, 8]", "f32[5, 8]"], ["axis": .int(1)], ["f32[N, 5, 8]"]),
    ShapeCase(.instance_norm, ["f32[2, 3, 4, 4]", "f32[3]", "f32[3]"], ["f32[2, 3, 4, 4]"]),
]

let shapeCases1 = elementwise + linalg + conv + pool

@Test(arguments: shapeCases1)
func shapeRuleAccepts(_ c: ShapeCase) throws {
    #expect(try infer(c.op, c.inputs, c.attributes) == c.expected)
}

@Test func everyOpHasAnAcceptedCase() {
    // `fused` takes its result types from its body region, not from a shape rule.
    let covered = Set((elementwise + linalg + conv + pool + shapeCases2 + shapeCasesTraining).map(\.op) + [.fused])
    #expect(Set(Op.allCases).subtracting(covered).isEmpty, "\(Set(Op.allCases).subtracting(covered))")
}
