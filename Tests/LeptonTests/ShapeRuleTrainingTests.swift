import Testing
@testable import LeptonIR

// Shape rules of the training ops (gradient helpers and losses): accepted applications,
// symbolic dims flowing through, and the messages of rejected ones.

private func ints(_ v: [Int]) -> Attribute { .ints(v) }

private let pool2x2: [String: Attribute] = ["kernel": ints([2, 2]), "strides": ints([2, 2])]

let shapeCasesTraining: [ShapeCase] = [
    ShapeCase(.scatter_add, ["f32[5, 3]", "i64[2, 2]", "f32[2, 2, 3]"], ["f32[5, 3]"]),
    ShapeCase(.scatter_add, ["f64[2, 4, 3]", "i32[5]", "f64[2, 4, 5]"], ["axis": .int(-1)], ["f64[2, 4, 3]"]),
    ShapeCase(.scatter_add, ["f32[V, D]", "i64[N]", "f32[N, D]"], ["f32[V, D]"]),
    ShapeCase(.scatter_add, ["f32[V, D]", "i64[]", "f32[D]"], ["f32[V, D]"]),
    ShapeCase(.one_hot, ["i64[N, 3]"], ["depth": .int(10)], ["f32[N, 3, 10]"]),
    ShapeCase(.one_hot, ["i32[]"], ["depth": .int(4), "dtype": .dtype(.f64)], ["f64[4]"]),
    ShapeCase(.max_pool2d_grad, ["f32[1, 1, 5, 5]", "f32[1, 1, 2, 2]"], pool2x2, ["f32[1, 1, 5, 5]"]),
    ShapeCase(.max_pool2d_grad, ["f32[N, C, H, W]", "f32[N, C, H, W]"], ["kernel": ints([3, 3]), "pads": ints([1, 1, 1, 1])],
              ["f32[N, C, H, W]"]),
    ShapeCase(.avg_pool2d_grad, ["f64[2, 3, 6, 6]", "f64[2, 3, 3, 3]"],
              ["kernel": ints([3, 3]), "strides": ints([2, 2]), "ceil_mode": .bool(true)], ["f64[2, 3, 6, 6]"]),
    ShapeCase(.avg_pool2d_grad, ["f32[1, 1, 5, 6]", "f32[1, 1, 3, 3]"],
              ["kernel": ints([3, 3]), "strides": ints([2, 2]), "padding": .choice("same")], ["f32[1, 1, 5, 6]"]),
    ShapeCase(.conv2d_weight_grad, ["f32[2, 4, 7, 7]", "f32[2, 6, 3, 3]"],
              ["kernel": ints([3, 3]), "strides": ints([2, 2]), "pads": ints([1, 1, 1, 1]), "dilations": ints([2, 2]),
               "group": .int(2)], ["f32[6, 2, 3, 3]"]),
    ShapeCase(.conv2d_weight_grad, ["f32[N, C, H, W]", "f32[N, 8, H, W]"], ["kernel": ints([3, 3]), "pads": ints([1, 1, 1, 1])],
              ["f32[8, C, 3, 3]"]),
    ShapeCase(.conv2d_weight_grad, ["f64[1, 3, 5, 4]", "f64[1, 2, 4, 2]"], ["kernel": ints([2, 3])], ["f64[2, 3, 2, 3]"]),
    ShapeCase(.cross_entropy, ["f32[N, 10]", "i64[N]"], ["f32[]"]),
    ShapeCase(.cross_entropy, ["f64[2, 5, 7]", "i32[2, 5]"], ["reduction": .choice("sum")], ["f64[]"]),
    ShapeCase(.cross_entropy, ["f32[10]", "i64[]"], ["f32[]"]),
    ShapeCase(.binary_cross_entropy, ["f32[N, 1]", "f32[N, 1]"], ["f32[]"]),
    ShapeCase(.mse, ["f64[2, 3]", "f64[2, 3]"], ["reduction": .choice("sum")], ["f64[]"]),
]

@Test(arguments: shapeCasesTraining)
func shapeRuleAcceptsTraining(_ c: ShapeCase) throws {
    #expect(try infer(c.op, c.inputs, c.attributes) == c.expected)
}

private let trainingMessages: [ShapeErrorCase] = [
    ShapeErrorCase(.scatter_add, ["f32[5, 3]", "i64[2]", "f32[2, 4]"],
                   "scatter_add expects updates of shape gather(data, indices, axis: 0) = [2, 3], got [2, 4]", operand: 2),
    ShapeErrorCase(.scatter_add, ["f32[V, D]", "i64[N]", "f32[M, D]"],
                   "scatter_add expects updates of shape gather(data, indices, axis: 0) = [N, D], got [M, D]", operand: 2),
    ShapeErrorCase(.scatter_add, ["f32[5, 3]", "f32[2]", "f32[2, 3]"], "scatter_add expects integer indices (i32 or i64), got f32",
                   operand: 1),
    ShapeErrorCase(.scatter_add, ["i64[5, 3]", "i64[2]", "i64[2, 3]"], "scatter_add expects a floating-point data, got i64", operand: 0),
    ShapeErrorCase(.scatter_add, ["f32[5, 3]", "i64[2]", "f64[2, 3]"], "scatter_add expects data and updates of one dtype, got f32 and f64",
                   operand: 2),
    ShapeErrorCase(.scatter_add, ["f32[5]", "i64[2]", "f32[2]"], ["axis": .int(1)],
                   "scatter_add axis 1 is out of range for rank 1 (expected -1 to 0)"),
    ShapeErrorCase(.one_hot, ["f32[3]"], ["depth": .int(4)], "one_hot expects integer indices (i32 or i64), got f32", operand: 0),
    ShapeErrorCase(.one_hot, ["i64[3]"], ["depth": .int(0)], "one_hot depth must be positive, got 0"),
    ShapeErrorCase(.max_pool2d_grad, ["f32[1, 1, 5, 5]", "f32[1, 1, 3, 3]"], pool2x2,
                   "max_pool2d_grad expects dy of shape max_pool2d(x) = [1, 1, 2, 2], got [1, 1, 3, 3]", operand: 1),
    ShapeErrorCase(.max_pool2d_grad, ["i32[1, 1, 4, 4]", "i32[1, 1, 2, 2]"], pool2x2,
                   "max_pool2d_grad expects a floating-point x, got i32", operand: 0),
    ShapeErrorCase(.avg_pool2d_grad, ["f32[1, 1, 4, 4]", "f64[1, 1, 2, 2]"], pool2x2,
                   "avg_pool2d_grad expects x and dy of one dtype, got f32 and f64", operand: 1),
    ShapeErrorCase(.avg_pool2d_grad, ["f32[N, 1, 4, 4]", "f32[M, 1, 2, 2]"], pool2x2,
                   "avg_pool2d_grad expects dy of shape avg_pool2d(x) = [N, 1, 2, 2], got [M, 1, 2, 2]", operand: 1),
    ShapeErrorCase(.avg_pool2d_grad, ["f32[1, 1, H, 4]", "f32[1, 1, 2, 2]"], pool2x2,
                   "avg_pool2d_grad needs a known size for dimension 2 (H), got symbol 'H'", operand: 0),
    ShapeErrorCase(.max_pool2d_grad, ["f32[1, 4, 4]", "f32[1, 2, 2]"], pool2x2,
                   "max_pool2d_grad expects x of rank 4 [N, C, H, W], got [1, 4, 4]", operand: 0),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[1, 3, 8, 8]", "f32[1, 4, 8, 8]"], ["kernel": ints([3, 3])],
                   "conv2d_weight_grad expects dy of shape conv2d(x) = [1, 4, 6, 6], got [1, 4, 8, 8]", operand: 1),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[2, 3, 8, 8]", "f32[1, 4, 6, 6]"], ["kernel": ints([3, 3])],
                   "conv2d_weight_grad expects x and dy of one batch size, got [2, 3, 8, 8] and [1, 4, 6, 6]", operand: 1),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[1, 3, 8, 8]", "f32[1, 4, 6, 6]"], ["kernel": ints([3, 3]), "group": .int(2)],
                   "conv2d_weight_grad input has 3 channels, not divisible by group 2", operand: 0),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[1, 4, 8, 8]", "f32[1, 3, 6, 6]"], ["kernel": ints([3, 3]), "group": .int(2)],
                   "conv2d_weight_grad dy has 3 channels, not divisible by group 2", operand: 1),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[1, 4, 8, 8]", "f32[1, 4, 6, 6]"], ["kernel": ints([3, 3]), "group": .int(0)],
                   "conv2d_weight_grad group must be positive, got 0"),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[1, 3, 8, 8]", "f32[1, 4, 6, 6]"], ["kernel": ints([3])],
                   "conv2d_weight_grad expects 2 kernel sizes, got 1 ([3])"),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[1, 3, 8, 8]", "f32[1, 4, 6]"], ["kernel": ints([3, 3])],
                   "conv2d_weight_grad expects dy of rank 4 [N, O, Ho, Wo], got [1, 4, 6]", operand: 1),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[1, 3, H, 8]", "f32[1, 4, 3, 3]"], ["kernel": ints([3, 3]), "strides": ints([2, 2])],
                   "conv2d_weight_grad needs a known size for dimension 2 (H), got symbol 'H'", operand: 0),
    ShapeErrorCase(.conv2d_weight_grad, ["f32[1, 3, 8, 8]", "f64[1, 4, 6, 6]"], ["kernel": ints([3, 3])],
                   "conv2d_weight_grad expects x and dy of one dtype, got f32 and f64", operand: 1),
    ShapeErrorCase(.cross_entropy, ["f32[4, 10]", "i64[5]"], "cross_entropy expects labels of shape logits.shape[..<-1] = [4], got [5]",
                   operand: 1),
    ShapeErrorCase(.cross_entropy, ["f32[4, 10]", "f32[4]"], "cross_entropy expects integer labels (i32 or i64), got f32", operand: 1),
    ShapeErrorCase(.cross_entropy, ["i64[4, 10]", "i64[4]"], "cross_entropy expects a floating-point logits, got i64", operand: 0),
    ShapeErrorCase(.cross_entropy, ["f32[]", "i64[]"], "cross_entropy expects logits of rank 1 or more [B..., C], got []", operand: 0),
    ShapeErrorCase(.binary_cross_entropy, ["f32[4]", "f32[4, 1]"], "binary_cross_entropy expects p and y of one shape, got [4] and [4, 1]",
                   operand: 1),
    ShapeErrorCase(.mse, ["f32[4]", "f64[4]"], "mse expects pred and target of one dtype, got f32 and f64", operand: 1),
    ShapeErrorCase(.mse, ["f32[N]", "f32[M]"], "mse expects pred and target of one shape, got [N] and [M]", operand: 1),
    ShapeErrorCase(.mse, ["f32[4]"], "mse expects 2 operands, got 1"),
]

@Test(arguments: trainingMessages)
func shapeRuleMessageTraining(_ c: ShapeErrorCase) {
    let error = shapeError(c.op, c.inputs, c.attributes)
    #expect(error?.message == c.message)
    #expect(error?.operand == c.operand)
}
