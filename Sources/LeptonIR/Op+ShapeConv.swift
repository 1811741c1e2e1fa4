// Shape rules of conv2d and conv_transpose2d (NCHW, ONNX semantics).

/// Sizes above this are rejected by the window rules, so their arithmetic cannot overflow.
let windowSizeLimit = 1 << 31

/// The validated window attributes of a conv or pooling node.
struct Window {
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    var pads: [Int]
    var padding: String
    var ceilMode: Bool
}

private let spatialLabels = ["H", "W"]

extension Op {
    /// Reads and checks strides, pads, dilations (when the op has them) and padding (explicit
    /// when the op has none, as conv2d_weight_grad).
    func windowAttributes(_ attributes: Attributes, kernel: [Int]) throws(ShapeError) -> Window {
        let strides = attributes.ints("strides"), pads = attributes.ints("pads")
        let dilations = attributes["dilations"] == nil ? [1, 1] : attributes.ints("dilations")
        try requireCount(strides, 2, "strides")
        try requireCount(pads, 4, "pads")
        try requireCount(dilations, 2, "dilations")
        try requireAtLeast(strides, 1, "strides")
        try requireAtLeast(dilations, 1, "dilations")
        try requireAtLeast(pads, 0, "pads")
        try requireBelowLimit(kernel + strides + dilations + pads)
        let ceilMode = attributes["ceil_mode"] == nil ? false : attributes.bool("ceil_mode")
        let padding = attributes["padding"] == nil ? "explicit" : attributes.choice("padding")
        return Window(kernel: kernel, strides: strides, dilations: dilations, pads: pads,
                      padding: padding, ceilMode: ceilMode)
    }

    func requireBelowLimit(_ values: [Int]) throws(ShapeError) {
        if let big = values.first(where: { $0 >= windowSizeLimit }) {
            throw fail("size \(big) is too large (limit \(windowSizeLimit))")
        }
    }

    /// Output H and W of `window` sliding over x[N, C, H, W]. A symbolic H passes through when
    /// the window provably keeps its size (stride 1, padding adding up to the kernel's extent).
    func spatialOutput(_ x: [Dim], _ w: Window) throws(ShapeError) -> [Dim] {
        var result: [Dim] = []
        for i in 0..<2 {
            let what = "dimension \(i + 2) (\(spatialLabels[i]))"
            let extent = dilatedKernel(w.kernel[i], w.dilations[i])
            let keepsSize = w.strides[i] == 1 && padsAdd(w, i) == extent - 1
            if case .symbol = x[i + 2], keepsSize {
                result.append(x[i + 2])
                continue
            }
            let n = try known(x[i + 2], what, operand: 0)
            try requireBelowLimit([n])
            let (out, _) = LeptonIR.windowOutput(input: [n], kernel: [w.kernel[i]], strides: [w.strides[i]],
                                                 dilations: [w.dilations[i]], pads: [w.pads[i], w.pads[i + 2]],
                                                 padding: w.padding, ceilMode: w.ceilMode)
            guard out[0] >= 1 else {
                throw fail("output \(what) would be empty: input size \(n) with pads \(w.pads[i]) and "
                    + "\(w.pads[i + 2]) is smaller than the kernel extent \(extent)", operand: 0)
            }
            result.append(.fixed(out[0]))
        }
        return result
    }

    /// The pads dimension `i` gains; for the same modes, whatever keeps the size at stride 1.
    private func padsAdd(_ w: Window, _ i: Int) -> Int {
        switch w.padding {
        case "same", "same_lower": dilatedKernel(w.kernel[i], w.dilations[i]) - 1
        case "valid": 0
        default: w.pads[i] + w.pads[i + 2]
        }
    }

    /// Checks x, w (and b) are of one floating-point dtype with ranks 4, 4 (and 1).
    func requireConvOperands(_ inputs: [TensorType], weightLayout: String) throws(ShapeError) {
        try requireFloat(inputs, 0)
        try requireRank(inputs, 0, 4, "[N, C, H, W]")
        try requireSameDType(inputs, 1, as: 0)
        try requireRank(inputs, 1, 4, weightLayout)
        if inputs.count == 3 { try requireSameDType(inputs, 2, as: 0) }
    }

    /// The kernel's spatial sizes, w[.., .., kH, kW], which must be known and positive.
    func kernelSizes(_ w: [Dim]) throws(ShapeError) -> [Int] {
        let kernel = [try known(w[2], "dimension 2 (kH) of w", operand: 1),
                      try known(w[3], "dimension 3 (kW) of w", operand: 1)]
        guard kernel.allSatisfy({ $0 >= 1 }) else {
            throw fail("kernel size must be positive, got w \(shapeText(w))", operand: 1)
        }
        return kernel
    }

    /// The bias, when given, must be [M].
    func requireBias(_ inputs: [TensorType], channels: Dim) throws(ShapeError) {
        guard inputs.count == 3 else { return }
        guard inputs[2].shape == [channels] else {
            throw fail("expects b of shape [M] = [\(channels)], got \(shapeText(inputs[2].shape))", operand: 2)
        }
    }

    /// conv2d(x[N, C, H, W], w[M, C/group, kH, kW], b[M]?) -> [N, M, Ho, Wo].
    func convType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireConvOperands(inputs, weightLayout: "[M, C/group, kH, kW]")
        let (x, w) = (inputs[0].shape, inputs[1].shape)
        let group = attributes.int("group")
        guard group >= 1 else { throw fail("group must be positive, got \(group)") }
        let detail = "(w[M, C/group, kH, kW] = \(shapeText(w)), group \(group))"
        if group == 1 {
            guard x[1] == w[1] else {
                throw fail("input has \(x[1]) channels but w expects \(w[1]) \(detail)", operand: 1)
            }
        } else {
            let c = try known(x[1], "dimension 1 (C) with group \(group)", operand: 0)
            let perGroup = try known(w[1], "dimension 1 (C/group) of w with group \(group)", operand: 1)
            let m = try known(w[0], "dimension 0 (M) of w with group \(group)", operand: 1)
            guard c == (try checkedMul(perGroup, group)) else {
                throw fail("input has \(c) channels but w expects \(perGroup * group) \(detail)", operand: 1)
            }
            guard m % group == 0 else {
                throw fail("has \(m) output channels, not divisible by group \(group) \(detail)", operand: 1)
            }
        }
        try requireBias(inputs, channels: w[0])
        let spatial = try spatialOutput(x, try windowAttributes(attributes, kernel: try kernelSizes(w)))
        return TensorType(inputs[0].dtype, [x[0], w[0]] + spatial)
    }

    /// conv_transpose2d(x[N, C, H, W], w[C, M/group, kH, kW], b[M]?) -> [N, M, Ho, Wo] with
    /// Ho = stride * (H - 1) + output_padding + dilated kernel - pads (in * stride for same).
    func convTransposeType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireConvOperands(inputs, weightLayout: "[C, M/group, kH, kW]")
        let (x, w) = (inputs[0].shape, inputs[1].shape)
        let group = attributes.int("group")
        guard group >= 1 else { throw fail("group must be positive, got \(group)") }
        guard x[1] == w[0] else {
            throw fail("input has \(x[1]) channels but w expects \(w[0]) "
                + "(w[C, M/group, kH, kW] = \(shapeText(w)), group \(group))", operand: 1)
        }
        var m = w[1]
        if group > 1 {
            let c = try known(x[1], "dimension 1 (C) with group \(group)", operand: 0)
            guard c % group == 0 else {
                throw fail("input has \(c) channels, not divisible by group \(group)", operand: 0)
            }
            m = .fixed(try checkedMul(try known(w[1], "dimension 1 (M/group) of w", operand: 1), group))
        }
        try requireBias(inputs, channels: m)
        let win = try windowAttributes(attributes, kernel: try kernelSizes(w))
        let outputPadding = attributes.ints("output_padding")
        try requireCount(outputPadding, 2, "output_padding")
        try requireAtLeast(outputPadding, 0, "output_padding")
        for i in 0..<2 where outputPadding[i] >= Swift.max(win.strides[i], win.dilations[i]) {
            throw fail("output_padding \(outputPadding) must be smaller than the stride or the dilation")
        }
        var spatial: [Dim] = []
        for i in 0..<2 {
            spatial.append(try transposedOutput(x[i + 2], index: i, win, outputPadding: outputPadding[i]))
        }
        return TensorType(inputs[0].dtype, [x[0], m] + spatial)
    }

    /// One spatial output size of conv_transpose2d.
    private func transposedOutput(_ dim: Dim, index i: Int, _ w: Window, outputPadding: Int) throws(ShapeError) -> Dim {
        let what = "dimension \(i + 2) (\(spatialLabels[i]))"
        let extent = dilatedKernel(w.kernel[i], w.dilations[i])
        let same = w.padding == "same" || w.padding == "same_lower"
        if same, outputPadding + extent < w.strides[i] {
            throw fail("padding \(w.padding) needs kernel extent \(extent) + output_padding \(outputPadding) "
                + "to reach the stride \(w.strides[i])")
        }
        let (pb, pe) = w.padding == "valid" ? (0, 0) : (w.pads[i], w.pads[i + 2])
        let growth = outputPadding + extent - 1 - pb - pe
        if case .symbol = dim, w.strides[i] == 1, same || growth == 0 { return dim }
        let n = try known(dim, what, operand: 0)
        try requireBelowLimit([n])
        let out = same ? n * w.strides[i]
            : transposedSize(input: n, kernel: w.kernel[i], stride: w.strides[i], dilation: w.dilations[i],
                             padBegin: pb, padEnd: pe, outputPadding: outputPadding)
        guard out >= 1 else {
            throw fail("output \(what) would be \(out) (input \(n), stride \(w.strides[i]), "
                + "kernel extent \(extent), output_padding \(outputPadding), pads \(pb) and \(pe))", operand: 0)
        }
        return .fixed(out)
    }
}
