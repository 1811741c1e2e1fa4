// Shape rules of the ops training graphs are made of: the gradient helpers (scatter_add,
// one_hot, the pooling and conv weight gradients) and the losses. Each gradient checks its
// incoming gradient `dy` against the forward op's own shape rule, so a backward graph whose
// shapes disagree with its forward graph is rejected where it is built, not when it runs.

extension Op {
    /// scatter_add(data, indices, updates) along `axis`: updates has gather(data, indices)'s
    /// shape, data[..axis] + indices.shape + data[axis+1..]; the result has data's type.
    func scatterAddType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        try requireIntegerIndices(inputs, 1)
        try requireSameDType(inputs, 2, as: 0)
        let (data, indices, updates) = (inputs[0].shape, inputs[1].shape, inputs[2].shape)
        let axis = try axis(attributes.int("axis"), rank: data.count)
        let gathered = Array(data[..<axis]) + indices + Array(data[(axis + 1)...])
        guard updates == gathered else {
            throw fail("expects updates of shape gather(data, indices, axis: \(axis)) = \(shapeText(gathered)), "
                + "got \(shapeText(updates))", operand: 2)
        }
        return inputs[0]
    }

    /// one_hot(indices) -> dtype[indices.shape..., depth].
    func oneHotType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireIntegerIndices(inputs, 0)
        let depth = attributes.int("depth")
        guard depth >= 1 else { throw fail("depth must be positive, got \(depth)") }
        return TensorType(attributes.dtype("dtype"), inputs[0].shape + [.fixed(depth)])
    }

    /// max_pool2d_grad / avg_pool2d_grad(x, dy) -> x's type, where dy has the forward pooling's
    /// result type (same window attributes).
    func poolGradientType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let forward: Op = self == .max_pool2d_grad ? .max_pool2d : .avg_pool2d
        let pooled = try poolType(inputs, attributes)
        try requireSameDType(inputs, 1, as: 0)
        guard inputs[1].shape == pooled.shape else {
            throw fail("expects dy of shape \(forward)(x) = \(shapeText(pooled.shape)), got \(shapeText(inputs[1].shape))",
                       operand: 1)
        }
        return inputs[0]
    }

    /// conv2d_weight_grad(x[N, C, H, W], dy[N, O, Ho, Wo]) -> [O, C/group, kH, kW], where dy is
    /// what conv2d(x, w) gives with these attributes.
    func convWeightGradientType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        try requireRank(inputs, 0, 4, "[N, C, H, W]")
        try requireSameDType(inputs, 1, as: 0)
        try requireRank(inputs, 1, 4, "[N, O, Ho, Wo]")
        let (x, dy) = (inputs[0].shape, inputs[1].shape)
        let kernel = attributes.ints("kernel")
        try requireCount(kernel, 2, "kernel sizes")
        try requireAtLeast(kernel, 1, "kernel")
        let group = attributes.int("group")
        guard group >= 1 else { throw fail("group must be positive, got \(group)") }
        guard x[0] == dy[0] else {
            throw fail("expects x and dy of one batch size, got \(shapeText(x)) and \(shapeText(dy))", operand: 1)
        }
        var channels = x[1]
        if group > 1 {
            let c = try known(x[1], "dimension 1 (C) with group \(group)", operand: 0)
            let o = try known(dy[1], "dimension 1 (O) of dy with group \(group)", operand: 1)
            guard c % group == 0 else { throw fail("input has \(c) channels, not divisible by group \(group)", operand: 0) }
            guard o % group == 0 else { throw fail("dy has \(o) channels, not divisible by group \(group)", operand: 1) }
            channels = .fixed(c / group)
        }
        let spatial = try spatialOutput(x, try windowAttributes(attributes, kernel: kernel))
        let expected = [x[0], dy[1]] + spatial
        guard dy == expected else {
            throw fail("expects dy of shape conv2d(x) = \(shapeText(expected)), got \(shapeText(dy))", operand: 1)
        }
        return TensorType(inputs[0].dtype, [dy[1], channels] + kernel.map(Dim.fixed))
    }

    /// cross_entropy(logits[B..., C], labels[B...]) -> a scalar of logits' dtype.
    func crossEntropyType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        let logits = inputs[0].shape
        guard !logits.isEmpty else {
            throw fail("expects logits of rank 1 or more [B..., C], got []", operand: 0)
        }
        guard inputs[1].dtype.isInteger else {
            throw fail("expects integer labels (i32 or i64), got \(inputs[1].dtype)", operand: 1)
        }
        let positions = Array(logits.dropLast())
        guard inputs[1].shape == positions else {
            throw fail("expects labels of shape logits.shape[..<-1] = \(shapeText(positions)), "
                + "got \(shapeText(inputs[1].shape))", operand: 1)
        }
        return TensorType(inputs[0].dtype, [])
    }

    /// binary_cross_entropy / mse(prediction, target): one float dtype, one shape (no
    /// broadcasting: a target that broadcasts is almost always a mistake) -> a scalar.
    func elementwiseLossType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        try requireSameDType(inputs, 1, as: 0)
        let (a, b) = (inputs[0].shape, inputs[1].shape)
        guard a == b else {
            throw fail("expects \(operandName(0)) and \(operandName(1)) of one shape, got \(shapeText(a)) and \(shapeText(b))",
                       operand: 1)
        }
        return TensorType(inputs[0].dtype, [])
    }

    private func requireIntegerIndices(_ inputs: [TensorType], _ index: Int) throws(ShapeError) {
        let dtype = inputs[index].dtype
        guard dtype.isInteger else {
            throw fail("expects integer \(operandName(index)) (i32 or i64), got \(dtype)", operand: index)
        }
    }
}
