import LeptonIR

/// Growing groups of elementwise nodes for `fuse-elementwise` and `fuse-reductions`.
extension GraphIndex {
    /// Whether `node` maps each output element to inputs at the same (broadcast) index: an
    /// elementwise op, or a fused node whose body is all elementwise ops, with one result.
    static func isElementwise(_ node: Node) -> Bool {
        guard node.outputs.count == 1 else { return false }
        if node.op == .fused { return node.regions.first?.nodes.allSatisfy { $0.op.isElementwise } ?? false }
        return node.op.isElementwise
    }

    /// `root` plus every elementwise producer (transitively) whose results only the group
    /// reads and whose result has `shape` (so every body value has the fused node's shape;
    /// inputs of other shapes broadcast into it). Grows to a fixpoint, since a producer read
    /// twice joins once both of its readers have.
    func elementwiseGroup(root: Int, shape: [Dim], in graph: Graph, excluding claimed: Set<Int> = []) -> Set<Int> {
        var group: Set<Int> = [root]
        var grew = true
        while grew {
            grew = false
            for member in group {
                for input in graph.nodes[member].inputs {
                    guard let p = producer[input], !group.contains(p), !claimed.contains(p),
                          Self.isElementwise(graph.nodes[p]), graph.type(of: input).shape == shape,
                          isUsedOnly(input, within: group)
                    else { continue }
                    group.insert(p)
                    grew = true
                }
            }
        }
        return group
    }
}
