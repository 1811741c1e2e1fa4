/// Fused nodes: exactly one body, itself a valid graph without params or nested fused
/// nodes, whose input types equal the operand types and whose output types equal the node's
/// result types — exactly, symbolic dimensions included, since the body stands in for them.
extension Verifier {
    mutating func checkRegion(_ node: Node, _ label: String) {
        guard node.regions.count == 1 else {
            report(at: node.location, "\(label) has \(node.regions.count) regions, expected exactly 1 (its body)")
            return
        }
        let body = node.regions[0]
        if !body.params.isEmpty {
            report(at: node.location, "\(label) body has \(body.params.count) params; a body takes outer values as operands")
        }
        for (index, inner) in body.nodes.enumerated() where inner.op == .fused {
            report(at: inner.location, "\(label) body node \(index) is fused; fused bodies cannot nest fused nodes")
        }
        do {
            try body.verify()
        } catch {
            for diagnostic in error.diagnostics {
                let message = diagnostic.message.hasPrefix("verifier: ") ? String(diagnostic.message.dropFirst(10)) : diagnostic.message
                report(at: diagnostic.location, "\(label) body: \(message)")
            }
        }
        checkSignature(of: body, ids: node.inputs, kind: "input", operand: "operand", node, label)
        checkSignature(of: body, ids: node.outputs, kind: "output", operand: "result", node, label)
    }

    /// Body inputs against operands, or body outputs against results: count and exact types.
    private mutating func checkSignature(of body: Graph, ids: [ValueID], kind: String, operand: String, _ node: Node,
                                         _ label: String) {
        let bodyIDs = kind == "input" ? body.inputs : body.outputs
        guard bodyIDs.count == ids.count else {
            report(at: node.location, "\(label) has \(ids.count) \(operand)s, but its body has \(bodyIDs.count) \(kind)s")
            return
        }
        for (index, (bodyID, id)) in zip(bodyIDs, ids).enumerated() {
            guard body.values.indices.contains(bodyID), isValid(id) else { continue }  // reported elsewhere
            let (inner, outer) = (body.values[bodyID].type, graph.values[id].type)
            if inner != outer {
                report(at: node.location, "\(label) body \(kind) \(index) '\(body.values[bodyID].name)' is \(inner), "
                    + "but \(operand) \(index) \(describe(id)) is \(outer)")
            }
        }
    }
}
