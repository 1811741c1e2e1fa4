/// Canonical value order and temporary numbering, shared by every pass that edits a graph.
///
/// The frontend builds graphs with values ordered inputs, params, then node results in node
/// order, and unnamed results numbered `%0, %1, …` in node order. Passes delete, insert and
/// move nodes; `canonicalized()` restores that form so printed IR stays stable and
/// `parse(print(g)) == g` keeps holding after optimization.
extension Graph {
    /// Whether `name` is a compiler temporary (`%3`), free to renumber.
    public static func isTemporary(_ name: String) -> Bool { name.hasPrefix("%") }

    /// The graph with values that nothing defines dropped, the rest in canonical order, and
    /// temporaries renumbered `%0, %1, …` in node order. Regions are left as they are.
    ///
    /// A value that is still used (or is an output) but defined by nothing is kept, at the end,
    /// so the verifier can report it instead of this function hiding the bug.
    public func canonicalized() -> Graph {
        var order = inputs + params.map(\.value)
        for node in nodes { order += node.outputs }
        var seen = Set(order)
        let referenced = nodes.flatMap(\.inputs) + outputs
        for id in referenced where values.indices.contains(id) && !seen.contains(id) {
            order.append(id)
            seen.insert(id)
        }
        var newID = [ValueID](repeating: -1, count: values.count)
        for (new, old) in order.enumerated() where values.indices.contains(old) && newID[old] < 0 {
            newID[old] = new
        }
        func map(_ id: ValueID) -> ValueID { values.indices.contains(id) && newID[id] >= 0 ? newID[id] : id }

        var result = self
        result.values = order.map { values[$0] }
        var counter = 0
        for node in nodes {
            for old in node.outputs where values.indices.contains(old) && Graph.isTemporary(values[old].name) {
                result.values[newID[old]].name = "%\(counter)"
                counter += 1
            }
        }
        result.inputs = inputs.map(map)
        result.outputs = outputs.map(map)
        for i in result.params.indices { result.params[i].value = map(result.params[i].value) }
        for i in result.nodes.indices {
            result.nodes[i].inputs = result.nodes[i].inputs.map(map)
            result.nodes[i].outputs = result.nodes[i].outputs.map(map)
        }
        return result
    }
}
