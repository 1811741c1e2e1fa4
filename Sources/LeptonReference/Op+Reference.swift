extension Op {
    /// The op's semantics: its results on concrete operands, computed by straightforward
    /// kernels. This is the oracle every optimized kernel and pass is tested against.
    ///
    /// `inputs` are the node's operands in schema order (trailing optional operands may be
    /// left off); `attributes` are complete. The shape rules have already accepted the
    /// operand types, so shape mismatches here are bugs (preconditions); only data-dependent
    /// failures (a gather index out of range, an integer division by zero) throw.
    /// Weights pre-packed for the runtime (`weight_layout` not empty) are rejected: the
    /// reference only knows the standard layouts, and never runs prepacked graphs.
    public func evaluate(_ inputs: [Tensor], _ attributes: Attributes) throws(KernelError) -> [Tensor] {
        if case .string(let layout) = attributes["weight_layout"], !layout.isEmpty {
            throw KernelError("\(self): weight_layout \"\(layout)\" is a runtime kernel layout; the reference kernels take standard weights")
        }
        return try evaluateReference(self, inputs, attributes)
    }
}

/// The dispatch, outside `extension Op` so kernel names (`matmul`, `cast`, …) refer to the
/// kernel functions rather than the op cases.
private func evaluateReference(_ op: Op, _ inputs: [Tensor], _ attributes: Attributes) throws(KernelError) -> [Tensor] {
    func operand(_ i: Int) -> Tensor? { i < inputs.count ? inputs[i] : nil }
    switch op {
    case .exp, .log, .sqrt, .rsqrt, .reciprocal, .sigmoid, .tanh, .softplus, .erf, .gelu, .leaky_relu, .elu,
         .floor, .ceil:
        return [floatUnary(op, inputs[0], attributes)]
    case .neg, .abs, .relu, .clip:
        return [numericUnary(op, inputs[0], attributes)]
    case .identity:
        return [inputs[0]]
    case .cast:
        return [cast(inputs[0], to: attributes.dtype("to"))]
    case .add, .sub, .mul, .div, .pow, .max, .min:
        return [try arithmetic(op, inputs[0], inputs[1])]
    case .eq, .ne, .lt, .le, .gt, .ge:
        return [comparison(op, inputs[0], inputs[1])]
    case .and, .or, .xor:
        return [logical(op, inputs[0], inputs[1])]
    case .not:
        return [logicalNot(inputs[0])]
    case .where:
        return [select(inputs[0], inputs[1], inputs[2])]
    case .matmul:
        return [matmul(inputs[0], inputs[1])]
    case .gemm:
        return [gemm(inputs[0], inputs[1], operand(2), attributes)]
    case .linear:
        return [try linear(inputs[0], inputs[1], operand(2))]
    case .conv2d:
        return [conv2d(inputs[0], inputs[1], operand(2), attributes)]
    case .conv_transpose2d:
        return [convTranspose2d(inputs[0], inputs[1], operand(2), attributes)]
    case .max_pool2d:
        return [maxPool2d(inputs[0], attributes)]
    case .avg_pool2d:
        return [avgPool2d(inputs[0], attributes)]
    case .global_avg_pool:
        return [globalAvgPool(inputs[0])]
    case .batch_norm:
        return [batchNorm(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], epsilon: attributes.float("epsilon"))]
    case .layer_norm:
        return [layerNorm(inputs[0], inputs[1], operand(2), axis: attributes.int("axis"), epsilon: attributes.float("epsilon"))]
    case .instance_norm:
        return [instanceNorm(inputs[0], inputs[1], inputs[2], epsilon: attributes.float("epsilon"))]
    case .softmax, .log_softmax:
        return [softmax(inputs[0], axis: attributes.int("axis"), log: op == .log_softmax)]
    case .reduce_sum, .reduce_mean, .reduce_max, .reduce_min, .reduce_prod:
        return [reduce(op, inputs[0], axes: attributes.ints("axes"), keepdims: attributes.bool("keepdims"))]
    case .argmax, .argmin:
        return [try argExtreme(op, inputs[0], attributes)]
    case .reshape:
        return [reshape(inputs[0], to: attributes.ints("shape"))]
    case .transpose:
        return [transpose(inputs[0], perm: attributes.ints("perm"))]
    case .flatten:
        return [flatten(inputs[0], axis: attributes.int("axis"))]
    case .squeeze:
        return [squeeze(inputs[0], axes: attributes.ints("axes"))]
    case .unsqueeze:
        return [unsqueeze(inputs[0], axes: attributes.ints("axes"))]
    case .concat:
        return [concat(inputs, axis: attributes.int("axis"))]
    case .split:
        return split(inputs[0], axis: attributes.int("axis"), sizes: attributes.ints("sizes"), parts: attributes.int("parts"))
    case .slice:
        return [slice(inputs[0], starts: attributes.ints("starts"), ends: attributes.ints("ends"),
                      axes: attributes.ints("axes"), steps: attributes.ints("steps"))]
    case .gather:
        return [try gather(inputs[0], inputs[1], axis: attributes.int("axis"))]
    case .expand:
        return [expand(inputs[0], to: attributes.ints("shape"))]
    case .pad:
        return [pad(inputs[0], pads: attributes.ints("pads"), mode: attributes.choice("mode"), value: attributes.float("value"))]
    case .tile:
        return [tile(inputs[0], repeats: attributes.ints("repeats"))]
    case .lstm:
        return lstm(inputs, attributes)
    case .gru:
        return gru(inputs, attributes)
    case .scatter_add:
        return [try scatterAdd(inputs[0], inputs[1], inputs[2], axis: attributes.int("axis"))]
    case .one_hot:
        return [try oneHot(inputs[0], depth: attributes.int("depth"), dtype: attributes.dtype("dtype"))]
    case .max_pool2d_grad:
        return [maxPool2dGrad(inputs[0], inputs[1], attributes)]
    case .avg_pool2d_grad:
        return [avgPool2dGrad(inputs[0], inputs[1], attributes)]
    case .conv2d_weight_grad:
        return [conv2dWeightGrad(inputs[0], inputs[1], attributes)]
    case .cross_entropy:
        return [try crossEntropy(inputs[0], inputs[1], reduction: attributes.choice("reduction"))]
    case .binary_cross_entropy:
        return [try binaryCrossEntropy(inputs[0], inputs[1], reduction: attributes.choice("reduction"))]
    case .mse:
        return [meanSquaredError(inputs[0], inputs[1], reduction: attributes.choice("reduction"))]
    case .constant:
        return [constant(attributes)]
    case .fused:
        // Needs its body, which `evaluate` does not see: the Interpreter runs fused nodes.
        throw KernelError("fused: run through its body by the interpreter")
    }
}
