import LeptonIR

/// Building `fused` nodes: a set of nodes becomes one node whose body region runs them.
extension Graph {
    /// Replaces the nodes at `members` by one `fused` node producing `results` (values the
    /// members define, used outside them). The body holds the members in node order, with
    /// members that are themselves fused spliced in (bodies stay one level deep); its inputs
    /// are the values the members read from outside, in order of first use. Values only the
    /// members read disappear. The node takes the place of the last member, then the graph is
    /// re-sorted (a multi-output node may have to move up for an earlier result's readers).
    mutating func fuse(_ members: [Int], results: [ValueID]) {
        let order = members.sorted()
        guard let last = order.last else { preconditionFailure("fusing an empty set of nodes") }
        let produced = Set(order.flatMap { nodes[$0].outputs })
        var operands: [ValueID] = []
        for index in order {
            for id in nodes[index].inputs where !produced.contains(id) && !operands.contains(id) {
                operands.append(id)
            }
        }
        let body = fusedBody(order, operands: operands, results: results)
        nodes[last] = Node(op: .fused, inputs: operands, outputs: results, attributes: Attributes(),
                           location: nodes[last].location, regions: [body])
        removeNodes(Set(order.dropLast()))
        sortTopologically()
    }

    /// The body graph of `fuse`, with canonical names: inputs `x0, x1, …`, results `y0, y1, …`,
    /// the rest `%0, %1, …` (`canonicalizingRegionNames`).
    private func fusedBody(_ order: [Int], operands: [ValueID], results: [ValueID]) -> Graph {
        var body = Graph(name: Graph.regionName, location: nodes[order[order.count - 1]].location)
        var inner: [ValueID: ValueID] = [:]
        for (i, id) in operands.enumerated() {
            inner[id] = body.addValue("x\(i)", type(of: id), at: values[id].location)
            body.inputs.append(inner[id] ?? -1)
        }
        for index in order {
            let node = nodes[index]
            if node.op == .fused, let region = node.regions.first {
                var local: [ValueID: ValueID] = [:]
                for (regionInput, outer) in zip(region.inputs, node.inputs) { local[regionInput] = inner[outer] }
                for regionNode in region.nodes {
                    append(regionNode, from: region, into: &body, map: &local)
                }
                for (regionOutput, outer) in zip(region.outputs, node.outputs) { inner[outer] = local[regionOutput] }
            } else {
                append(node, from: self, into: &body, map: &inner)
            }
        }
        body.outputs = results.map { id in
            guard let value = inner[id] else { preconditionFailure("fused result '\(name(of: id))' is not computed by the members") }
            return value
        }
        return body.canonicalizingRegionNames()
    }

    /// Copies `node` of `source` into `body`, reading and extending the value map `map`.
    private func append(_ node: Node, from source: Graph, into body: inout Graph, map: inout [ValueID: ValueID]) {
        var copy = node
        copy.inputs = node.inputs.map { id in
            guard let value = map[id] else { preconditionFailure("fused member reads '\(source.name(of: id))' before it is defined") }
            return value
        }
        copy.outputs = node.outputs.map { id in
            let value = body.addValue("%", source.type(of: id), at: source.values[id].location)
            map[id] = value
            return value
        }
        body.nodes.append(copy)
    }
}
