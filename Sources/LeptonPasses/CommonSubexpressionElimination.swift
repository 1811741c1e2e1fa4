import LeptonIR

/// Merges nodes that compute the same thing: same op, same operands, same attributes, same
/// regions. Later copies are dropped and their readers read the first. Operands of `add`,
/// `mul`, `eq`, `ne`, `and`, `or` and `xor` are compared as a set, since IEEE and integer
/// add/mul are exactly commutative (max/min are not: with a NaN operand the reference kernels
/// return the operand in a fixed position). Equal `constant` nodes merge too (values compared
/// bitwise, so -0.0 and 0.0 stay apart).
///
///     %0: f32[4] = exp(x)
///     %1: f32[4] = exp(x)
///     y: f32[4] = add(%0, %1)
///   ->
///     %0: f32[4] = exp(x)
///     y: f32[4] = add(%0, %0)
///
/// Compiler-made params (`tensor(…)` initializers, e.g. from `fold`) with equal values merge
/// the same way; user params never do (each has its own name and seed).
///
/// A copy whose result is a graph output is kept when the first copy cannot take over the
/// output's name (it is itself an output): outputs stay named and produced by nodes.
public let commonSubexpressionElimination = Pass(name: "cse", summary: "merges nodes that compute the same value") {
    graph, _ in
    let mergedParams = mergeTensorParams(&graph)
    var first: [NodeKey: Int] = [:]
    var remove = Set<Int>()
    for index in graph.nodes.indices {
        let node = graph.nodes[index]
        let key = NodeKey(node)
        guard let original = first[key] else {
            first[key] = index
            continue
        }
        let replacements = zip(node.outputs, graph.nodes[original].outputs)
        guard replacements.allSatisfy({ graph.canReplaceUses(of: $0, with: $1) }) else { continue }
        for (old, new) in replacements { graph.replaceUses(of: old, with: new) }
        remove.insert(index)
    }
    guard !remove.isEmpty || mergedParams else { return mergedParams }
    graph.nodes = graph.nodes.enumerated().filter { !remove.contains($0.offset) }.map(\.element)
    graph = graph.canonicalized()
    return true
}

/// Drops `tensor(…)` params equal (type and bits) to an earlier one; true when any went.
private func mergeTensorParams(_ graph: inout Graph) -> Bool {
    var first: [TensorType: [(ValueID, Tensor)]] = [:]
    var dropped = Set<ValueID>()
    for param in graph.params {
        guard case .tensor(let value) = param.initializer else { continue }
        let type = graph.type(of: param.value)
        if let (original, _) = first[type]?.first(where: { $0.1 == value }),
           graph.canReplaceUses(of: param.value, with: original) {
            graph.replaceUses(of: param.value, with: original)
            dropped.insert(param.value)
        } else {
            first[type, default: []].append((param.value, value))
        }
    }
    graph.params.removeAll { dropped.contains($0.value) }
    return !dropped.isEmpty
}

/// What makes two nodes compute the same value.
private struct NodeKey: Hashable {
    var op: Op
    var inputs: [ValueID]
    var attributes: Attributes
    var regions: [Graph]

    init(_ node: Node) {
        op = node.op
        inputs = node.inputs
        attributes = node.attributes
        regions = node.regions.map { $0.withoutLocations() }
        if [.add, .mul, .eq, .ne, .and, .or, .xor].contains(node.op) { inputs.sort() }
    }
}
