import LeptonIR

/// Fuses a reduction with the elementwise prologue that feeds it, so the prologue's values
/// are reduced as they are computed and the full-size intermediate is never stored:
///
///     %0 = mul(x, x)                        s = fused(x) graph(x0) -> (y0) {
///     s  = reduce_sum(%0, axes: [1])  ->      %0 = mul(x0, x0)
///                                             y0 = reduce_sum(%0, axes: [1])
///                                           }
///
/// What pays: the prologue (elementwise ops, or a fused elementwise node, of the reduction's
/// input shape, read only by the reduction — grown like `fuse-elementwise` groups) is as large
/// as the reduction's input, so fusing saves one write and one read of that whole tensor. The
/// reduction's result is smaller by the reduced extent: elementwise epilogues on it cost
/// little and stay separate (they may fuse among themselves). Reductions: reduce_sum,
/// reduce_mean, reduce_max, reduce_min, reduce_prod. softmax, log_softmax and layer_norm are
/// already single ops whose kernels do their own reductions in one pass; nothing to do.
extension Pass {
    public static let fuseReductions = Pass(
        name: "fuse-reductions",
        summary: "fuses a reduction with the elementwise prologue read only by it (e.g. reduce_sum(x * x))"
    ) { graph, _ throws(DiagnosticError) in
        var changed = false
        while let (members, root) = nextReduction(in: graph) {
            graph.fuse(Array(members), results: graph.nodes[root].outputs)
            changed = true
        }
        return changed
    }
}

private let reductions: Set<Op> = [.reduce_sum, .reduce_mean, .reduce_max, .reduce_min, .reduce_prod]

/// The first reduction with an elementwise prologue: the group's node indices and the root.
private func nextReduction(in graph: Graph) -> (Set<Int>, Int)? {
    let index = GraphIndex(graph)
    for (root, node) in graph.nodes.enumerated() where reductions.contains(node.op) {
        let shape = graph.type(of: node.inputs[0]).shape
        let group = index.elementwiseGroup(root: root, shape: shape, in: graph)
        if group.count >= 2 { return (group, root) }
    }
    return nil
}
