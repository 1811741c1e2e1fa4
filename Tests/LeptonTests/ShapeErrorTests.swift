import Testing
@testable import LeptonIR

private func ints(_ v: [Int]) -> Attribute { .ints(v) }

/// A rejected application: its message (exact, or how it starts) and the operand at fault.
struct ShapeErrorCase: Sendable, CustomTestStringConvertible {
    var op: Op
    var inputs: [String]
    var attributes: [String: Attribute]
    var message: String
    var operand: Int?

    init(_ op: Op, _ inputs: [String], _ attributes: [String: Attribute], _ message: String, operand: Int? = nil) {
        (self.op, self.inputs, self.attributes, self.message, self.operand) = (op, inputs, attributes, message, operand)
    }

    init(_ op: Op, _ inputs: [String], _ message: String, operand: Int? = nil) {
        self.init(op, inputs, [:], message, operand: operand)
    }

    var testDescription: String { "\(op)(\(inputs.joined(separator: ", "))): \(message)" }
}

/// Messages checked word for word: the ones users see most.
private let exactMessages: [ShapeErrorCase] = [
    ShapeErrorCase(.add, ["f32[2, 3]", "f32[4]"], "add cannot broadcast [2, 3] with [4]: dimension -1 is 3 vs 4"),
    ShapeErrorCase(.add, ["f32[2]", "i32[2]"], "add expects x and y of one dtype, got f32 and i32", operand: 1),
    ShapeErrorCase(.add, ["f32[2]"], "add expects 2 operands, got 1"),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]"], "conv2d expects 2 to 3 operands, got 1"),
    ShapeErrorCase(.concat, [], ["axis": .int(0)], "concat expects at least 1 operand, got 0"),
    ShapeErrorCase(.exp, ["i32[2]"], "exp expects a floating-point x, got i32", operand: 0),
    ShapeErrorCase(.matmul, ["f32[4, 3]", "f32[4, 5]"],
                   "matmul expects [..., M, K] x [..., K, N], got [4, 3] x [4, 5]: inner dimensions 3 and 4 differ"),
    ShapeErrorCase(.matmul, ["f32[N, K]", "f32[M, 2]"],
                   "matmul expects [..., M, K] x [..., K, N], got [N, K] x [M, 2]: inner dimensions K and M differ"),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 4, 3, 3]"],
                   "conv2d input has 3 channels but w expects 4 (w[M, C/group, kH, kW] = [8, 4, 3, 3], group 1)", operand: 1),
    ShapeErrorCase(.conv2d, ["f32[1, 3, H, W]", "f32[8, 3, 3, 3]"], ["strides": ints([2, 2])],
                   "conv2d needs a known size for dimension 2 (H), got symbol 'H'", operand: 0),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 3, 3]"], ["strides": ints([1, 1, 1])],
                   "conv2d expects 2 strides, got 3 ([1, 1, 1])"),
    ShapeErrorCase(.softmax, ["f32[2, 3]"], ["axis": .int(2)], "softmax axis 2 is out of range for rank 2 (expected -2 to 1)"),
    ShapeErrorCase(.reduce_sum, ["f32[2, 3, 4]"], ["axes": ints([1, -2])], "reduce_sum axes [1, -2] name dimension 1 twice"),
    ShapeErrorCase(.reshape, ["f32[2, 3]"], ["shape": ints([4, 2])],
                   "reshape cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)"),
    ShapeErrorCase(.squeeze, ["f32[2, 3]"], ["axes": ints([1])],
                   "squeeze cannot remove dimension 1 of [2, 3]: its size is 3, not 1", operand: 0),
    ShapeErrorCase(.gather, ["f32[4, 2]", "f32[3]"], "gather expects integer indices (i32 or i64), got f32", operand: 1),
    ShapeErrorCase(.lstm, ["f32[5, 2, 10]", "f32[1, 80, 12]", "f32[1, 80, 20]"], ["hidden_size": .int(20)],
                   "lstm expects w of shape [dirs, 4*hidden_size, input_size] = [1, 80, 10], got [1, 80, 12] "
                   + "(hidden_size 20, direction forward)", operand: 1),
    ShapeErrorCase(.constant, [], ["value": .tensor(Tensor(scalar: Float(1))), "dtype": .dtype(.f64)],
                   "constant value holds f32 but dtype is f64"),
]

/// Messages checked by their start: that the rule rejects, and names the op and the problem.
private let rejected: [ShapeErrorCase] = [
    ShapeErrorCase(.add, ["f32[N]", "f32[M]"], "add cannot broadcast [N] with [M]"),
    ShapeErrorCase(.add, ["bool[2]", "bool[2]"], "add expects a numeric x", operand: 0),
    ShapeErrorCase(.neg, ["bool[2]"], "neg expects a numeric x", operand: 0),
    ShapeErrorCase(.gelu, ["i64[2]"], "gelu expects a floating-point x", operand: 0),
    ShapeErrorCase(.lt, ["bool[2]", "bool[2]"], "lt expects a numeric x", operand: 0),
    ShapeErrorCase(.eq, ["f32[2]", "f64[2]"], "eq expects x and y of one dtype", operand: 1),
    ShapeErrorCase(.and, ["bool[2]", "f32[2]"], "and expects a bool y", operand: 1),
    ShapeErrorCase(.not, ["i32[2]"], "not expects a bool x", operand: 0),
    ShapeErrorCase(.where, ["f32[2]", "f32[2]", "f32[2]"], "where expects a bool cond", operand: 0),
    ShapeErrorCase(.where, ["bool[2]", "f32[2]", "f64[2]"], "where expects x and y of one dtype", operand: 2),
    ShapeErrorCase(.where, ["bool[3]", "f32[2]", "f32[2]"], "where cannot broadcast [3] with [2]"),
    ShapeErrorCase(.matmul, ["f32[]", "f32[3]"], "matmul expects operands of rank 1 or more", operand: 0),
    ShapeErrorCase(.matmul, ["f32[2, 4, 3]", "f32[3, 3, 5]"], "matmul cannot broadcast the batch dimensions"),
    ShapeErrorCase(.gemm, ["f32[4, 3]", "f32[4, 5]"], "gemm expects A[M, K] x B[K, N]"),
    ShapeErrorCase(.gemm, ["f32[4, 3]", "f32[3, 5]", "f32[4]"], "gemm cannot broadcast c [4] to [4, 5]", operand: 2),
    ShapeErrorCase(.gemm, ["f32[4, 3, 1]", "f32[3, 5]"], "gemm expects a of rank 2", operand: 0),
    ShapeErrorCase(.linear, ["f32[2, 3]", "f32[4, 5]"], "linear expects x[..., K] and w[K, N]", operand: 1),
    ShapeErrorCase(.linear, ["f32[2, 4]", "f32[4, 5]", "f32[4]"], "linear expects b of shape [N] = [5]", operand: 2),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 2, 2]", "f32[8, 3, 3, 3]"], "conv2d output dimension 2 (H) would be empty", operand: 0),
    ShapeErrorCase(.conv2d, ["f32[1, 4, 8, 8]", "f32[6, 1, 3, 3]"], ["group": .int(4)],
                   "conv2d has 6 output channels, not divisible by group 4", operand: 1),
    ShapeErrorCase(.conv2d, ["f32[1, 4, 8, 8]", "f32[8, 1, 3, 3]"], ["group": .int(2)],
                   "conv2d input has 4 channels but w expects 2", operand: 1),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 3, 3]"], ["group": .int(0)], "conv2d group must be positive"),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 3, 3]"], ["strides": ints([0, 1])], "conv2d strides must be positive"),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 3, 3]"], ["pads": ints([1, 1])], "conv2d expects 4 pads"),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 3, 3]"], ["pads": ints([-1, 0, 0, 0])], "conv2d pads must be non-negative"),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 3, 3]"], ["dilations": ints([1])], "conv2d expects 2 dilations"),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 3, 3]", "f32[3]"], "conv2d expects b of shape [M] = [8]", operand: 2),
    ShapeErrorCase(.conv2d, ["f32[3, 8, 8]", "f32[8, 3, 3, 3]"], "conv2d expects x of rank 4", operand: 0),
    ShapeErrorCase(.conv2d, ["i32[1, 3, 8, 8]", "i32[8, 3, 3, 3]"], "conv2d expects a floating-point x", operand: 0),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, K, 3]"], "conv2d needs a known size for dimension 2 (kH) of w", operand: 1),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 0, 3]"], "conv2d kernel size must be positive", operand: 1),
    ShapeErrorCase(.conv2d, ["f32[1, 3, 8, 8]", "f32[8, 3, 3, 3]"], ["strides": ints([Int.max, 1])], "conv2d size"),
    ShapeErrorCase(.conv_transpose2d, ["f32[1, 4, 5, 5]", "f32[4, 2, 3, 3]"], ["output_padding": ints([1, 0])],
                   "conv_transpose2d output_padding [1, 0] must be smaller than the stride or the dilation"),
    ShapeErrorCase(.conv_transpose2d, ["f32[1, 3, 5, 5]", "f32[4, 2, 3, 3]"], "conv_transpose2d input has 3 channels", operand: 1),
    ShapeErrorCase(.conv_transpose2d, ["f32[1, 4, 1, 1]", "f32[4, 2, 1, 1]"], ["pads": ints([1, 0, 0, 0])],
                   "conv_transpose2d output dimension 2 (H) would be 0", operand: 0),
    ShapeErrorCase(.conv_transpose2d, ["f32[1, 4, H, 1]", "f32[4, 2, 3, 3]"], ["strides": ints([2, 2])],
                   "conv_transpose2d needs a known size for dimension 2 (H)", operand: 0),
    ShapeErrorCase(.max_pool2d, ["f32[1, 1, 5, 5]"], ["kernel": ints([2, 2]), "pads": ints([2, 0, 0, 0])],
                   "max_pool2d pads must be smaller than the kernel"),
    ShapeErrorCase(.max_pool2d, ["f32[1, 1, 5, 5]"], ["kernel": ints([2])], "max_pool2d expects 2 kernel sizes"),
    ShapeErrorCase(.max_pool2d, ["f32[1, 1, 5, 5]"], ["kernel": ints([0, 2])], "max_pool2d kernel must be positive"),
    ShapeErrorCase(.max_pool2d, ["f32[1, 1, 1, 5]"], ["kernel": ints([2, 2])], "max_pool2d output dimension 2 (H) would be empty"),
    ShapeErrorCase(.avg_pool2d, ["i32[1, 1, 5, 5]"], ["kernel": ints([2, 2])], "avg_pool2d expects a floating-point x"),
    ShapeErrorCase(.avg_pool2d, ["f32[1, 1, H, 5]"], ["kernel": ints([2, 2])], "avg_pool2d needs a known size for dimension 2 (H)"),
    ShapeErrorCase(.global_avg_pool, ["f32[2, 3]"], "global_avg_pool expects x of rank 3 or more", operand: 0),
    ShapeErrorCase(.batch_norm, ["f32[2, 3, 4]", "f32[4]", "f32[3]", "f32[3]", "f32[3]"],
                   "batch_norm expects scale of shape [C] = [3], got [4]", operand: 1),
    ShapeErrorCase(.batch_norm, ["f32[2, 3, 4]", "f32[3]", "f32[3]", "f32[3]", "f64[3]"], "batch_norm expects x and var of one dtype", operand: 4),
    ShapeErrorCase(.layer_norm, ["f32[2, 5, 8]", "f32[5, 8]"], "layer_norm expects scale of shape x.shape[2...] = [8]", operand: 1),
    ShapeErrorCase(.layer_norm, ["f32[2, 5, 8]", "f32[8]"], ["axis": .int(3)], "layer_norm axis 3 is out of range"),
    ShapeErrorCase(.instance_norm, ["f32[2, 3, 4, 4]", "f32[3]", "f32[2]"], "instance_norm expects bias of shape [C] = [3]", operand: 2),
    ShapeErrorCase(.softmax, ["i32[2]"], "softmax expects a floating-point x"),
    ShapeErrorCase(.log_softmax, ["f32[]"], "log_softmax axis -1 is out of range for rank 0 (a scalar has no axes)"),
    ShapeErrorCase(.reduce_max, ["f32[0, 3]"], ["axes": ints([0])], "reduce_max cannot reduce the empty dimension 0 of [0, 3]"),
    ShapeErrorCase(.reduce_mean, ["bool[2]"], "reduce_mean expects a numeric x"),
    ShapeErrorCase(.reduce_prod, ["f32[2, 3]"], ["axes": ints([2])], "reduce_prod axis 2 is out of range for rank 2"),
    ShapeErrorCase(.argmax, ["f32[]"], "argmax axis 0 is out of range for rank 0"),
    ShapeErrorCase(.argmin, ["f32[2, 0]"], ["axis": .int(1)], "argmin cannot reduce the empty dimension 1"),
    ShapeErrorCase(.reshape, ["f32[2, 3]"], ["shape": ints([-1, -1])], "reshape shape [-1, -1] has more than one -1"),
    ShapeErrorCase(.reshape, ["f32[2, 3]"], ["shape": ints([4, -1])], "reshape cannot reshape [2, 3] (6 elements) to [4, -1]"),
    ShapeErrorCase(.reshape, ["f32[2, 3]"], ["shape": ints([-2, 3])], "reshape shape [-2, 3] has invalid size -2"),
    ShapeErrorCase(.reshape, ["f32[6]"], ["shape": ints([3, 0])], "reshape shape [3, 0] copies dimension 1"),
    ShapeErrorCase(.reshape, ["f32[N, 3, 4]"], ["shape": ints([-1, 4])], "reshape cannot reshape [N, 3, 4] (12*N elements)"),
    ShapeErrorCase(.reshape, ["f32[N, 4]"], ["shape": ints([8, 2])], "reshape cannot reshape [N, 4] (4*N elements) to [8, 2] (16 elements)"),
    ShapeErrorCase(.reshape, ["f32[N, M]"], ["shape": ints([-1])], "reshape cannot reshape [N, M]"),
    ShapeErrorCase(.reshape, ["f32[0, 4]"], ["shape": ints([2, 0, 3])], "reshape cannot reshape [0, 4] (0 elements) to [2, 0, 3] (24 elements)"),
    ShapeErrorCase(.reshape, ["f32[0, 4]"], ["shape": ints([0, -1])],
                   "reshape cannot reshape [0, 4] (0 elements) to [0, -1]: -1 is ambiguous next to a 0-size dimension"),
    ShapeErrorCase(.transpose, ["f32[2, 3]"], ["perm": ints([0, 0])], "transpose perm [0, 0] is not a permutation"),
    ShapeErrorCase(.transpose, ["f32[2, 3]"], ["perm": ints([0, 1, 2])], "transpose perm [0, 1, 2] is not a permutation"),
    ShapeErrorCase(.flatten, ["f32[N, 3, 4]"], ["axis": .int(0)], "flatten cannot merge [N, 3, 4] into one dimension"),
    ShapeErrorCase(.flatten, ["f32[2, 3]"], ["axis": .int(3)], "flatten axis 3 is out of range for rank 2 (expected -2 to 2)"),
    ShapeErrorCase(.squeeze, ["f32[N, 3]"], ["axes": ints([0])], "squeeze needs a known size for dimension 0 to squeeze"),
    ShapeErrorCase(.squeeze, ["f32[1, 3, 1, N]"], [:], "squeeze without axes needs every dimension known, but [1, 3, 1, N] has symbol 'N'"),
    ShapeErrorCase(.squeeze, ["f32[1, 3]"], ["axes": ints([2])], "squeeze axis 2 is out of range"),
    ShapeErrorCase(.unsqueeze, ["f32[3]"], ["axes": ints([0, -3])], "unsqueeze axes [0, -3] name dimension 0 twice"),
    ShapeErrorCase(.unsqueeze, ["f32[3]"], ["axes": ints([2])], "unsqueeze axis 2 is out of range for rank 2"),
    ShapeErrorCase(.unsqueeze, ["f32[3]"], ["axes": ints([])], "unsqueeze needs at least one axis"),
    ShapeErrorCase(.concat, ["f32[2, 3]", "f32[2, 4]"], ["axis": .int(0)], "concat expects shapes equal except along axis 0", operand: 1),
    ShapeErrorCase(.concat, ["f32[2, 3]", "f32[2]"], ["axis": .int(0)], "concat expects shapes equal except along axis 0", operand: 1),
    ShapeErrorCase(.concat, ["f32[2, 3]", "i32[2, 3]"], ["axis": .int(0)], "concat expects inputs[0] and inputs[1] of one dtype", operand: 1),
    ShapeErrorCase(.concat, ["f32[N, 3]", "f32[2, 3]"], ["axis": .int(0)],
                   "concat needs a known size for dimension 0 of inputs[0] along the concat axis, got symbol 'N'", operand: 0),
    ShapeErrorCase(.concat, ["f32[]", "f32[]"], ["axis": .int(0)], "concat axis 0 is out of range for rank 0"),
    ShapeErrorCase(.split, ["f32[6]"], ["sizes": ints([2, 3])], "split sizes [2, 3] add up to 5, but dimension 0 of [6] is 6"),
    ShapeErrorCase(.split, ["f32[5]"], ["parts": .int(2)], "split cannot divide dimension 0 of [5] into 2 equal parts"),
    ShapeErrorCase(.split, ["f32[N]"], ["parts": .int(2)], "split needs a known size for dimension 0 to split"),
    ShapeErrorCase(.split, ["f32[6]"], ["parts": .int(2), "sizes": ints([3, 3])], "split takes sizes or parts, not both"),
    ShapeErrorCase(.split, ["f32[6]"], ["parts": .int(-2)], "split parts must be positive"),
    ShapeErrorCase(.split, ["f32[0]"], "split would make 0 outputs"),
    ShapeErrorCase(.slice, ["f32[4]"], ["starts": ints([0]), "ends": ints([2]), "steps": ints([0])], "slice steps must not be 0"),
    ShapeErrorCase(.slice, ["f32[4]"], ["starts": ints([0]), "ends": ints([2, 3])], "slice expects 1 ends (one per start), got 2"),
    ShapeErrorCase(.slice, ["f32[4, 4]"], ["starts": ints([0, 0]), "ends": ints([2, 2]), "axes": ints([1, -1])],
                   "slice axes [1, -1] name dimension 1 twice"),
    ShapeErrorCase(.slice, ["f32[N]"], ["starts": ints([1]), "ends": ints([Int.max])], "slice needs a known size for dimension 0 to slice"),
    ShapeErrorCase(.gather, ["f32[]", "i64[2]"], "gather axis 0 is out of range for rank 0"),
    ShapeErrorCase(.expand, ["f32[2, 3]"], ["shape": ints([4])], "expand cannot broadcast [2, 3] with [4]: dimension -1 is 3 vs 4"),
    ShapeErrorCase(.expand, ["f32[3]"], ["shape": ints([-1])], "expand shape must be non-negative"),
    ShapeErrorCase(.pad, ["f32[2, 3]"], ["pads": ints([1, 1])], "pad expects 4 pads"),
    ShapeErrorCase(.pad, ["f32[2, 3]"], ["pads": ints([0, 3, 0, 0]), "mode": .choice("reflect")],
                   "pad reflect mode needs pads smaller than the dimension: dimension 1 has size 3, pads 3 and 0", operand: 0),
    ShapeErrorCase(.pad, ["f32[2, 3]"], ["pads": ints([-2, 0, -1, 0])], "pad pads -2 and -1 remove more than the 2 elements"),
    ShapeErrorCase(.pad, ["f32[N, 3]"], ["pads": ints([1, 0, 0, 0])], "pad needs a known size for dimension 0 to pad"),
    ShapeErrorCase(.pad, ["f32[0]"], ["pads": ints([1, 0]), "mode": .choice("edge")], "pad edge mode cannot pad the empty dimension 0"),
    ShapeErrorCase(.tile, ["f32[2, 3]"], ["repeats": ints([2])], "tile expects 2 repeats"),
    ShapeErrorCase(.tile, ["f32[N, 3]"], ["repeats": ints([2, 1])], "tile needs a known size for dimension 0 repeated 2 times, got symbol 'N'"),
    ShapeErrorCase(.tile, ["f32[2]"], ["repeats": ints([-1])], "tile repeats must be non-negative"),
    ShapeErrorCase(.lstm, ["f32[5, 2, 10]", "f32[1, 80, 10]", "f32[1, 80, 20]"], ["hidden_size": .int(0)],
                   "lstm hidden_size must be positive"),
    ShapeErrorCase(.lstm, ["f32[5, 2, 10]", "f32[1, 80, 10]", "f32[1, 80, 20]"],
                   ["hidden_size": .int(20), "direction": .choice("bidirectional")], "lstm expects w of shape", operand: 1),
    ShapeErrorCase(.lstm, ["f32[5, 2, 10]", "f32[1, 80, 10]", "f32[1, 80, 20]", "f32[1, 160]", "f32[1, 3, 20]"],
                   ["hidden_size": .int(20)], "lstm expects initial_h of shape [dirs, batch, hidden_size] = [1, 2, 20]", operand: 4),
    ShapeErrorCase(.lstm, ["f32[5, 10]", "f32[1, 80, 10]", "f32[1, 80, 20]"], ["hidden_size": .int(20)], "lstm expects x of rank 3"),
    ShapeErrorCase(.gru, ["f32[5, 2, 10]", "f32[1, 60, 10]", "f32[1, 60, 20]", "f32[1, 60]"], ["hidden_size": .int(20)],
                   "gru expects b of shape [dirs, 2*3*hidden_size] = [1, 120]", operand: 3),
    ShapeErrorCase(.gru, ["i32[5, 2, 10]", "i32[1, 60, 10]", "i32[1, 60, 20]"], ["hidden_size": .int(20)], "gru expects a floating-point x"),
]

@Test(arguments: exactMessages)
func shapeRuleMessage(_ c: ShapeErrorCase) {
    let error = shapeError(c.op, c.inputs, c.attributes)
    #expect(error?.message == c.message)
    #expect(error?.operand == c.operand)
}

@Test(arguments: rejected)
func shapeRuleRejects(_ c: ShapeErrorCase) {
    let error = shapeError(c.op, c.inputs, c.attributes)
    #expect(error?.message.hasPrefix(c.message) == true, "got \(error?.message ?? "no error")")
    if let operand = c.operand { #expect(error?.operand == operand) }
}
