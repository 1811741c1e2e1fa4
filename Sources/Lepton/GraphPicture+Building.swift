import LeptonIR

/// Deciding what a `GraphPicture` shows: one box per input, op and output; a cluster per fused
/// node holding boxes for its body's ops; params and constants as lines in their readers'
/// labels (why: see `GraphPicture`). Arrows cross cluster frames straight to the body op that
/// reads or writes a value, so a reader sees which op of a kernel each tensor meets.
struct GraphPictureBuilder {
    typealias Item = GraphPicture.Item
    typealias Box = GraphPicture.Box

    /// Where a value comes from in the picture.
    private enum Origin {
        /// An arrow from this box, labelled with the value's name when the box has several results.
        case box(id: String, label: String?)
        /// A line in the label of each op that reads the value (params, constants).
        case line(String)
    }

    private(set) var edges: [GraphPicture.Edge] = []
    private var drawnEdges: Set<GraphPicture.Edge> = []

    /// The items of the whole graph; fills `edges`.
    mutating func draw(_ graph: Graph) -> [Item] {
        var items: [Item] = []
        var origins: [ValueID: Origin] = [:]
        for (index, input) in graph.inputs.enumerated() {
            let id = "in\(index)"
            items.append(.box(Box(id: id, kind: .input, lines: [Self.name(input, graph), Self.type(input, graph)])))
            origins[input] = .box(id: id, label: nil)
        }
        for param in graph.params {
            origins[param.value] = .line("param \(Self.name(param.value, graph)): \(Self.type(param.value, graph))")
        }
        // Compiler temporaries (`%3`) are left unnamed in labels: only the user's names help.
        var names: [ValueID: String] = [:]
        for value in graph.values.indices where !graph.values[value].name.hasPrefix("%") {
            names[value] = graph.values[value].name
        }
        items += drawNodes(of: graph, prefix: "n", names: names, origins: &origins)
        for (index, output) in graph.outputs.enumerated() {
            let id = "out\(index)"
            var lines = [Self.name(output, graph), Self.type(output, graph)]
            switch origins[output] {
            case .box(let from, let label): connect(from, id, label)
            case .line(let text): lines.append(text)  // an output that is a param or constant
            case nil: break
            }
            items.append(.box(Box(id: id, kind: .output, lines: lines)))
        }
        return items
    }

    /// Boxes (ids `prefix` + node index) and clusters for the nodes of `graph`. `names` are the
    /// result names worth showing; `origins` maps each value defined so far to where it comes from.
    private mutating func drawNodes(of graph: Graph, prefix: String, names: [ValueID: String],
                                    origins: inout [ValueID: Origin]) -> [Item] {
        var items: [Item] = []
        for (index, node) in graph.nodes.enumerated() {
            let id = "\(prefix)\(index)"
            if node.op == .constant {
                for output in node.outputs { origins[output] = .line(Self.constantLine(node, output, graph, names)) }
            } else if node.op == .fused, let body = node.regions.first {
                items.append(.cluster(drawFused(node, body: body, id: id, graph: graph, names: names, origins: &origins)))
            } else {
                items.append(.box(drawOp(node, id: id, graph: graph, names: names, origins: &origins)))
            }
        }
        return items
    }

    /// An op's box: its mnemonic, its attributes, its results and the params and constants it
    /// reads, with arrows from the boxes of its other operands.
    private mutating func drawOp(_ node: Node, id: String, graph: Graph, names: [ValueID: String],
                                 origins: inout [ValueID: Origin]) -> Box {
        var lines = [node.op.mnemonic]
        if let attributes = Self.attributeLine(node) { lines.append(attributes) }
        // Several results are told apart by name, temporaries too (the arrows say the same names).
        let several = node.outputs.count > 1
        let resultNames = node.outputs.map { names[$0] ?? (several ? Self.name($0, graph) : nil) }
        lines += zip(node.outputs, resultNames).map { output, name in
            name.map { "\($0): \(Self.type(output, graph))" } ?? Self.type(output, graph)
        }
        for input in node.inputs {
            switch origins[input] {
            case .box(let from, let label): connect(from, id, label)
            case .line(let text) where !lines.contains(text): lines.append(text)
            case .line, nil: break
            }
        }
        for (output, name) in zip(node.outputs, resultNames) { origins[output] = .box(id: id, label: several ? name : nil) }
        return Box(id: id, kind: .op, lines: lines)
    }

    /// A fused node's frame, holding its body's ops (ids `<id>_<body node index>`). The body's
    /// inputs come from where the node's operands come from; its results go out from the body
    /// op that computes each, labelled with the outer value's name (the body's own names are
    /// the canonical `x0`, `y0`, `%0`, which say nothing).
    private mutating func drawFused(_ node: Node, body: Graph, id: String, graph: Graph, names: [ValueID: String],
                                    origins: inout [ValueID: Origin]) -> GraphPicture.Cluster {
        var inner: [ValueID: Origin] = [:]
        for (operand, input) in zip(node.inputs, body.inputs) { inner[input] = origins[operand] }
        var innerNames: [ValueID: String] = [:]
        for (result, output) in zip(node.outputs, body.outputs) { innerNames[output] = names[result] }
        let items = drawNodes(of: body, prefix: id + "_", names: innerNames, origins: &inner)
        for (result, output) in zip(node.outputs, body.outputs) { origins[result] = inner[output] }
        return GraphPicture.Cluster(id: id, title: "fused", items: items)
    }

    private mutating func connect(_ from: String, _ to: String, _ label: String?) {
        let edge = GraphPicture.Edge(from: from, to: to, label: label)
        if drawnEdges.insert(edge).inserted { edges.append(edge) }
    }

    /// Tensors up to this many elements show their values in a constant's line (`0.125`).
    static let shownConstantLimit = 4

    /// `const f32[] = 0.125`, `const eps: f32[] = 1e-05`, `const f32[64]` (too big to show).
    private static func constantLine(_ node: Node, _ output: ValueID, _ graph: Graph, _ names: [ValueID: String]) -> String {
        var line = "const " + (names[output].map { "\($0): " } ?? "") + type(output, graph)
        if case .tensor(let value)? = node.attributes["value"], value.count <= shownConstantLimit {
            line += " = " + Printer.text(of: value)
        }
        return line
    }

    /// The attributes that differ from their defaults, as written in `.graph` text
    /// (`kernel: [2, 2], strides: [2, 2]`); tensor values are left out (unreadable in a box).
    private static func attributeLine(_ node: Node) -> String? {
        let parts = node.op.schema.attributes.compactMap { spec -> String? in
            guard let value = node.attributes[spec.name], value != spec.defaultValue else { return nil }
            if case .tensor = value { return nil }
            return "\(spec.name): \(Printer.text(of: value))"
        }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    private static func name(_ value: ValueID, _ graph: Graph) -> String {
        graph.values.indices.contains(value) ? graph.name(of: value) : "<invalid value \(value)>"
    }

    private static func type(_ value: ValueID, _ graph: Graph) -> String {
        graph.values.indices.contains(value) ? graph.type(of: value).description : "?"
    }
}
