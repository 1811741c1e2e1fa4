// Shape rules of pooling and normalization (NCHW, ONNX semantics).

extension Op {
    /// max_pool2d / avg_pool2d over x[N, C, H, W] -> [N, C, Ho, Wo] (also the pooled shape
    /// the pooling gradients check dy against; those, like avg_pool2d, take floats only).
    func poolType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        if self == .max_pool2d { try requireNumeric(inputs, 0) } else { try requireFloat(inputs, 0) }
        try requireRank(inputs, 0, 4, "[N, C, H, W]")
        let kernel = attributes.ints("kernel")
        try requireCount(kernel, 2, "kernel sizes")
        try requireAtLeast(kernel, 1, "kernel")
        let win = try windowAttributes(attributes, kernel: kernel)
        if win.padding == "explicit" {
            for i in 0..<2 where win.pads[i] >= kernel[i] || win.pads[i + 2] >= kernel[i] {
                throw fail("pads must be smaller than the kernel, got pads \(win.pads) with kernel \(kernel)")
            }
        }
        let x = inputs[0].shape
        return TensorType(inputs[0].dtype, [x[0], x[1]] + (try spatialOutput(x, win)))
    }

    /// Mean over every dim after N and C, kept as size 1: [N, C, H, W] -> [N, C, 1, 1].
    func globalPoolType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        let x = inputs[0].shape
        guard x.count >= 3 else {
            throw fail("expects x of rank 3 or more [N, C, H, ...], got \(shapeText(x))", operand: 0)
        }
        return TensorType(inputs[0].dtype, [x[0], x[1]] + Array(repeating: .fixed(1), count: x.count - 2))
    }

    /// batch_norm(x[N, C, ...], scale[C], bias[C], mean[C], var[C]) -> x's type.
    func batchNormType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        let x = inputs[0].shape
        guard x.count >= 2 else {
            throw fail("expects x of rank 2 or more [N, C, ...], got \(shapeText(x))", operand: 0)
        }
        try requirePerChannel(inputs, 1..<5, channels: x[1])
        return inputs[0]
    }

    /// instance_norm(x[N, C, H, ...], scale[C], bias[C]) -> x's type.
    func instanceNormType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        let x = inputs[0].shape
        guard x.count >= 3 else {
            throw fail("expects x of rank 3 or more [N, C, H, ...], got \(shapeText(x))", operand: 0)
        }
        try requirePerChannel(inputs, 1..<3, channels: x[1])
        return inputs[0]
    }

    /// layer_norm(x, scale, bias?) normalizing over [axis, rank): scale and bias are x.shape[axis...].
    func layerNormType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        let x = inputs[0].shape
        let axis = try axis(attributes.int("axis"), rank: x.count)
        let normalized = Array(x[axis...])
        for i in 1..<inputs.count {
            try requireSameDType(inputs, i, as: 0)
            guard inputs[i].shape == normalized else {
                throw fail("expects \(operandName(i)) of shape x.shape[\(axis)...] = \(shapeText(normalized)), "
                    + "got \(shapeText(inputs[i].shape))", operand: i)
            }
        }
        return inputs[0]
    }

    /// Operands `range` must be [C] vectors of x's dtype.
    private func requirePerChannel(_ inputs: [TensorType], _ range: Range<Int>, channels: Dim) throws(ShapeError) {
        for i in range {
            try requireSameDType(inputs, i, as: 0)
            guard inputs[i].shape == [channels] else {
                throw fail("expects \(operandName(i)) of shape [C] = [\(channels)], got \(shapeText(inputs[i].shape))",
                           operand: i)
            }
        }
    }
}
