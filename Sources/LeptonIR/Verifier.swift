/// Checks the invariants every pass may rely on: ids in range, SSA (each value defined once,
/// before its uses: nodes are in topological order), unique names, complete attributes of
/// the schema's kinds, operand counts, stored types equal to what the shape rules infer,
/// defined outputs, and fused bodies (see Verifier+Regions.swift).
///
/// A failure means a compiler bug, not a user mistake, but it is reported as diagnostics
/// ("verifier: …" at the node's location) rather than a crash, so a broken pass can be found
/// from its output.
extension Graph {
    public func verify() throws(DiagnosticError) {
        var verifier = Verifier(graph: self)
        verifier.run()
        if !verifier.diagnostics.isEmpty { throw DiagnosticError(verifier.diagnostics) }
    }
}

struct Verifier {
    let graph: Graph
    var diagnostics: [Diagnostic] = []
    /// What defined each value so far ("input", "param", "node 3 (add)").
    var definedBy: [ValueID: String] = [:]

    init(graph: Graph) { self.graph = graph }

    mutating func run() {
        checkNames()
        for id in graph.inputs { define(id, by: "input", at: graph.location) }
        for param in graph.params { define(param.value, by: "param", at: param.location) }
        for (index, node) in graph.nodes.enumerated() { check(node, index) }
        for id in graph.values.indices where definedBy[id] == nil {
            report(at: graph.values[id].location, "value '\(graph.values[id].name)' (\(id)) is never defined")
        }
        for id in graph.outputs where !isValid(id) || definedBy[id] == nil {
            report(at: graph.location, "graph output \(describe(id)) is not a defined value")
        }
    }

    mutating func report(at location: SourceLocation, _ message: String) {
        diagnostics.append(Diagnostic(at: location, "verifier: " + message))
    }

    func isValid(_ id: ValueID) -> Bool { graph.values.indices.contains(id) }

    func describe(_ id: ValueID) -> String {
        isValid(id) ? "'\(graph.values[id].name)' (\(id))" : "\(id) (out of range: \(graph.values.count) values)"
    }

    mutating func checkNames() {
        var first: [String: ValueID] = [:]
        for (id, value) in graph.values.enumerated() {
            if let other = first[value.name] {
                report(at: value.location, "value name '\(value.name)' is used by values \(other) and \(id)")
            } else {
                first[value.name] = id
            }
        }
    }

    mutating func define(_ id: ValueID, by definer: String, at location: SourceLocation) {
        guard isValid(id) else {
            report(at: location, "\(definer) defines value \(describe(id))")
            return
        }
        if let previous = definedBy[id] {
            report(at: location, "value \(describe(id)) is defined twice: by \(previous) and by \(definer)")
        } else {
            definedBy[id] = definer
        }
    }

    mutating func check(_ node: Node, _ index: Int) {
        let label = "node \(index) (\(node.op.mnemonic))"
        var operandsOK = true
        for id in node.inputs where !isValid(id) || definedBy[id] == nil {
            let problem = isValid(id) ? " before it is defined" : ""
            report(at: node.location, "\(label) uses value \(describe(id))\(problem)")
            operandsOK = false
        }
        let attributesOK = checkAttributes(node, label)
        let countOK = checkOperandCount(node, label)
        if node.op == .fused {
            if operandsOK, attributesOK, countOK { checkRegion(node, label) }
        } else {
            if !node.regions.isEmpty { report(at: node.location, "\(label) has \(node.regions.count) regions; only fused nodes have a body") }
            if operandsOK, attributesOK, countOK { checkTypes(node, label) }
        }
        for id in node.outputs { define(id, by: label, at: node.location) }
    }

    mutating func checkOperandCount(_ node: Node, _ label: String) -> Bool {
        let (low, high) = node.op.schema.arity
        let count = node.inputs.count
        guard count < low || count > (high ?? Int.max) else { return true }
        let expected = high == nil ? "at least \(low)" : low == high ? "\(low)" : "\(low) to \(high ?? low)"
        report(at: node.location, "\(label) has \(count) operands, expected \(expected)")
        return false
    }

    /// Every schema attribute present with a value of its kind; nothing else.
    mutating func checkAttributes(_ node: Node, _ label: String) -> Bool {
        let schema = node.op.schema
        var ok = true
        for spec in schema.attributes {
            guard let value = node.attributes[spec.name] else {
                report(at: node.location, "\(label) is missing attribute '\(spec.name)'")
                ok = false
                continue
            }
            if !value.matches(spec.kind) {
                report(at: node.location, "\(label) attribute '\(spec.name)' has value \(value), not of kind \(spec.kind)")
                ok = false
            }
        }
        for name in node.attributes.values.keys.sorted() where schema.attribute(named: name) == nil {
            report(at: node.location, "\(label) has unknown attribute '\(name)'")
            ok = false
        }
        return ok
    }

    /// The stored output types must be exactly what the shape rule infers.
    mutating func checkTypes(_ node: Node, _ label: String) {
        let inputTypes = node.inputs.map { graph.values[$0].type }
        let inferred: [TensorType]
        do throws(ShapeError) {
            inferred = try node.op.inferTypes(inputTypes, node.attributes)
        } catch {
            report(at: node.location, "\(label): \(error.message)")
            return
        }
        guard inferred.count == node.outputs.count else {
            report(at: node.location, "\(label) has \(node.outputs.count) outputs, but its operands give \(inferred.count)")
            return
        }
        for (id, type) in zip(node.outputs, inferred) where isValid(id) && graph.values[id].type != type {
            report(at: node.location, "\(label) output \(describe(id)) is stored as \(graph.values[id].type), "
                + "but the shape rule gives \(type)")
        }
    }
}

private extension Attribute {
    func matches(_ kind: AttributeKind) -> Bool {
        switch (self, kind) {
        case (.int, .int), (.float, .float), (.bool, .bool), (.ints, .ints), (.floats, .floats),
             (.string, .string), (.dtype, .dtype), (.tensor, .tensor):
            true
        case (.choice(let value), .choice(let allowed)):
            allowed.contains(value)
        default:
            false
        }
    }
}
