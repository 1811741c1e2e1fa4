/// Canonical form of a fused node's body, so structurally equal bodies are equal values
/// (CSE compares them) and a printed body parses back to the very same IR.
extension Graph {
    /// The name every fused body carries (it is never printed).
    public static let regionName = "fused"

    /// This graph as a fused body: values renumbered inputs first, then params, then node
    /// results in node order (the order the parser builds), inputs named `x0, x1, …`,
    /// outputs `y0, y1, …` and every other value `%0, %1, …` in node order. A value that is
    /// both an input and an output keeps its input name; one listed as several outputs is
    /// named after the first. The graph is renamed `fused`.
    public func canonicalizingRegionNames() -> Graph {
        var order = inputs + params.map(\.value)
        for node in nodes { order += node.outputs }
        var seen = Set<ValueID>()
        // Out-of-range or duplicate ids are a verifier matter: keep them, never crash.
        order = order.filter { values.indices.contains($0) && seen.insert($0).inserted }
        order += values.indices.filter { !seen.contains($0) }
        var newID = [ValueID](repeating: 0, count: values.count)
        for (new, old) in order.enumerated() { newID[old] = new }
        func map(_ id: ValueID) -> ValueID { values.indices.contains(id) ? newID[id] : id }

        var result = self
        result.name = Self.regionName
        result.values = order.map { values[$0] }
        result.inputs = inputs.map(map)
        result.outputs = outputs.map(map)
        for i in result.params.indices { result.params[i].value = map(result.params[i].value) }
        for i in result.nodes.indices {
            result.nodes[i].inputs = result.nodes[i].inputs.map(map)
            result.nodes[i].outputs = result.nodes[i].outputs.map(map)
        }
        result.assignCanonicalNames()
        return result
    }

    private mutating func assignCanonicalNames() {
        var named = Set<ValueID>()
        for (k, id) in inputs.enumerated() where values.indices.contains(id) && named.insert(id).inserted {
            values[id].name = "x\(k)"
        }
        for (k, id) in outputs.enumerated() where values.indices.contains(id) && named.insert(id).inserted {
            values[id].name = "y\(k)"
        }
        var counter = 0
        for id in values.indices where !named.contains(id) {
            values[id].name = "%\(counter)"
            counter += 1
        }
    }
}
