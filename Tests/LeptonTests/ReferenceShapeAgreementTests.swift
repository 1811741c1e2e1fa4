import Testing
@testable import LeptonReference

/// Every kernel's result has exactly the type the op's shape rule infers: the interpreter
/// relies on it, and a disagreement would surface as an "internal:" diagnostic.
@Suite struct ReferenceShapeAgreementTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var op: Op
        var inputs: [TensorType]
        var attributes: [String: Attribute] = [:]
        var testDescription: String { "\(op)(\(inputs.map(\.description).joined(separator: ", ")))" }
    }

    private static func t(_ dtype: DType, _ shape: [Int]) -> TensorType { TensorType(dtype, fixed: shape) }

    static let cases: [Case] = [
        Case(op: .add, inputs: [t(.f32, [2, 1, 3]), t(.f32, [4, 1])]),
        Case(op: .where, inputs: [t(.bool, [2, 1]), t(.i64, [3]), t(.i64, [1, 1, 1])]),
        Case(op: .matmul, inputs: [t(.f32, [3]), t(.f32, [2, 3, 4])]),
        Case(op: .matmul, inputs: [t(.f64, [5, 1, 2, 3]), t(.f64, [3, 4])]),
        Case(op: .gemm, inputs: [t(.f32, [3, 2]), t(.f32, [4, 3]), t(.f32, [1])], attributes: ["trans_a": .bool(true), "trans_b": .bool(true)]),
        Case(op: .linear, inputs: [t(.f32, [2, 3, 4]), t(.f32, [4, 5]), t(.f32, [5])]),
        Case(op: .conv2d, inputs: [t(.f32, [1, 4, 7, 6]), t(.f32, [6, 2, 3, 2])],
             attributes: ["group": .int(2), "strides": .ints([2, 3]), "padding": .choice("same_lower"), "dilations": .ints([2, 1])]),
        Case(op: .conv2d, inputs: [t(.f32, [2, 3, 5, 5]), t(.f32, [4, 3, 3, 3]), t(.f32, [4])], attributes: ["pads": .ints([0, 1, 2, 0])]),
        Case(op: .conv_transpose2d, inputs: [t(.f32, [1, 4, 3, 5]), t(.f32, [4, 3, 3, 2])],
             attributes: ["group": .int(2), "strides": .ints([3, 2]), "padding": .choice("same")]),
        Case(op: .conv_transpose2d, inputs: [t(.f32, [1, 2, 3, 3]), t(.f32, [2, 1, 3, 3])],
             attributes: ["strides": .ints([2, 2]), "output_padding": .ints([1, 0]), "pads": .ints([1, 0, 0, 1]), "dilations": .ints([2, 1])]),
        Case(op: .max_pool2d, inputs: [t(.f32, [1, 2, 7, 6])],
             attributes: ["kernel": .ints([3, 2]), "strides": .ints([2, 2]), "ceil_mode": .bool(true), "pads": .ints([1, 0, 1, 1]), "dilations": .ints([2, 1])]),
        Case(op: .avg_pool2d, inputs: [t(.f32, [1, 1, 5, 5])], attributes: ["kernel": .ints([2, 2]), "strides": .ints([2, 2]), "padding": .choice("same")]),
        Case(op: .global_avg_pool, inputs: [t(.f32, [2, 3, 4, 5])]),
        Case(op: .batch_norm, inputs: [t(.f32, [2, 3, 4])] + Array(repeating: t(.f32, [3]), count: 4)),
        Case(op: .layer_norm, inputs: [t(.f32, [2, 3, 4]), t(.f32, [3, 4])], attributes: ["axis": .int(-2)]),
        Case(op: .instance_norm, inputs: [t(.f32, [2, 3, 4, 2]), t(.f32, [3]), t(.f32, [3])]),
        Case(op: .softmax, inputs: [t(.f32, [2, 3])], attributes: ["axis": .int(0)]),
        Case(op: .reduce_mean, inputs: [t(.f32, [2, 3, 4])], attributes: ["axes": .ints([-1, 0]), "keepdims": .bool(false)]),
        Case(op: .argmin, inputs: [t(.i32, [2, 3, 4])], attributes: ["axis": .int(1), "keepdims": .bool(false)]),
        Case(op: .reshape, inputs: [t(.f32, [2, 3, 4])], attributes: ["shape": .ints([0, -1, 2])]),
        Case(op: .transpose, inputs: [t(.bool, [2, 3, 4])], attributes: ["perm": .ints([1, 2, 0])]),
        Case(op: .flatten, inputs: [t(.f32, [2, 3, 4])], attributes: ["axis": .int(-2)]),
        Case(op: .squeeze, inputs: [t(.f32, [1, 3, 1])]),
        Case(op: .unsqueeze, inputs: [t(.f32, [3, 4])], attributes: ["axes": .ints([-1, 1])]),
        Case(op: .concat, inputs: [t(.i32, [2, 3]), t(.i32, [2, 0]), t(.i32, [2, 1])], attributes: ["axis": .int(1)]),
        Case(op: .split, inputs: [t(.f32, [6, 2])], attributes: ["parts": .int(3)]),
        Case(op: .split, inputs: [t(.f32, [2, 5])], attributes: ["axis": .int(-1), "sizes": .ints([1, 0, 4])]),
        Case(op: .slice, inputs: [t(.f32, [5, 6])], attributes: ["starts": .ints([-2, 100]), "ends": .ints([-100, 1]), "steps": .ints([-1, -2])]),
        Case(op: .gather, inputs: [t(.f32, [5, 3]), t(.i32, [2, 2])], attributes: ["axis": .int(-1)]),
        Case(op: .expand, inputs: [t(.f32, [3, 1])], attributes: ["shape": .ints([2, 1, 4])]),
        Case(op: .pad, inputs: [t(.f32, [3, 4])], attributes: ["pads": .ints([1, -1, 2, 3]), "mode": .choice("reflect")]),
        Case(op: .tile, inputs: [t(.i64, [2, 3])], attributes: ["repeats": .ints([3, 1])]),
        Case(op: .lstm, inputs: [t(.f32, [3, 2, 4]), t(.f32, [2, 20, 4]), t(.f32, [2, 20, 5]), t(.f32, [2, 40])],
             attributes: ["hidden_size": .int(5), "direction": .choice("bidirectional")]),
        Case(op: .gru, inputs: [t(.f32, [3, 2, 4]), t(.f32, [1, 15, 4]), t(.f32, [1, 15, 5])],
             attributes: ["hidden_size": .int(5), "direction": .choice("reverse")]),
        Case(op: .cast, inputs: [t(.f32, [2])], attributes: ["to": .dtype(.bool)]),
        Case(op: .scatter_add, inputs: [t(.f32, [2, 4, 3]), t(.i64, [2, 2]), t(.f32, [2, 4, 2, 2])], attributes: ["axis": .int(-1)]),
        Case(op: .one_hot, inputs: [t(.i32, [2, 3])], attributes: ["depth": .int(4), "dtype": .dtype(.i64)]),
        Case(op: .max_pool2d_grad, inputs: [t(.f32, [1, 2, 7, 6]), t(.f32, [1, 2, 3, 3])],
             attributes: ["kernel": .ints([3, 2]), "strides": .ints([2, 2]), "ceil_mode": .bool(true), "pads": .ints([1, 0, 1, 1]), "dilations": .ints([2, 1])]),
        Case(op: .avg_pool2d_grad, inputs: [t(.f64, [1, 1, 5, 5]), t(.f64, [1, 1, 3, 3])],
             attributes: ["kernel": .ints([2, 2]), "strides": .ints([2, 2]), "padding": .choice("same")]),
        Case(op: .conv2d_weight_grad, inputs: [t(.f32, [1, 4, 7, 6]), t(.f32, [1, 6, 2, 6])],
             attributes: ["kernel": .ints([3, 2]), "group": .int(2), "strides": .ints([2, 1]), "pads": .ints([0, 1, 0, 0]), "dilations": .ints([2, 1])]),
        Case(op: .cross_entropy, inputs: [t(.f32, [2, 3, 4]), t(.i64, [2, 3])]),
        Case(op: .mse, inputs: [t(.f64, [2, 3]), t(.f64, [2, 3])], attributes: ["reduction": .choice("sum")]),
    ]

    @Test(arguments: cases)
    func kernelMatchesShapeRule(_ testCase: Case) throws {
        var attributes = testCase.op.schema.defaults
        for (name, value) in testCase.attributes { attributes[name] = value }
        let expected = try testCase.op.inferTypes(testCase.inputs, attributes)
        let inputs = testCase.inputs.enumerated().map { sample($0.element, seed: UInt64($0.offset)) }
        let results = try testCase.op.evaluate(inputs, attributes)
        #expect(results.map { TensorType($0.dtype, fixed: $0.shape) } == expected)
    }

    /// Small values of `type` (indices stay in range for the gather case).
    private func sample(_ type: TensorType, seed: UInt64) -> Tensor {
        guard let shape = type.fixedShape else { preconditionFailure("cases use fixed shapes") }
        let values = randomF64(shape, seed: seed).doubles
        switch type.dtype {
        case .f32: return f32(shape, values.map { Float($0) })
        case .f64: return f64(shape, values)
        case .i32: return i32(shape, values.map { Int32(($0 + 1) * 1.4) })
        case .i64: return i64(shape, values.map { Int64(($0 + 1) * 1.4) })
        case .bool: return Tensor(shape: shape, scalars: values.map { $0 > 0 })
        }
    }
}
