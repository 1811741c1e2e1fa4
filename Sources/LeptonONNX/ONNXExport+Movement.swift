import LeptonIR

/// The ops with more to their ONNX form than renamed attributes: split, slice and pad take
/// their attributes as constant inputs, LSTM/GRU skip the `sequence_lens` input Lepton does
/// not have, and OneHot wants its depth and on/off values as tensors.
extension ONNXExport {
    /// Split by `sizes` (an input), or into equal pieces: as many as the node has results
    /// (implied by the outputs before opset 18, `num_outputs` from 18).
    mutating func split(_ a: Attributes) {
        let axis = int("axis", a.int("axis"))
        let sizes = a.ints("sizes")
        if !sizes.isEmpty { return withConstant("Split", int64s(sizes, "split"), attributes: [axis]) }
        direct("Split", opset >= 18 ? [axis, int("num_outputs", results.count)] : [axis])
    }

    /// Slice(data, starts, ends, axes, steps), leaving out the trailing inputs Lepton leaves
    /// empty (ONNX's defaults are the same: the first axes, steps of 1).
    mutating func slice(_ a: Attributes) {
        let axes = a.ints("axes"), steps = a.ints("steps")
        withConstant("Slice", int64s(a.ints("starts"), "starts"), int64s(a.ints("ends"), "ends"),
                     axes.isEmpty ? nil : int64s(axes, "axes"), steps.isEmpty ? nil : int64s(steps, "steps"))
    }

    /// Pad(x, pads, constant_value): the pads have ONNX's layout already ([begin…, end…]); the
    /// fill value is a scalar of x's dtype, given only when it is not ONNX's default 0.
    mutating func pad(_ a: Attributes) {
        let mode = a.choice("mode"), value = a.float("value")
        let dtype = graph.type(of: node!.inputs[0]).dtype
        let fill = mode == "constant" && value != 0 ? scalar(value, dtype, "value") : nil
        withConstant("Pad", int64s(a.ints("pads"), "pads"), fill, attributes: [ONNXAttribute("mode", .string(mode))])
    }

    /// LSTM(X, W, R, B, sequence_lens, initial_h, initial_c) and GRU(X, W, R, B, sequence_lens,
    /// initial_h): Lepton's operands in that order with sequence_lens left out; the gate
    /// layouts (iofc, zrh) and result shapes are ONNX's.
    mutating func recurrent(_ a: Attributes) {
        var inputs = Array(operands.prefix(4))
        if operands.count > 4 { inputs += [""] + operands.dropFirst(4) }
        var attributes = [int("hidden_size", a.int("hidden_size")), ONNXAttribute("direction", .string(a.choice("direction")))]
        if node!.op == .gru { attributes.append(int("linear_before_reset", a.bool("linear_before_reset") ? 1 : 0)) }
        emit(node!.op == .lstm ? "LSTM" : "GRU", inputs, results, attributes)
    }

    /// OneHot(indices, depth, values: [off, on]) along the last axis; the result takes the
    /// values' dtype. The depth has the indices' dtype (the pairs onnxruntime implements).
    mutating func oneHot(_ a: Attributes) {
        let offOn: Tensor.Storage = switch a.dtype("dtype") {
        case .f32: .f32([0, 1])
        case .f64: .f64([0, 1])
        case .i32: .i32([0, 1])
        case .i64: .i64([0, 1])
        case .bool: .bool([false, true])
        }
        let depth = Tensor.filled(graph.type(of: node!.inputs[0]).dtype, shape: [], with: Double(a.int("depth")))
        let depthName = constantInput(depth, "depth")
        let values = constantInput(Tensor(shape: [2], storage: offOn), "values")
        withConstant("OneHot", depthName, values, attributes: [int("axis", -1)])
    }
}
