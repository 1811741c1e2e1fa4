/// Why an op cannot take the operands it was given. The frontend turns it into a
/// diagnostic at the call (or at operand `operand` when set).
public struct ShapeError: Error, Hashable, Sendable {
    public var message: String
    /// Index of the operand at fault, when one is.
    public var operand: Int?

    public init(_ message: String, operand: Int? = nil) {
        self.message = message
        self.operand = operand
    }
}

extension Op {
    /// The result types of applying this op to operands of `inputs` types with `attributes`
    /// (complete, defaults filled). Throws when the operands or attributes are invalid; the
    /// message names the op and the shapes that disagree (`matmul expects [M, K] x [K, N], got …`).
    ///
    /// With fully known input shapes the results are fully known, so runtimes can call this to
    /// get the concrete output shapes once symbols are bound.
    public func inferTypes(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> [TensorType] {
        // Every rule below may index operands up to the schema's arity without checking again.
        try checkOperandCount(inputs.count)
        let a = attributes
        switch self {
        case .exp, .log, .sqrt, .rsqrt, .reciprocal, .sigmoid, .tanh, .softplus, .erf, .gelu,
             .leaky_relu, .elu, .floor, .ceil:
            return [try floatUnaryType(inputs)]
        case .neg, .abs, .relu, .clip:
            return [try numericUnaryType(inputs)]
        case .identity:
            return [inputs[0]]
        case .cast:
            return [TensorType(a.dtype("to"), inputs[0].shape)]
        case .add, .sub, .mul, .div, .pow, .max, .min:
            return [try arithmeticType(inputs)]
        case .eq, .ne, .lt, .le, .gt, .ge:
            return [try comparisonType(inputs)]
        case .and, .or, .xor:
            return [try logicalType(inputs)]
        case .not:
            return [try notType(inputs)]
        case .where:
            return [try whereType(inputs)]
        case .matmul:
            return [try matmulType(inputs)]
        case .gemm:
            return [try gemmType(inputs, a)]
        case .linear:
            return [try linearType(inputs)]
        case .conv2d:
            return [try convType(inputs, a)]
        case .conv_transpose2d:
            return [try convTransposeType(inputs, a)]
        case .max_pool2d, .avg_pool2d:
            return [try poolType(inputs, a)]
        case .global_avg_pool:
            return [try globalPoolType(inputs)]
        case .batch_norm:
            return [try batchNormType(inputs)]
        case .layer_norm:
            return [try layerNormType(inputs, a)]
        case .instance_norm:
            return [try instanceNormType(inputs)]
        case .softmax, .log_softmax:
            return [try softmaxType(inputs, a)]
        case .reduce_sum, .reduce_mean, .reduce_max, .reduce_min, .reduce_prod:
            return [try reduceType(inputs, a)]
        case .argmax, .argmin:
            return [try argReduceType(inputs, a)]
        case .reshape:
            return [try reshapeType(inputs, a)]
        case .transpose:
            return [try transposeType(inputs, a)]
        case .flatten:
            return [try flattenType(inputs, a)]
        case .squeeze:
            return [try squeezeType(inputs, a)]
        case .unsqueeze:
            return [try unsqueezeType(inputs, a)]
        case .expand:
            return [try expandType(inputs, a)]
        case .tile:
            return [try tileType(inputs, a)]
        case .concat:
            return [try concatType(inputs, a)]
        case .split:
            return try splitTypes(inputs, a)
        case .slice:
            return [try sliceType(inputs, a)]
        case .gather:
            return [try gatherType(inputs, a)]
        case .pad:
            return [try padType(inputs, a)]
        case .lstm:
            return try recurrentTypes(inputs, a, gates: 4)
        case .gru:
            return try recurrentTypes(inputs, a, gates: 3)
        case .scatter_add:
            return [try scatterAddType(inputs, a)]
        case .one_hot:
            return [try oneHotType(inputs, a)]
        case .max_pool2d_grad, .avg_pool2d_grad:
            return [try poolGradientType(inputs, a)]
        case .conv2d_weight_grad:
            return [try convWeightGradientType(inputs, a)]
        case .cross_entropy:
            return [try crossEntropyType(inputs)]
        case .binary_cross_entropy, .mse:
            return [try elementwiseLossType(inputs)]
        case .constant:
            return [try constantType(a)]
        case .fused:
            // The results are the body's outputs; the verifier checks the body against the operands.
            throw ShapeError("fused: result types come from its body, not from a shape rule")
        }
    }
}

/// numpy broadcasting of two shapes: align from the right; equal dims stay, 1 stretches.
public func broadcastShapes(_ a: [Dim], _ b: [Dim]) throws(ShapeError) -> [Dim] {
    let rank = Swift.max(a.count, b.count)
    var result: [Dim] = []
    for i in 0..<rank {
        let x = i < rank - a.count ? Dim.fixed(1) : a[i - (rank - a.count)]
        let y = i < rank - b.count ? Dim.fixed(1) : b[i - (rank - b.count)]
        if x == y || y == .fixed(1) {
            result.append(x)
        } else if x == .fixed(1) {
            result.append(y)
        } else {
            throw ShapeError("cannot broadcast \(shapeText(a)) with \(shapeText(b)): dimension \(i - rank) is \(x) vs \(y)")
        }
    }
    return result
}

/// `[N, 784]`
public func shapeText(_ shape: [Dim]) -> String {
    "[" + shape.map(\.description).joined(separator: ", ") + "]"
}
