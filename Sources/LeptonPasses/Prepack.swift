import LeptonIR

/// Pre-packs constant weights into the layout the runtime's kernels want, once at compile
/// time instead of on every run. The kernel library says what it wants through
/// `context.weightLayouts`: asked with (op, operand index, weight type) for the weight
/// operand (index 1; 1 and 2 for lstm/gru) of every matmul, gemm, linear, conv2d,
/// conv_transpose2d, lstm and gru whose weight is known (a constant, or a param when frozen)
/// and not packed yet. When it answers with a transform, the weight is replaced by a `.tensor`
/// param holding `transform(weight)`, named `<w>_packed`, and the node's `weight_layout`
/// attribute records the layout:
///
///     y = linear(x, w, b)            ->     param w_packed: f32[K, N] = tensor(…)
///                                           y = linear(x, w_packed, b, weight_layout: "nk")
///
/// The packed param keeps the weight's logical type (the same element count; the layout
/// string, not the shape, says where each element is), so shape rules and the verifier work
/// unchanged; a transform that changes the element count is refused with a note. The
/// reference kernels reject packed nodes: run them only through the runtime, and run prepack
/// last.
///
/// The -O2 pipeline's provider (the runtime's) answers with plan-time layouts instead: its
/// panels are zero-padded to whole 12-row slivers / 32-column panels, which a same-sized param
/// cannot hold, and graphs must stay runnable on the reference. The runtime packs every f32
/// weight that is a param once, when it prepares the plan (params never change after the
/// executor is made); this pass then leaves the graph alone and notes each weight and its
/// layout — including the anchors inside fused nodes — so `lepton dump -O2` shows what is
/// prepacked:
///
///     # note: prepack: w1_bn (conv2d in a1) packed at plan time as gemm-a:mr12:kc256
///
/// With no provider nothing changes.
extension Pass {
    public static let prepack = Pass(
        name: "prepack",
        summary: "transforms constant weights of matmul/gemm/linear/conv into the kernels' layout (needs a layout provider)"
    ) { graph, context throws(DiagnosticError) in
        guard let provider = context.weightLayouts else { return false }
        notePlanTimeLayouts(graph, provider, &context)
        var changed = false
        var packed: [ValueID: (ValueID, String)] = [:]
        for i in graph.nodes.indices where packableOps.contains(graph.nodes[i].op) {
            let node = graph.nodes[i]
            let index = GraphIndex(graph)
            let weight = node.inputs[1]
            guard node.attributes.string("weight_layout").isEmpty, context.isKnown(weight, in: graph, index: index),
                  let wanted = provider(node.op, 1, graph.type(of: weight)), !wanted.layout.isEmpty,
                  let transform = wanted.transform
            else { continue }
            if let (value, layout) = packed[weight], layout == wanted.layout {
                graph.nodes[i].inputs[1] = value
            } else {
                guard let tensor = try context.knownValue(of: weight, in: graph, index: index) else { continue }
                let transformed = transform(tensor)
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

/// Weight operands the runtime may pack at plan time, per op.
private func weightOperands(_ op: Op) -> [Int] {
    switch op {
    case .matmul, .gemm, .linear, .conv2d, .conv_transpose2d: [1]
    case .lstm, .gru: [1, 2]
    default: []
    }
}

/// Notes every param weight (of a top-level node, or of an anchor inside a fused node) for
/// which the provider answers with a plan-time layout.
private func notePlanTimeLayouts(_ graph: Graph, _ provider: WeightLayoutProvider, _ context: inout PassContext) {
    guard context.freezeParameters else { return }
    let index = GraphIndex(graph)
    func note(_ op: Op, _ operand: Int, _ weight: ValueID, in owner: String?) {
        guard index.param[weight] != nil, let wanted = provider(op, operand, graph.type(of: weight)), wanted.transform == nil
        else { return }
        let place = owner.map { " in \($0)" } ?? ""
        context.notes.append("prepack: \(graph.name(of: weight)) (\(op)\(place)) packed at plan time as \(wanted.layout)")
    }
    for node in graph.nodes {
        for operand in weightOperands(node.op) where operand < node.inputs.count {
            note(node.op, operand, node.inputs[operand], in: nil)
        }
        guard node.op == .fused, let body = node.regions.first else { continue }
        for inner in body.nodes {
            for operand in weightOperands(inner.op) where operand < inner.inputs.count {
                guard let position = body.inputs.firstIndex(of: inner.inputs[operand]), position < node.inputs.count else { continue }
                note(inner.op, operand, node.inputs[position], in: node.outputs.first.map { graph.name(of: $0) })
            }
        }
    }
}
