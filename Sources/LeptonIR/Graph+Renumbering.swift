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
        var order = definitionOrder
        var seen = Set(order)
        for id in nodes.flatMap(\.inputs) + outputs where values.indices.contains(id) && seen.insert(id).inserted {
            order.append(id)
        }
        var result = reorderingValues(order)
        var counter = 0
        for node in result.nodes {
            for id in node.outputs where result.values.indices.contains(id) && Graph.isTemporary(result.values[id].name) {
                result.values[id].name = "%\(counter)"
                counter += 1
            }
        }
        return result
    }

    /// Values in the order the parser creates them: inputs, params, then node results.
    var definitionOrder: [ValueID] {
        inputs + params.map(\.value) + nodes.flatMap(\.outputs)
    }

    /// The graph with its values listed in `order` and every reference remapped. Ids out of
    /// range or repeated in `order` are skipped, and ids `order` leaves out keep their number:
    /// both are verifier matters, kept visible rather than crashing here.
    func reorderingValues(_ order: [ValueID]) -> Graph {
        var newID = [ValueID](repeating: -1, count: values.count)
        var kept: [ValueID] = []
        for old in order where values.indices.contains(old) && newID[old] < 0 {
            newID[old] = kept.count
            kept.append(old)
        }
        func map(_ id: ValueID) -> ValueID { values.indices.contains(id) && newID[id] >= 0 ? newID[id] : id }

        var result = self
        result.values = kept.map { values[$0] }
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
