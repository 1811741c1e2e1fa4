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
        // Every value is kept (undefined ones last) so a broken body still reaches the verifier.
        let order = definitionOrder + values.indices
        var result = reorderingValues(order)
        result.name = Self.regionName
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
