import LeptonIR

extension Rewriter {
    /// Puts `rewrite` in place of node `index`; false (graph untouched) when it does not
    /// type-check, would change the result type, or would change nothing.
    func apply(_ rewrite: Rewrite, at index: Int, to graph: inout Graph) -> Bool {
        let matched = graph.nodes[index]
        let old = matched.outputs[0]
        var edited = graph
        var built: [Node] = []
        var ids: [ValueID] = []
        for (k, new) in rewrite.nodes.enumerated() {
            var attributes = new.op.schema.defaults
            for (name, value) in new.attributes { attributes[name] = value }
            let inputs = new.inputs.compactMap { operand -> ValueID? in
                switch operand {
                case .value(let id): id
                case .new(let j): j < k ? ids[j] : nil
                }
            }
            guard inputs.count == new.inputs.count,
                  let types = try? new.op.inferTypes(inputs.map { edited.type(of: $0) }, attributes), types.count == 1 else {
                return false
            }
            let output: ValueID
            if rewrite.result == .new(k) {
                guard types[0] == graph.type(of: old) else { return false }
                output = old
            } else {
                output = edited.addTemporary(types[0], at: matched.location)
            }
            ids.append(output)
            built.append(Node(op: new.op, inputs: inputs, outputs: [output], attributes: attributes, location: matched.location))
        }
        switch rewrite.result {
        case .new(let k):
            guard rewrite.nodes.indices.contains(k) else { return false }
        case .value(let value):
            guard value != old, graph.type(of: value) == graph.type(of: old) else { return false }
            if edited.canReplaceUses(of: old, with: value) {
                edited.replaceUses(of: old, with: value)
            } else {
                // An output that must stay produced by a node: the best is `identity(value)`.
                if matched.op == .identity, matched.inputs == [value] { return false }
                built.append(Node(op: .identity, inputs: [value], outputs: [old], attributes: Attributes(),
                                  location: matched.location))
            }
        }
        if built == [matched] { return false }  // proposes what is already there
        edited.nodes.replaceSubrange(index...index, with: built)
        graph = edited
        return true
    }
}
