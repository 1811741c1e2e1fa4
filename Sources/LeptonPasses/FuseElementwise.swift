import LeptonIR

/// Fuses groups of elementwise ops into `fused` nodes that stream over the data once in
/// cache-sized tiles: intermediates live in registers/cache instead of full-size buffers.
///
///     %0 = mul(x, x)                      y = fused(x, b) graph(x0, x1) -> (y0) {
///     %1 = add(%0, b)          ->           %0 = mul(x0, x0)
///     y  = tanh(%1)                         %1 = add(%0, x1)
///                                           y0 = tanh(%1)
///                                         }
///
/// Single-output groups: starting from the last node, a group takes an elementwise op and,
/// transitively, every elementwise producer whose result only the group reads and whose
/// shape is the group's result shape (so a body never computes a value of another shape;
/// operands of smaller shapes broadcast into it). Groups are maximal DAGs (a value read twice
/// inside joins once both readers have), never contain other ops, and need two ops or more.
///
/// Two-output groups (the rule kept simple): when an elementwise value t, not a graph output,
/// is read by exactly two groups/ops, both elementwise of t's shape with one result each, and
/// neither reaches the other through other nodes, the three become one node with two results.
/// t is then computed once and never stored, and the shared inputs are read once.
extension Pass {
    public static let fuseElementwise = Pass(
        name: "fuse-elementwise",
        summary: "fuses connected elementwise ops (single output, or two outputs sharing a producer) into fused nodes"
    ) { graph, _ throws(DiagnosticError) in
        var changed = false
        var end = graph.nodes.count
        while let (members, root) = nextGroup(in: graph, before: end) {
            graph.fuse(Array(members), results: graph.nodes[root].outputs)
            end = root - members.count + 1
            changed = true
        }
        while let (members, results) = nextSharedProducer(in: graph) {
            graph.fuse(members, results: results)
            changed = true
        }
        return changed
    }
}

/// The last group of two or more nodes whose root is before `end`, and its root.
private func nextGroup(in graph: Graph, before end: Int) -> (Set<Int>, Int)? {
    let index = GraphIndex(graph)
    for root in stride(from: end - 1, through: 0, by: -1) where GraphIndex.isElementwise(graph.nodes[root]) {
        let shape = graph.type(of: graph.nodes[root].outputs[0]).shape
        let group = index.elementwiseGroup(root: root, shape: shape, in: graph)
        if group.count >= 2 { return (group, root) }
    }
    return nil
}

/// A producer read by exactly two elementwise consumers of its shape that can merge with it:
/// the three node indices and the two consumers' results.
private func nextSharedProducer(in graph: Graph) -> ([Int], [ValueID])? {
    let index = GraphIndex(graph)
    for (p, node) in graph.nodes.enumerated() where GraphIndex.isElementwise(node) {
        let t = node.outputs[0]
        let readers = index.users[t]
        guard readers.count == 2, !index.isGraphOutput[t],
              readers.allSatisfy({ GraphIndex.isElementwise(graph.nodes[$0])
                  && graph.type(of: graph.nodes[$0].outputs[0]).shape == graph.type(of: t).shape }),
              !reaches(readers[0], readers[1], graph, index), !reaches(readers[1], readers[0], graph, index)
        else { continue }
        return ([p] + readers, readers.map { graph.nodes[$0].outputs[0] })
    }
    return nil
}

/// Whether node `to` reads, through any chain of nodes, a result of node `from`.
private func reaches(_ from: Int, _ to: Int, _ graph: Graph, _ index: GraphIndex) -> Bool {
    var stack = [from]
    var seen: Set<Int> = [from]
    while let n = stack.popLast() {
        for id in graph.nodes[n].outputs {
            for user in index.users[id] where !seen.contains(user) {
                if user == to { return true }
                seen.insert(user)
                stack.append(user)
            }
        }
    }
    return false
}
