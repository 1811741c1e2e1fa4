import LeptonIR

/// A graph under construction. Values are appended as lowering meets them; `finished()`
/// puts them in canonical order (inputs, params, node results in node order) and numbers
/// the unnamed ones `%0, %1, …` in node order, so printing and re-parsing is a fixed point.
struct GraphBuilder {
    private(set) var graph: Graph
    /// Values without a user name; they get `%k` names at the end.
    private var temporaries: Set<ValueID> = []
    private var paramValues: Set<ValueID> = []
    /// Final names in use (after prefixing), to catch collisions from inlining.
    private var names: [String: ValueID] = [:]

    init(name: String, location: SourceLocation) {
        graph = Graph(name: name, location: location)
    }

    func isNameTaken(_ name: String) -> Bool { names[name] != nil }
    func isParam(_ value: ValueID) -> Bool { paramValues.contains(value) }
    func type(of value: ValueID) -> TensorType { graph.type(of: value) }
    var valueCount: Int { graph.values.count }

    /// A new value; `name == nil` makes a temporary. The caller checks `isNameTaken` first.
    mutating func addValue(_ name: String?, _ type: TensorType, at location: SourceLocation) -> ValueID {
        let id = graph.addValue(name ?? "%?", type, at: location)
        if let name {
            names[name] = id
        } else {
            temporaries.insert(id)
        }
        return id
    }

    mutating func addInput(_ name: String, _ type: TensorType, at location: SourceLocation) -> ValueID {
        let id = addValue(name, type, at: location)
        graph.inputs.append(id)
        return id
    }

    mutating func addParam(_ name: String, _ type: TensorType, _ initializer: Initializer, at location: SourceLocation) -> ValueID {
        let id = addValue(name, type, at: location)
        paramValues.insert(id)
        graph.params.append(Param(value: id, initializer: initializer, location: location))
        return id
    }

    /// Appends a node whose results are new temporaries of `types`.
    mutating func addNode(_ op: Op, _ inputs: [ValueID], _ attributes: Attributes, results types: [TensorType],
                          at location: SourceLocation, regions: [Graph] = []) -> [ValueID] {
        let outputs = types.map { addValue(nil, $0, at: location) }
        graph.nodes.append(Node(op: op, inputs: inputs, outputs: outputs, attributes: attributes, location: location,
                                regions: regions))
        return outputs
    }

    /// Gives a value a user name (`nil`: makes it a temporary).
    mutating func rename(_ value: ValueID, to name: String?, at location: SourceLocation) {
        let old = graph.values[value].name
        if names[old] == value { names[old] = nil }
        temporaries.remove(value)
        if let name {
            names[name] = value
            graph.values[value].name = name
        } else {
            temporaries.insert(value)
        }
        graph.values[value].location = location
    }

    mutating func setOutputs(_ outputs: [ValueID]) { graph.outputs = outputs }

    /// The graph with values in canonical order and temporaries numbered.
    func finished() -> Graph {
        var order = graph.inputs + graph.params.map(\.value)
        for node in graph.nodes { order += node.outputs }
        var newID = [ValueID](repeating: -1, count: graph.values.count)
        for (new, old) in order.enumerated() { newID[old] = new }
        var result = graph
        result.values = order.map { graph.values[$0] }
        var counter = 0
        for node in graph.nodes {
            for old in node.outputs where temporaries.contains(old) {
                result.values[newID[old]].name = "%\(counter)"
                counter += 1
            }
        }
        result.inputs = graph.inputs.map { newID[$0] }
        result.outputs = graph.outputs.map { newID[$0] }
        for i in result.params.indices { result.params[i].value = newID[result.params[i].value] }
        for i in result.nodes.indices {
            result.nodes[i].inputs = result.nodes[i].inputs.map { newID[$0] }
            result.nodes[i].outputs = result.nodes[i].outputs.map { newID[$0] }
        }
        return result
    }
}
