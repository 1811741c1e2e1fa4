import LeptonIR

/// Fuses a matmul/gemm/linear/conv2d with the elementwise ops that follow it — bias add,
/// scale (mul, as in attention's q·kᵀ·(1/√d)), activation (relu, gelu, sigmoid, tanh,
/// leaky_relu, elu, clip), residual add — into one
/// `fused` node whose body is the anchor op followed by those ops. A kernel runs the epilogue
/// on each output tile as it writes it back, so the intermediate results never go to memory.
///
///     %0 = conv2d(x, w, b)                y = fused(x, w, b, r) graph(x0, x1, x2, x3) -> (y0) {
///     %1 = add(%0, r)            ->         %0 = conv2d(x0, x1, x2)
///     y  = relu(%1)                         %1 = add(%0, x3)
///                                           y0 = relu(%1)
///                                         }
///
/// The chain follows single readers: each intermediate is read only by the next op (and is
/// no graph output). An add or mul joins only when its result has the anchor's type (a bias,
/// scale or residual broadcasts into the result, never widens it); its other operand, defined
/// before it, becomes an operand of the fused node. At least one epilogue op is needed. Run
/// after `fold-batch-norm` and `form-linear`, which turn more layers into anchors with biases.
extension Pass {
    public static let fuseEpilogue = Pass(
        name: "fuse-epilogue",
        summary: "fuses matmul/gemm/linear/conv2d with a following bias add, scale, activation and residual add"
    ) { graph, _ throws(DiagnosticError) in
        var changed = false
        var start = 0
        while let (members, result) = nextEpilogue(in: graph, from: start) {
            start = members[0]
            graph.fuse(members, results: [result])
            changed = true
        }
        return changed
    }
}

private let anchors: Set<Op> = [.matmul, .gemm, .linear, .conv2d]
private let activations: Set<Op> = [.relu, .gelu, .sigmoid, .tanh, .leaky_relu, .elu, .clip]

/// The first anchor at or after `start` with an epilogue: the chain's node indices and result.
private func nextEpilogue(in graph: Graph, from start: Int) -> ([Int], ValueID)? {
    let index = GraphIndex(graph)
    for i in min(start, graph.nodes.count)..<graph.nodes.count where anchors.contains(graph.nodes[i].op) {
        let anchorType = graph.type(of: graph.nodes[i].outputs[0])
        var members = [i]
        var current = graph.nodes[i].outputs[0]
        while index.hasSingleUser(current), let next = index.users[current].first {
            let node = graph.nodes[next]
            let joins = activations.contains(node.op)
                || ((node.op == .add || node.op == .mul) && graph.type(of: node.outputs[0]) == anchorType)
            guard joins else { break }
            members.append(next)
            current = node.outputs[0]
        }
        if members.count >= 2 { return (members, current) }
    }
    return nil
}
