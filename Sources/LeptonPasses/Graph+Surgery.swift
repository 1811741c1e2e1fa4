import LeptonIR

/// The edits the folding and fusion passes make: add compiler-made params and constants,
/// delete nodes (and the values and params only they used), restore topological order.
extension Graph {
    /// `base`, or `base.1`, `base.2`, … : a name no value of the graph has. Temporaries
    /// (`%3`) are not valid name parts, so a base starting with `%` becomes `folded`.
    func freshName(_ base: String) -> String {
        let stem = base.hasPrefix("%") ? "folded" : base
        let taken = Set(values.map(\.name))
        guard taken.contains(stem) else { return stem }
        var k = 1
        while taken.contains("\(stem).\(k)") { k += 1 }
        return "\(stem).\(k)"
    }

    /// Adds a param holding `tensor` (a compiler-computed value) and returns its value.
    mutating func addTensorParam(named base: String, _ tensor: Tensor, at location: SourceLocation) -> ValueID {
        let id = addValue(freshName(base), TensorType(tensor.dtype, fixed: tensor.shape), at: location)
        params.append(Param(value: id, initializer: .tensor(tensor), location: location))
        return id
    }

    /// A value holding `tensor`: a `constant` node inserted at `position` when small (at most
    /// 16 elements, readable in the printed graph), a `.tensor` param otherwise.
    mutating func addKnownValue(named base: String, _ tensor: Tensor, before position: Int,
                                at location: SourceLocation) -> ValueID {
        guard tensor.count <= 16 else { return addTensorParam(named: base, tensor, at: location) }
        let id = addValue("%\(values.count)", TensorType(tensor.dtype, fixed: tensor.shape), at: location)
        let attributes = Attributes(["value": .tensor(tensor), "dtype": .dtype(tensor.dtype)])
        nodes.insert(Node(op: .constant, inputs: [], outputs: [id], attributes: attributes, location: location),
                     at: position)
        return id
    }

    /// Deletes the nodes at `indices`, then the params and constants that only they (or
    /// `formerInputs`, the operands of nodes the caller rewrote) read, then every value nothing defines anymore
    /// (renumbering ids and temporaries).
    mutating func removeNodes(_ indices: Set<Int>, formerInputs: [ValueID] = []) {
        let removedInputs = Set(indices.flatMap { nodes[$0].inputs } + formerInputs)
        nodes = nodes.enumerated().filter { !indices.contains($0.offset) }.map(\.element)
        var stillRead = Set(nodes.flatMap(\.inputs))
        stillRead.formUnion(outputs)
        // Constants only the removed nodes read go too (a folded chain's old operands).
        nodes.removeAll { $0.op == .constant && removedInputs.contains($0.outputs[0]) && !stillRead.contains($0.outputs[0]) }
        params.removeAll { removedInputs.contains($0.value) && !stillRead.contains($0.value) }
        compactValues()
    }

    /// Drops values that no input, param or node defines; renumbers ids and `%k` names.
    mutating func compactValues() {
        var defined = [Bool](repeating: false, count: values.count)
        for id in inputs { defined[id] = true }
        for param in params { defined[param.value] = true }
        for node in nodes { for id in node.outputs { defined[id] = true } }
        var newID = [ValueID](repeating: -1, count: values.count)
        var kept: [ValueInfo] = []
        for (id, value) in values.enumerated() where defined[id] {
            newID[id] = kept.count
            kept.append(value)
        }
        func map(_ id: ValueID) -> ValueID {
            precondition(newID[id] >= 0, "value '\(values[id].name)' is read but no longer defined")
            return newID[id]
        }
        for i in nodes.indices {
            nodes[i].inputs = nodes[i].inputs.map(map)
            nodes[i].outputs = nodes[i].outputs.map(map)
        }
        for i in params.indices { params[i].value = map(params[i].value) }
        inputs = inputs.map(map)
        outputs = outputs.map(map)
        values = kept
        renumberTemporaries()
    }

    /// Temporaries named `%0`, `%1`, … in definition order, as the frontend numbers them.
    mutating func renumberTemporaries() {
        let order = nodes.flatMap(\.outputs)
        var next = 0
        for id in order where values[id].name.hasPrefix("%") {
            values[id].name = "%\(next)"
            next += 1
        }
    }

    /// Reorders nodes so each comes after the definitions it reads, keeping the current order
    /// wherever it already is one (a node moves only when something it reads moved after it).
    mutating func sortTopologically() {
        var defined = [Bool](repeating: false, count: values.count)
        for id in inputs { defined[id] = true }
        for param in params { defined[param.value] = true }
        var pending = nodes
        var sorted: [Node] = []
        while !pending.isEmpty {
            guard let next = pending.firstIndex(where: { $0.inputs.allSatisfy { defined[$0] } }) else {
                preconditionFailure("graph '\(name)' has a cycle after fusion")
            }
            let node = pending.remove(at: next)
            for id in node.outputs { defined[id] = true }
            sorted.append(node)
        }
        nodes = sorted
    }
}
