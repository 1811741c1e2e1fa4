/// Which nodes may share bytes with an operand. The planner and the validator both ask here,
/// so they cannot disagree about what is allowed.
extension MemoryPlan {
    /// Ops whose result is the operand's bytes under another shape: planned as views (no copy).
    public static func isView(_ op: Op) -> Bool {
        switch op {
        case .reshape, .squeeze, .unsqueeze, .flatten, .identity: true
        default: false
        }
    }

    /// Nodes that may write their result over an operand of the same shape and element size:
    /// element `i` of the result reads only element `i` of that operand, so overwriting it as
    /// the kernel goes is safe. Fused nodes qualify when their body is purely elementwise and
    /// they have one result (with several, a later result could read an element an earlier one
    /// has already overwritten).
    public static func mayRunInPlace(_ node: Node) -> Bool {
        guard node.outputs.count == 1, !isView(node.op) else { return false }
        if node.op == .fused {
            guard let body = node.regions.first else { return false }
            return body.nodes.allSatisfy { $0.op.isElementwise || $0.op == .constant }
        }
        return node.op.isElementwise
    }

    /// `value`'s size in bytes under `shapes`.
    static func byteCount(of value: ValueID, in graph: Graph, shapes: [ValueID: [Int]]) -> Int {
        guard let shape = shapes[value] else { preconditionFailure("no concrete shape for '\(graph.name(of: value))'") }
        return shape.reduce(1, *) * graph.type(of: value).dtype.byteSize
    }
}
