import LeptonIR

/// The op table, inverted: each Lepton op as the ONNX node(s) that compute it. Lepton's ops
/// follow ONNX's semantics (gate orders, pad layouts, reshape's 0 and -1), so most map
/// one to one with their attributes renamed; the ops whose attributes ONNX takes as inputs
/// are in `ONNXExport+Movement.swift`.
extension ONNXExport {
    /// Writes the ONNX node(s) for `node` (`refusal` has already let it through).
    mutating func convert(_ node: Node) {
        let a = node.attributes
        switch node.op {
        case .exp: direct("Exp")
        case .log: direct("Log")
        case .sqrt: direct("Sqrt")
        case .rsqrt: chain("Sqrt", "Reciprocal")
        case .reciprocal: direct("Reciprocal")
        case .sigmoid: direct("Sigmoid")
        case .tanh: direct("Tanh")
        case .softplus: direct("Softplus")
        case .erf: direct("Erf")
        case .gelu: direct("Gelu", [.init("approximate", .string(a.choice("approximate")))])
        case .leaky_relu: direct("LeakyRelu", [float("alpha", a.float("alpha"))])
        case .elu: direct("Elu", [float("alpha", a.float("alpha"))])
        case .floor: direct("Floor")
        case .ceil: direct("Ceil")
        case .neg: direct("Neg")
        case .abs: direct("Abs")
        case .relu: direct("Relu")
        case .clip: clip(a)
        case .identity: direct("Identity")
        case .cast: direct("Cast", [.init("to", .int(Self.dataType(a.dtype("to")).rawValue))])
        case .add: direct("Add")
        case .sub: direct("Sub")
        case .mul: direct("Mul")
        case .div: direct("Div")
        case .pow: direct("Pow")
        case .max: direct("Max")
        case .min: direct("Min")
        case .eq: direct("Equal")
        case .ne: chain("Equal", "Not")
        case .lt: direct("Less")
        case .le: direct("LessOrEqual")
        case .gt: direct("Greater")
        case .ge: direct("GreaterOrEqual")
        case .and: direct("And")
        case .or: direct("Or")
        case .xor: direct("Xor")
        case .not: direct("Not")
        case .where: direct("Where")
        case .matmul: direct("MatMul")
        case .gemm:
            direct("Gemm", [float("alpha", a.float("alpha")), float("beta", a.float("beta")),
                            .init("transA", .int(a.bool("trans_a") ? 1 : 0)), .init("transB", .int(a.bool("trans_b") ? 1 : 0))])
        case .linear: linear()
        case .conv2d, .conv_transpose2d: convolution(a)
        case .max_pool2d, .avg_pool2d: pool(a)
        case .global_avg_pool: direct("GlobalAveragePool")
        case .batch_norm: direct("BatchNormalization", [float("epsilon", a.float("epsilon"))])
        case .layer_norm: direct("LayerNormalization", [int("axis", a.int("axis")), float("epsilon", a.float("epsilon"))])
        case .instance_norm: direct("InstanceNormalization", [float("epsilon", a.float("epsilon"))])
        case .softmax: direct("Softmax", [int("axis", a.int("axis"))])
        case .log_softmax: direct("LogSoftmax", [int("axis", a.int("axis"))])
        case .reduce_sum: reduction("ReduceSum", a)
        case .reduce_mean: reduction("ReduceMean", a)
        case .reduce_max: reduction("ReduceMax", a)
        case .reduce_min: reduction("ReduceMin", a)
        case .reduce_prod: reduction("ReduceProd", a)
        case .argmax, .argmin:
            direct(node.op == .argmax ? "ArgMax" : "ArgMin", [
                int("axis", a.int("axis")), int("keepdims", a.bool("keepdims") ? 1 : 0),
                int("select_last_index", a.bool("select_last_index") ? 1 : 0),
            ])
        case .reshape: withConstant("Reshape", int64s(a.ints("shape"), "shape"))
        case .transpose: direct("Transpose", a.ints("perm").isEmpty ? [] : [ints("perm", a.ints("perm"))])
        case .flatten: direct("Flatten", [int("axis", a.int("axis"))])
        case .squeeze: withConstant("Squeeze", a.ints("axes").isEmpty ? nil : int64s(a.ints("axes"), "axes"))
        case .unsqueeze: withConstant("Unsqueeze", int64s(a.ints("axes"), "axes"))
        case .concat: direct("Concat", [int("axis", a.int("axis"))])
        case .split: split(a)
        case .slice: slice(a)
        case .gather: direct("Gather", [int("axis", a.int("axis"))])
        case .expand: withConstant("Expand", int64s(a.ints("shape"), "shape"))
        case .pad: pad(a)
        case .tile: withConstant("Tile", int64s(a.ints("repeats"), "repeats"))
        case .lstm, .gru: recurrent(a)
        case .one_hot: oneHot(a)
        case .constant: direct("Constant", [.init("value", .tensor(Self.tensor(a.tensor("value"), named: "")))])
        case .scatter_add, .max_pool2d_grad, .avg_pool2d_grad, .conv2d_weight_grad, .cross_entropy,
             .binary_cross_entropy, .mse, .fused:
            preconditionFailure("\(node.op) has no ONNX form; checkEveryOpIsExportable refuses it first")
        }
    }

    // MARK: emitting

    /// The current node's operand names.
    var operands: [String] { node!.inputs.map { names[$0] } }
    /// The current node's result names.
    var results: [String] { node!.outputs.map { names[$0] } }

    /// Appends an ONNX node, named after its first output.
    mutating func emit(_ opType: String, _ inputs: [String], _ outputs: [String], _ attributes: [ONNXAttribute] = []) {
        onnx.nodes.append(ONNXNode(opType, inputs: inputs, outputs: outputs, name: outputs.first ?? "", attributes: attributes))
    }

    /// One ONNX node with the same operands and results.
    mutating func direct(_ opType: String, _ attributes: [ONNXAttribute] = []) {
        emit(opType, operands, results, attributes)
    }

    /// The node's operands followed by constant inputs (nil: omitted, "" in the middle), with
    /// the node's results.
    mutating func withConstant(_ opType: String, _ constants: String?..., attributes: [ONNXAttribute] = []) {
        var inputs = operands + constants.map { $0 ?? "" }
        while inputs.last == "" { inputs.removeLast() }
        emit(opType, inputs, results, attributes)
    }

    /// `first` then `second` on its result: a Lepton op ONNX spells as two.
    mutating func chain(_ first: String, _ second: String) {
        let middle = fresh("\(outputName)_\(first.lowercased())")
        emit(first, operands, [middle])
        emit(second, [middle], results)
    }

    func int(_ name: String, _ value: Int) -> ONNXAttribute { ONNXAttribute(name, .int(Int64(value))) }
    func ints(_ name: String, _ values: [Int]) -> ONNXAttribute { ONNXAttribute(name, .ints(values.map { Int64($0) })) }
    /// ONNX float attributes are f32.
    func float(_ name: String, _ value: Double) -> ONNXAttribute { ONNXAttribute(name, .float(Float(value))) }

    // MARK: elementwise and linear algebra

    /// Clip with its bounds as scalar inputs of x's dtype; an infinite bound is left out.
    mutating func clip(_ a: Attributes) {
        let dtype = graph.type(of: node!.inputs[0]).dtype
        let low = a.float("min"), high = a.float("max")
        withConstant("Clip", low == -.infinity ? nil : scalar(low, dtype, "min"), high == .infinity ? nil : scalar(high, dtype, "max"))
    }

    /// linear(x, w[K, N], b?): `Gemm` for a 2-D x (the weight is already [K, N], no transB),
    /// else `MatMul` then `Add` of the bias.
    mutating func linear() {
        let x = node!.inputs[0]
        guard graph.type(of: x).rank != 2 else { return direct("Gemm") }
        guard operands.count == 3 else { return direct("MatMul") }
        let product = fresh("\(outputName)_matmul")
        emit("MatMul", Array(operands.prefix(2)), [product])
        emit("Add", [product, operands[2]], results)
    }

    /// The window's padding as explicit ONNX pads, never `auto_pad` (which onnxruntime refuses
    /// with dilations, and ONNX deprecates). The shape rules allow a symbolic size only at
    /// stride 1, where a same pad is the kernel extent less one whatever the size, so any size
    /// stands in for it.
    func windowPads(_ a: Attributes, kernel: [Int], dilations: [Int]) -> ONNXAttribute {
        let spatial = graph.type(of: node!.inputs[0]).shape.suffix(2).map { $0.fixedValue ?? 1 }
        return ints("pads", resolvePads(input: spatial, kernel: kernel, strides: a.ints("strides"), dilations: dilations,
                                        pads: a.ints("pads"), padding: a.choice("padding")))
    }

    /// Conv and ConvTranspose (whose pads do not depend on the input size, so are always explicit).
    mutating func convolution(_ a: Attributes) {
        let kernel = Array(graph.type(of: node!.inputs[1]).fixedShape!.suffix(2))  // a param: never symbolic
        let dilations = a.ints("dilations")
        var attributes = [ints("strides", a.ints("strides")), ints("dilations", dilations), int("group", a.int("group")),
                          ints("kernel_shape", kernel)]
        guard node!.op == .conv_transpose2d else {
            return direct("Conv", attributes + [windowPads(a, kernel: kernel, dilations: dilations)])
        }
        let outputPadding = a.ints("output_padding")
        // Transposed pads depend on the kernel, strides and output_padding only (input: the rank).
        let pads = resolveTransposePads(input: [0, 0], kernel: kernel, strides: a.ints("strides"), dilations: dilations,
                                        outputPadding: outputPadding, pads: a.ints("pads"), padding: a.choice("padding"))
        attributes += [ints("output_padding", outputPadding), ints("pads", pads)]
        direct("ConvTranspose", attributes)
    }

    /// MaxPool and AveragePool; ceil_mode only ever applies to explicit pads in Lepton.
    mutating func pool(_ a: Attributes) {
        let kernel = a.ints("kernel")
        let isMax = node!.op == .max_pool2d
        let dilations = isMax ? a.ints("dilations") : [1, 1]
        let ceilMode = a.bool("ceil_mode") && a.choice("padding") == "explicit"
        var attributes = [ints("kernel_shape", kernel), ints("strides", a.ints("strides")), int("ceil_mode", ceilMode ? 1 : 0)]
        attributes.append(windowPads(a, kernel: kernel, dilations: dilations))
        guard isMax else {
            attributes.append(int("count_include_pad", a.bool("count_include_pad") ? 1 : 0))
            return direct("AveragePool", attributes)
        }
        attributes.append(ints("dilations", dilations))
        direct("MaxPool", attributes)
    }

    /// Reductions: ReduceSum takes its axes as an input from opset 13, the others from 18
    /// (an attribute before). No axes reduces everything in both forms.
    mutating func reduction(_ opType: String, _ a: Attributes) {
        let axes = a.ints("axes")
        let keepdims = int("keepdims", a.bool("keepdims") ? 1 : 0)
        if opType == "ReduceSum" || opset >= 18 {
            withConstant(opType, axes.isEmpty ? nil : int64s(axes, "axes"), attributes: [keepdims])
        } else {
            direct(opType, axes.isEmpty ? [keepdims] : [ints("axes", axes), keepdims])
        }
    }
}
