import LeptonIR

/// Gradients of convolutions and pooling. A convolution's input gradient is the transposed
/// convolution of g with the same weight (and the other way round), so both directions reuse
/// the fast conv kernels; weight gradients and pooling gradients have ops of their own
/// (`conv2d_weight_grad`, `max_pool2d_grad`, `avg_pool2d_grad`). Padding modes are resolved to
/// explicit pads first, so the backward ops see exactly the windows the forward used.
func convolutionGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let a = rule.attributes, g = rule.gradient
    if case .string(let layout) = a["weight_layout"], !layout.isEmpty {
        throw GradientError("differentiate before prepack: weight_layout \"\(layout)\" is a runtime layout")
    }
    switch rule.op {
    case .conv2d, .conv_transpose2d:
        let x = rule.x, w = rule.node.inputs[1], kernel = Array(b.shape(w).suffix(2))
        let spatial = Array(b.shape(x).suffix(2))
        let window: [String: Attribute] = ["strides": a["strides"] ?? .ints([1, 1]), "dilations": a["dilations"] ?? .ints([1, 1]),
                                           "group": a["group"] ?? .int(1)]
        let strides = a.ints("strides"), dilations = a.ints("dilations")
        var dx: ValueID?, dw: ValueID?, db: ValueID?
        if rule.op == .conv2d {
            let pads = resolvePads(input: spatial, kernel: kernel, strides: strides, dilations: dilations, pads: a.ints("pads"),
                                   padding: a.choice("padding"))
            var explicit = window
            explicit["pads"] = .ints(pads)
            if rule.needs(0) {
                // The transposed conv's output is one short of x where the forward windows did not
                // reach the end: output_padding adds those rows and columns back.
                let gSpatial = Array(b.shape(g).suffix(2))
                let outputPadding = (0..<2).map { i in
                    spatial[i] - transposedSize(input: gSpatial[i], kernel: kernel[i], stride: strides[i], dilation: dilations[i],
                                                padBegin: pads[i], padEnd: pads[i + 2], outputPadding: 0)
                }
                var attributes = explicit
                attributes["output_padding"] = .ints(outputPadding)
                dx = try b.apply(.conv_transpose2d, [g, w], attributes)[0]
            }
            if rule.needs(1) {
                var attributes = explicit
                attributes["kernel"] = .ints(kernel)
                dw = try b.apply(.conv2d_weight_grad, [x, g], attributes)[0]
            }
        } else {
            let pads = resolveTransposePads(input: spatial, kernel: kernel, strides: strides, dilations: dilations,
                                            outputPadding: a.ints("output_padding"), pads: a.ints("pads"), padding: a.choice("padding"))
            var explicit = window
            explicit["pads"] = .ints(pads)
            if rule.needs(0) { dx = try b.apply(.conv2d, [g, w], explicit)[0] }
            if rule.needs(1) {
                var attributes = explicit
                attributes["kernel"] = .ints(kernel)
                dw = try b.apply(.conv2d_weight_grad, [g, x], attributes)[0]  // roles swap: g is the "image"
            }
        }
        if rule.operand(2) != nil, rule.needs(2) {
            db = try b(.reduce_sum, g, attributes: ["axes": .ints([0, 2, 3]), "keepdims": .bool(false)])
        }
        return [dx, dw, db]
    case .max_pool2d:
        return [try b.apply(.max_pool2d_grad, [rule.x, g], a.values)[0]]
    case .avg_pool2d:
        return [try b.apply(.avg_pool2d_grad, [rule.x, g], a.values)[0]]
    case .global_avg_pool:
        let shape = b.shape(rule.x)
        let area = shape.dropFirst(2).reduce(1, *)
        return [try b(.mul, b.expand(g, shape), b.scalar(1 / Double(max(area, 1)), b.dtype(g)))]
    default:
        throw GradientError("internal: \(rule.op) is not a convolution or pooling op")
    }
}

/// gather: the adjoint scatters g back onto a zero table, adding where indices repeat.
func gatherGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    guard rule.needs(0) else { return [nil, nil] }
    let data = rule.x, indices = rule.node.inputs[1]
    let zeros = try b.filled(0, like: data)
    return [try b.apply(.scatter_add, [zeros, indices, rule.gradient], ["axis": rule.attributes["axis"] ?? .int(0)])[0], nil]
}

/// Losses (means unless `reduction: sum`): cross_entropy's logits get softmax − one_hot;
/// binary_cross_entropy follows PyTorch's backward, (p − y)/max(p(1 − p), 1e-12), and gives
/// y (soft targets) the clamped log-odds; mse gives 2(pred − target). Integer labels get none.
func lossGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let prediction = rule.x, target = rule.node.inputs[1], dtype = b.dtype(prediction)
    let shape = b.shape(prediction)
    let positions = rule.op == .cross_entropy ? shape.dropLast().reduce(1, *) : shape.reduce(1, *)
    let perElement = rule.attributes["reduction"] == .choice("sum") ? 1 : 1 / Double(max(positions, 1))
    let scale = try b(.mul, rule.gradient, b.scalar(perElement, dtype))  // a scalar: g / count
    func constant(_ value: Double) throws(GradientError) -> ValueID { try b.scalar(value, dtype) }
    switch rule.op {
    case .cross_entropy:
        guard rule.needs(0) else { return [nil, nil] }
        let probabilities = try b(.softmax, prediction, attributes: ["axis": .int(-1)])
        let hot = try b.apply(.one_hot, [target], ["depth": .int(shape.last ?? 0), "dtype": .dtype(dtype)])[0]
        return [try b(.mul, b(.sub, probabilities, hot), scale), nil]
    case .binary_cross_entropy:
        var dp: ValueID?, dy: ValueID?
        if rule.needs(0) {
            let variance = try b(.max, b(.mul, prediction, b(.sub, constant(1), prediction)), constant(1e-12))
            dp = try b(.mul, b(.div, b(.sub, prediction, target), variance), scale)
        }
        if rule.needs(1) {
            let floor = try constant(-100)
            let logP = try b(.max, b(.log, prediction), floor)
            let logQ = try b(.max, b(.log, b(.sub, constant(1), prediction)), floor)
            dy = try b(.mul, b(.sub, logQ, logP), scale)
        }
        return [dp, dy]
    case .mse:
        let twice = try b(.mul, b(.sub, prediction, target), b(.mul, scale, constant(2)))
        return [rule.needs(0) ? twice : nil, rule.needs(1) ? try b(.neg, twice) : nil]
    default:
        throw GradientError("internal: \(rule.op) is not a loss")
    }
}
