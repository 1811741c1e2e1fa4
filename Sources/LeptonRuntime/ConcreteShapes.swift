/// Concrete shapes of every value of a graph once its symbolic dimensions are bound.
///
/// Declared types with the symbols substituted give most shapes; a node whose declared type
/// names a symbol the bindings do not cover (one a shape rule invented) gets its shape from the
/// op's shape rule over its operands' concrete shapes instead.
enum ConcreteShapes {
    static func resolve(_ graph: Graph, bindings: [String: Int]) throws(DiagnosticError) -> [ValueID: [Int]] {
        for (symbol, size) in bindings.sorted(by: { $0.key < $1.key }) where size < 0 {
            throw DiagnosticError(at: graph.location, "symbol \(symbol) bound to negative size \(size)")
        }
        var shapes: [ValueID: [Int]] = [:]
        for id in graph.inputs + graph.params.map(\.value) {
            let info = graph.values[id]
            guard let shape = substitute(info.type, bindings) else {
                let symbol = unbound(info.type, bindings)
                throw DiagnosticError(at: info.location,
                                      "no size for symbol \(symbol) of \(info.name): \(info.type) (bind it, e.g. --dim \(symbol)=1)")
            }
            shapes[id] = shape
        }
        try resolveNodes(of: graph, bindings: bindings, into: &shapes)
        return shapes
    }

    /// Fills in the shapes of every node output, in node order.
    private static func resolveNodes(of graph: Graph, bindings: [String: Int],
                                     into shapes: inout [ValueID: [Int]]) throws(DiagnosticError) {
        for node in graph.nodes {
            let declared = node.outputs.map { substitute(graph.type(of: $0), bindings) }
            if declared.allSatisfy({ $0 != nil }) {
                for (id, shape) in zip(node.outputs, declared) { shapes[id] = shape }
                continue
            }
            let operands = node.inputs.map { id in TensorType(graph.type(of: id).dtype, fixed: shapes[id] ?? []) }
            let inferred = try infer(node, operands, bindings)
            guard inferred.count == node.outputs.count else {
                preconditionFailure("\(node.op) inferred \(inferred.count) results for \(node.outputs.count) outputs")
            }
            for (id, type) in zip(node.outputs, inferred) {
                guard let shape = type.fixedShape else {
                    throw DiagnosticError(at: node.location, "\(node.op): cannot compute a concrete shape for \(graph.name(of: id)): \(graph.type(of: id))")
                }
                shapes[id] = shape
            }
        }
    }

    /// Result types from the op's shape rule, or from the body of a fused node.
    private static func infer(_ node: Node, _ operands: [TensorType], _ bindings: [String: Int]) throws(DiagnosticError) -> [TensorType] {
        if node.op == .fused, let body = node.regions.first {
            var inner: [ValueID: [Int]] = [:]
            for (id, operand) in zip(body.inputs, operands) { inner[id] = operand.fixedShape }
            for param in body.params { inner[param.value] = body.type(of: param.value).fixedShape }
            try resolveNodes(of: body, bindings: bindings, into: &inner)
            return body.outputs.map { TensorType(body.type(of: $0).dtype, fixed: inner[$0] ?? []) }
        }
        do {
            return try node.op.inferTypes(operands, node.attributes)
        } catch {
            throw DiagnosticError(at: node.location, error.message)
        }
    }

    /// The shape with every symbol replaced by its size; nil if some symbol is unbound.
    static func substitute(_ type: TensorType, _ bindings: [String: Int]) -> [Int]? {
        var shape: [Int] = []
        for dim in type.shape {
            switch dim {
            case .fixed(let n): shape.append(n)
            case .symbol(let symbol):
                guard let n = bindings[symbol] else { return nil }
                shape.append(n)
            }
        }
        return shape
    }

    private static func unbound(_ type: TensorType, _ bindings: [String: Int]) -> String {
        for case .symbol(let symbol) in type.shape where bindings[symbol] == nil { return symbol }
        return "?"
    }
}
