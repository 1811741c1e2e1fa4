// Shape rules of the elementwise ops and of `constant`.

extension Op {
    /// exp, log, …: one floating-point operand, result of the same type.
    func floatUnaryType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        return inputs[0]
    }

    /// neg, abs, relu, clip: any numeric operand, result of the same type.
    func numericUnaryType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireNumeric(inputs, 0)
        return inputs[0]
    }

    /// add, sub, …: two numeric operands of one dtype, numpy broadcasting.
    func arithmeticType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireNumeric(inputs, 0)
        try requireSameDType(inputs, 1, as: 0)
        return TensorType(inputs[0].dtype, try broadcast(inputs[0].shape, inputs[1].shape))
    }

    /// eq and ne compare any dtype; the ordering comparisons need numbers. The result is bool.
    func comparisonType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        if self != .eq, self != .ne { try requireNumeric(inputs, 0) }
        try requireSameDType(inputs, 1, as: 0)
        return TensorType(.bool, try broadcast(inputs[0].shape, inputs[1].shape))
    }

    /// and, or, xor: two bool operands, numpy broadcasting.
    func logicalType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireBool(inputs, 0)
        try requireBool(inputs, 1)
        return TensorType(.bool, try broadcast(inputs[0].shape, inputs[1].shape))
    }

    func notType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireBool(inputs, 0)
        return inputs[0]
    }

    /// where(cond, x, y): bool cond; x and y of one dtype; all three broadcast together.
    func whereType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireBool(inputs, 0)
        try requireSameDType(inputs, 2, as: 1)
        let xy = try broadcast(inputs[1].shape, inputs[2].shape)
        return TensorType(inputs[1].dtype, try broadcast(inputs[0].shape, xy))
    }

    /// A literal: its tensor's shape, and the `dtype` attribute, which must be the tensor's.
    func constantType(_ attributes: Attributes) throws(ShapeError) -> TensorType {
        let value = attributes.tensor("value")
        let dtype = attributes.dtype("dtype")
        guard value.dtype == dtype else {
            throw fail("value holds \(value.dtype) but dtype is \(dtype)")
        }
        return TensorType(dtype, fixed: value.shape)
    }
}
