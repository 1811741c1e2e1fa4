import LeptonIR

/// Removes nodes whose results nothing reads (no later node, not a graph output), and params
/// no node reads. Every op is pure, so a node without readers can go; a multi-result node
/// (split, lstm) goes only when all its results are unread. Runs back to front, so a whole
/// dead chain disappears in one run.
///
///     %0: f32[4] = exp(x)          // read only by %1
///     %1: f32[4] = neg(%0)         // no readers
///     y: f32[4] = relu(x)
///   ->
///     y: f32[4] = relu(x)
public let deadCodeElimination = Pass(name: "dce", summary: "removes nodes whose results are never used, and unused params") {
    graph, _ in
    var live = Set(graph.outputs)
    var keep = [Bool](repeating: false, count: graph.nodes.count)
    for index in graph.nodes.indices.reversed() {
        let node = graph.nodes[index]
        guard node.outputs.contains(where: live.contains) else { continue }
        keep[index] = true
        live.formUnion(node.inputs)
    }
    let params = graph.params.filter { live.contains($0.value) }
    guard keep.contains(false) || params.count != graph.params.count else { return false }
    graph.nodes = zip(graph.nodes, keep).filter(\.1).map(\.0)
    graph.params = params
    graph = graph.canonicalized()
    return true
}
