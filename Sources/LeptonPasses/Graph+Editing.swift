import LeptonIR

/// Small edits passes share. They keep the graph's promises to its users: outputs keep their
/// names and stay produced by nodes (not by an input or a param).
extension Graph {
    /// Node index producing each value (nil for inputs and params).
    public func producers() -> [Int?] {
        var result = [Int?](repeating: nil, count: values.count)
        for (index, node) in nodes.enumerated() {
            for id in node.outputs where values.indices.contains(id) { result[id] = index }
        }
        return result
    }

    /// Whether every read of `old` can be redirected to `new` without an extra node: always,
    /// unless `old` is a graph output and `new` cannot take over its name (`new` is an input,
    /// a param, or itself an output).
    public func canReplaceUses(of old: ValueID, with new: ValueID) -> Bool {
        guard outputs.contains(old) else { return true }
        return !inputs.contains(new) && !outputs.contains(new) && !params.contains { $0.value == new }
    }

    /// Redirects every read of `old` to `new` (same type). When `old` is a graph output, `new`
    /// takes over its name and location so the signature is unchanged; check
    /// `canReplaceUses(of:with:)` first. The node that produced `old` stays (dead code now).
    public mutating func replaceUses(of old: ValueID, with new: ValueID) {
        precondition(type(of: old) == type(of: new), "replacing \(type(of: old)) by \(type(of: new))")
        precondition(canReplaceUses(of: old, with: new), "cannot give output '\(name(of: old))' to '\(name(of: new))'")
        for i in nodes.indices where nodes[i].inputs.contains(old) {
            nodes[i].inputs = nodes[i].inputs.map { $0 == old ? new : $0 }
        }
        guard outputs.contains(old) else { return }
        let oldInfo = values[old]
        values[old].name = "%replaced.\(old)"
        values[new].name = oldInfo.name
        values[new].location = oldInfo.location
        outputs = outputs.map { $0 == old ? new : $0 }
    }

    /// Appends a temporary value (renumbered `%k` by `canonicalized()`).
    public mutating func addTemporary(_ type: TensorType, at location: SourceLocation) -> ValueID {
        addValue("%new.\(values.count)", type, at: location)
    }
}
