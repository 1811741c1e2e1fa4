import LeptonIR

/// Pre-packs constant weights into the layout the runtime's kernels want, once at compile
/// time instead of on every run. The kernel library says what it wants through
/// `context.weightLayouts`: asked with (op, operand index, weight type) for the weight
/// operand (index 1) of every matmul, gemm, linear, conv2d and conv_transpose2d whose weight
/// is known (a constant, or a param when frozen) and not packed yet. When it answers, the
/// weight is replaced by a `.tensor` param holding `transform(weight)`, named `<w>_packed`,
/// and the node's `weight_layout` attribute records the layout:
///
///     y = linear(x, w, b)            ->     param w_packed: f32[K, N] = tensor(…)
///                                           y = linear(x, w_packed, b, weight_layout: "nk")
///
/// The packed param keeps the weight's logical type (the same element count; the layout
/// string, not the shape, says where each element is), so shape rules and the verifier work
/// unchanged; a transform that changes the element count is refused with a note. With no
/// provider nothing changes. The reference kernels reject packed nodes: run them only
/// through the runtime, and run prepack last.
extension Pass {
    public static let prepack = Pass(
        name: "prepack",
        summary: "transforms constant weights of matmul/gemm/linear/conv into the kernels' layout (needs a layout provider)"
    ) { graph, context throws(DiagnosticError) in
        guard let provider = context.weightLayouts else { return false }
        var changed = false
        var packed: [ValueID: (ValueID, String)] = [:]
        for i in graph.nodes.indices where packableOps.contains(graph.nodes[i].op) {
            let node = graph.nodes[i]
            let index = GraphIndex(graph)
            let weight = node.inputs[1]
            guard node.attributes.string("weight_layout").isEmpty, context.isKnown(weight, in: graph, index: index),
                  let wanted = provider(node.op, 1, graph.type(of: weight)), !wanted.layout.isEmpty
            else { continue }
            if let (value, layout) = packed[weight], layout == wanted.layout {
                graph.nodes[i].inputs[1] = value
            } else {
                guard let tensor = try context.knownValue(of: weight, in: graph, index: index) else { continue }
                let transformed = wanted.transform(tensor)
                guard transformed.count == tensor.count, transformed.dtype == tensor.dtype else {
                    context.notes.append("prepack: layout \"\(wanted.layout)\" of \(graph.name(of: weight)) changes "
                        + "\(TensorType(tensor.dtype, fixed: tensor.shape)) to \(TensorType(transformed.dtype, fixed: transformed.shape)); not packed")
                    continue
                }
                let value = graph.addTensorParam(named: graph.name(of: weight) + "_packed", transformed.reshaped(tensor.shape),
                                                 at: graph.values[weight].location)
                packed[weight] = (value, wanted.layout)
                graph.nodes[i].inputs[1] = value
            }
            graph.nodes[i].attributes["weight_layout"] = .string(wanted.layout)
            changed = true
        }
        if changed { graph.removeNodes([], formerInputs: Array(packed.keys)) }
        return changed
    }
}

private let packableOps: Set<Op> = [.matmul, .gemm, .linear, .conv2d, .conv_transpose2d]
