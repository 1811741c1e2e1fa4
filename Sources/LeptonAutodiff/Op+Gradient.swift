import LeptonIR

/// The gradient facet: for every op, the adjoints of its operands given the adjoints of its
/// results. One exhaustive switch, so a new op case makes the compiler ask for its rule here;
/// the rules themselves live in `Gradient+<group>.swift`, written with the ops' own building
/// blocks so that the backward graph is optimized and run like any other.
extension Op {
    /// `results[i]` is ∂loss/∂(output i), nil when no gradient reaches it (zero). `needs[i]`
    /// says whether operand i depends on a value being differentiated for; rules may skip the
    /// others. Returns one entry per operand (nil: no gradient, e.g. for indices).
    func gradients(of node: Node, results: [ValueID?], needs: [Bool], _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
        let rule = GradientRule(node: node, results: results, needs: needs)
        switch self {
        case .exp, .log, .sqrt, .rsqrt, .reciprocal, .sigmoid, .tanh, .softplus, .erf, .gelu, .leaky_relu, .elu,
             .neg, .abs, .relu, .clip, .identity:
            return [try unaryGradient(rule, &b)]
        case .floor, .ceil:
            throw GradientError("\(self) has no gradient (it is zero almost everywhere), so the loss cannot be trained through it")
        case .cast:
            return [try castGradient(rule, &b)]
        case .add, .sub, .mul, .div, .pow, .max, .min:
            return try binaryGradient(rule, &b)
        case .where:
            return try whereGradient(rule, &b)
        case .eq, .ne, .lt, .le, .gt, .ge, .and, .or, .xor, .not, .argmax, .argmin:
            // Bool and integer results never carry an adjoint; `castGradient` reports a path
            // that tries to differentiate through one.
            return []
        case .matmul:
            return try matmulGradient(rule, &b)
        case .gemm:
            return try gemmGradient(rule, &b)
        case .linear:
            return try linearGradient(rule, &b)
        case .reduce_sum, .reduce_mean, .reduce_max, .reduce_min, .reduce_prod:
            return [try reductionGradient(rule, &b)]
        case .softmax, .log_softmax:
            return [try softmaxGradient(rule, &b)]
        case .reshape, .flatten, .squeeze, .unsqueeze:
            return [try b.reshape(rule.gradient, b.shape(rule.x))]
        case .transpose:
            return [try transposeGradient(rule, &b)]
        case .concat:
            return try concatGradient(rule, &b)
        case .split:
            return [try splitGradient(rule, &b)]
        case .slice:
            return [try sliceGradient(rule, &b)]
        case .expand:
            return [try b.sumToShape(rule.gradient, b.shape(rule.x))]
        case .pad:
            return [try padGradient(rule, &b)]
        case .tile:
            return [try tileGradient(rule, &b)]
        case .gather:
            return try gatherGradient(rule, &b)
        case .conv2d, .conv_transpose2d, .max_pool2d, .avg_pool2d, .global_avg_pool:
            return try convolutionGradient(rule, &b)
        case .batch_norm, .layer_norm, .instance_norm:
            return try normalizationGradient(rule, &b)
        case .lstm, .gru:
            return try recurrentGradient(rule, &b)
        case .scatter_add:  // data passes through; each update came from one gathered position
            let updates = rule.needs(2) ? try b.apply(.gather, [rule.gradient, node.inputs[1]], ["axis": rule.attributes["axis"] ?? .int(0)])[0] : nil
            return [rule.gradient, nil, updates]
        case .cross_entropy, .binary_cross_entropy, .mse:
            return try lossGradient(rule, &b)
        case .one_hot:
            return []
        case .max_pool2d_grad, .avg_pool2d_grad, .conv2d_weight_grad:
            throw GradientError("\(self) is itself a gradient; second derivatives are not supported")
        case .constant:
            return []
        case .fused:
            throw GradientError("differentiate before fusion: fused kernels have no gradient rule")
        }
    }
}

/// One node being differentiated, with shorthands the rules share.
struct GradientRule {
    let node: Node
    /// Adjoints of the results (nil: zero).
    let results: [ValueID?]
    /// Whether each operand needs an adjoint.
    let needs: [Bool]

    var op: Op { node.op }
    var attributes: Attributes { node.attributes }
    /// The first operand and the first result.
    var x: ValueID { node.inputs[0] }
    var y: ValueID { node.outputs[0] }
    /// The first result's adjoint (rules of single-result ops run only when it exists).
    var gradient: ValueID { results[0] ?? node.outputs[0] }

    /// Operand `i`, when given (trailing optional operands may be left off).
    func operand(_ i: Int) -> ValueID? { i < node.inputs.count ? node.inputs[i] : nil }

    func needs(_ i: Int) -> Bool { i < needs.count && needs[i] }
}
