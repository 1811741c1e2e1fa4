/// One positional operand of an op.
public struct InputSpec: Hashable, Sendable {
    public var name: String
    /// May be left off; only trailing operands are optional.
    public var isOptional: Bool
    /// Takes any number (at least one) of operands; only the last operand may be variadic.
    public var isVariadic: Bool

    public static func required(_ name: String) -> InputSpec { InputSpec(name: name, isOptional: false, isVariadic: false) }
    public static func optional(_ name: String) -> InputSpec { InputSpec(name: name, isOptional: true, isVariadic: false) }
    public static func variadic(_ name: String) -> InputSpec { InputSpec(name: name, isOptional: false, isVariadic: true) }
}

/// What an op accepts: its operands and its attributes (with defaults).
public struct OpSchema: Hashable, Sendable {
    public var inputs: [InputSpec]
    public var attributes: [AttributeSpec]

    public init(_ inputs: [InputSpec], _ attributes: [AttributeSpec] = []) {
        self.inputs = inputs
        self.attributes = attributes
    }

    /// The fewest and most operands accepted (`nil` max for variadic ops).
    public var arity: (min: Int, max: Int?) {
        let required = inputs.filter { !$0.isOptional }.count
        return (required, inputs.contains { $0.isVariadic } ? nil : inputs.count)
    }

    public func attribute(named name: String) -> AttributeSpec? {
        attributes.first { $0.name == name }
    }

    /// Every attribute that has a default, set to it: the starting point of a node's attributes.
    public var defaults: Attributes {
        var result = Attributes()
        for spec in attributes { result[spec.name] = spec.defaultValue }
        return result
    }
}

private let unary: [InputSpec] = [.required("x")]
private let binary: [InputSpec] = [.required("x"), .required("y")]
private let paddingModes: AttributeKind = .choice(["explicit", "same", "same_lower", "valid"])
private let directions: AttributeKind = .choice(["forward", "reverse", "bidirectional"])

/// How a pre-packed weight operand is laid out ("" = the op's standard layout); set only by
/// the `prepack` pass for the runtime's kernels.
private let weightLayout = AttributeSpec("weight_layout", .string, default: .string(""))

private func reduction() -> OpSchema {
    OpSchema(unary, [AttributeSpec("axes", .ints, default: .ints([])), AttributeSpec("keepdims", .bool, default: .bool(true))])
}

private func argReduction() -> OpSchema {
    OpSchema(unary, [
        AttributeSpec("axis", .int, default: .int(0)),
        AttributeSpec("keepdims", .bool, default: .bool(true)),
        AttributeSpec("select_last_index", .bool, default: .bool(false)),
    ])
}

private func window(maxPool: Bool) -> [AttributeSpec] {
    var specs = [
        AttributeSpec("kernel", .ints),
        AttributeSpec("strides", .ints, default: .ints([1, 1])),
        AttributeSpec("pads", .ints, default: .ints([0, 0, 0, 0])),
        AttributeSpec("padding", paddingModes, default: .choice("explicit")),
        AttributeSpec("ceil_mode", .bool, default: .bool(false)),
    ]
    if maxPool {
        specs.append(AttributeSpec("dilations", .ints, default: .ints([1, 1])))
    } else {
        specs.append(AttributeSpec("count_include_pad", .bool, default: .bool(false)))
    }
    return specs
}

private func convolution(transposed: Bool) -> OpSchema {
    var specs = [
        AttributeSpec("strides", .ints, default: .ints([1, 1])),
        AttributeSpec("pads", .ints, default: .ints([0, 0, 0, 0])),
        AttributeSpec("dilations", .ints, default: .ints([1, 1])),
        AttributeSpec("group", .int, default: .int(1)),
        AttributeSpec("padding", paddingModes, default: .choice("explicit")),
    ]
    if transposed {
        specs.append(AttributeSpec("output_padding", .ints, default: .ints([0, 0])))
    }
    specs.append(weightLayout)
    return OpSchema([.required("x"), .required("w"), .optional("b")], specs)
}

/// conv2d's window attributes without `padding` (explicit pads only) and with the kernel
/// size given, since the weight it computes is not an operand.
private func weightGradient() -> OpSchema {
    OpSchema([.required("x"), .required("dy")], [
        AttributeSpec("kernel", .ints),
        AttributeSpec("strides", .ints, default: .ints([1, 1])),
        AttributeSpec("pads", .ints, default: .ints([0, 0, 0, 0])),
        AttributeSpec("dilations", .ints, default: .ints([1, 1])),
        AttributeSpec("group", .int, default: .int(1)),
    ])
}

private func loss(_ prediction: String, _ target: String) -> OpSchema {
    OpSchema([.required(prediction), .required(target)],
             [AttributeSpec("reduction", .choice(["mean", "sum"]), default: .choice("mean"))])
}

extension Op {
    /// Operands and attributes, as the parser checks them and the printer writes them.
    public var schema: OpSchema {
        switch self {
        case .exp, .log, .sqrt, .rsqrt, .reciprocal, .sigmoid, .tanh, .softplus, .erf, .floor, .ceil,
             .neg, .abs, .relu, .identity, .not:
            OpSchema(unary)
        case .gelu:
            OpSchema(unary, [AttributeSpec("approximate", .choice(["none", "tanh"]), default: .choice("none"))])
        case .leaky_relu:
            OpSchema(unary, [AttributeSpec("alpha", .float, default: .float(0.01))])
        case .elu:
            OpSchema(unary, [AttributeSpec("alpha", .float, default: .float(1.0))])
        case .clip:
            OpSchema(unary, [
                AttributeSpec("min", .float, default: .float(-.infinity)),
                AttributeSpec("max", .float, default: .float(.infinity)),
            ])
        case .cast:
            OpSchema(unary, [AttributeSpec("to", .dtype)])
        case .add, .sub, .mul, .div, .pow, .max, .min, .eq, .ne, .lt, .le, .gt, .ge, .and, .or, .xor:
            OpSchema(binary)
        case .where:
            OpSchema([.required("cond"), .required("x"), .required("y")])
        case .matmul:
            OpSchema([.required("a"), .required("b")], [weightLayout])
        case .gemm:
            OpSchema([.required("a"), .required("b"), .optional("c")], [
                AttributeSpec("alpha", .float, default: .float(1.0)),
                AttributeSpec("beta", .float, default: .float(1.0)),
                AttributeSpec("trans_a", .bool, default: .bool(false)),
                AttributeSpec("trans_b", .bool, default: .bool(false)),
                weightLayout,
            ])
        case .linear:
            OpSchema([.required("x"), .required("w"), .optional("b")], [weightLayout])
        case .conv2d:
            convolution(transposed: false)
        case .conv_transpose2d:
            convolution(transposed: true)
        case .max_pool2d:
            OpSchema(unary, window(maxPool: true))
        case .avg_pool2d:
            OpSchema(unary, window(maxPool: false))
        case .global_avg_pool:
            OpSchema(unary)
        case .batch_norm:
            OpSchema([.required("x"), .required("scale"), .required("bias"), .required("mean"), .required("var")],
                     [AttributeSpec("epsilon", .float, default: .float(1e-5))])
        case .layer_norm:
            OpSchema([.required("x"), .required("scale"), .optional("bias")], [
                AttributeSpec("axis", .int, default: .int(-1)),
                AttributeSpec("epsilon", .float, default: .float(1e-5)),
            ])
        case .instance_norm:
            OpSchema([.required("x"), .required("scale"), .required("bias")],
                     [AttributeSpec("epsilon", .float, default: .float(1e-5))])
        case .softmax, .log_softmax:
            OpSchema(unary, [AttributeSpec("axis", .int, default: .int(-1))])
        case .reduce_sum, .reduce_mean, .reduce_max, .reduce_min, .reduce_prod:
            reduction()
        case .argmax, .argmin:
            argReduction()
        case .reshape:
            OpSchema(unary, [AttributeSpec("shape", .ints)])
        case .transpose:
            OpSchema(unary, [AttributeSpec("perm", .ints, default: .ints([]))])
        case .flatten:
            OpSchema(unary, [AttributeSpec("axis", .int, default: .int(1))])
        case .squeeze:
            OpSchema(unary, [AttributeSpec("axes", .ints, default: .ints([]))])
        case .unsqueeze:
            OpSchema(unary, [AttributeSpec("axes", .ints)])
        case .concat:
            OpSchema([.variadic("inputs")], [AttributeSpec("axis", .int)])
        case .split:
            OpSchema(unary, [
                AttributeSpec("axis", .int, default: .int(0)),
                AttributeSpec("sizes", .ints, default: .ints([])),
                AttributeSpec("parts", .int, default: .int(0)),
            ])
        case .slice:
            OpSchema(unary, [
                AttributeSpec("starts", .ints),
                AttributeSpec("ends", .ints),
                AttributeSpec("axes", .ints, default: .ints([])),
                AttributeSpec("steps", .ints, default: .ints([])),
            ])
        case .gather:
            OpSchema([.required("data"), .required("indices")], [AttributeSpec("axis", .int, default: .int(0))])
        case .expand:
            OpSchema(unary, [AttributeSpec("shape", .ints)])
        case .pad:
            OpSchema(unary, [
                AttributeSpec("pads", .ints),
                AttributeSpec("mode", .choice(["constant", "reflect", "edge"]), default: .choice("constant")),
                AttributeSpec("value", .float, default: .float(0)),
            ])
        case .tile:
            OpSchema(unary, [AttributeSpec("repeats", .ints)])
        case .lstm:
            OpSchema([.required("x"), .required("w"), .required("r"), .optional("b"), .optional("initial_h"), .optional("initial_c")], [
                AttributeSpec("hidden_size", .int),
                AttributeSpec("direction", directions, default: .choice("forward")),
            ])
        case .gru:
            OpSchema([.required("x"), .required("w"), .required("r"), .optional("b"), .optional("initial_h")], [
                AttributeSpec("hidden_size", .int),
                AttributeSpec("direction", directions, default: .choice("forward")),
                AttributeSpec("linear_before_reset", .bool, default: .bool(false)),
            ])
        case .scatter_add:
            OpSchema([.required("data"), .required("indices"), .required("updates")],
                     [AttributeSpec("axis", .int, default: .int(0))])
        case .one_hot:
            OpSchema([.required("indices")],
                     [AttributeSpec("depth", .int), AttributeSpec("dtype", .dtype, default: .dtype(.f32))])
        case .max_pool2d_grad:
            OpSchema([.required("x"), .required("dy")], window(maxPool: true))
        case .avg_pool2d_grad:
            OpSchema([.required("x"), .required("dy")], window(maxPool: false))
        case .conv2d_weight_grad:
            weightGradient()
        case .cross_entropy:
            loss("logits", "labels")
        case .binary_cross_entropy:
            loss("p", "y")
        case .mse:
            loss("pred", "target")
        case .constant:
            OpSchema([], [AttributeSpec("value", .tensor), AttributeSpec("dtype", .dtype)])
        case .fused:
            OpSchema([.variadic("operands")])
        }
    }
}
