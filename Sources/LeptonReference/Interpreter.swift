/// Runs a graph on concrete tensors, one node at a time, with the reference kernels.
///
/// Checks the caller's inputs against the graph signature first (`checkInputs`: dtype, rank,
/// fixed dims, and symbolic dims bound consistently), so user mistakes become diagnostics at
/// the input's declaration. Fused nodes run their body, recursively. Intermediate tensors are
/// released after their last use.
public struct Interpreter: Sendable {
    public let graph: Graph
    /// One tensor per `graph.params` entry, in that order.
    public let parameters: [Tensor]
    /// For each node, the values no later node (or graph output) reads: freed after it runs.
    private let releases: [[ValueID]]
    /// Most scalars one node result may hold (as for params): more would trap or exhaust memory.
    public static let maxElements = 1 << 31

    public init(graph: Graph, parameters: [Tensor]) {
        precondition(parameters.count == graph.params.count,
                     "graph '\(graph.name)' has \(graph.params.count) params, got \(parameters.count) tensors")
        self.graph = graph
        self.parameters = parameters
        self.releases = Self.releaseSchedule(graph)
    }

    /// The graph's outputs, in `graph.outputs` order, for `inputs` keyed by input name.
    public func run(_ inputs: [String: Tensor]) throws(DiagnosticError) -> [Tensor] {
        var bindings = try SymbolBindings.checking(inputs, parameters: parameters, of: graph)
        var slots = [Tensor?](repeating: nil, count: graph.values.count)
        for id in graph.inputs { slots[id] = inputs[graph.name(of: id)] }
        for (param, tensor) in zip(graph.params, parameters) { slots[param.value] = tensor }
        for (index, node) in graph.nodes.enumerated() {
            try execute(node, slots: &slots, bindings: &bindings)
            for id in releases[index] { slots[id] = nil }
        }
        return graph.outputs.map { id in
            guard let tensor = slots[id] else { preconditionFailure("graph output '\(graph.name(of: id))' was never computed") }
            return tensor
        }
    }

    private func execute(_ node: Node, slots: inout [Tensor?], bindings: inout SymbolBindings) throws(DiagnosticError) {
        let operands = node.inputs.map { id in
            guard let tensor = slots[id] else { preconditionFailure("'\(graph.name(of: id))' used before it is defined or after release") }
            return tensor
        }
        // Types may be huge (`tile(x, repeats: [1 << 40])` type-checks); allocating one is not.
        for id in node.outputs {
            let type = graph.type(of: id)
            guard let count = bindings.elementCount(of: type), count <= Self.maxElements else {
                throw DiagnosticError(at: node.location, "\(node.op) result '\(graph.name(of: id))' of type \(type) is too large to compute (more than \(Self.maxElements) elements)")
            }
        }
        let results: [Tensor]
        if node.op == .fused {
            results = try runBody(of: node, operands)
        } else {
            do {
                results = try node.op.evaluate(operands, node.attributes)
            } catch {
                throw DiagnosticError(at: node.location, error.message)
            }
        }
        guard results.count == node.outputs.count else {
            throw DiagnosticError(at: node.location, "internal: \(node.op) produced \(results.count) results for \(node.outputs.count) outputs")
        }
        for (id, tensor) in zip(node.outputs, results) {
            // A mismatch here means the shape rule and the kernel disagree: a compiler bug.
            if let problem = bindings.check(tensor, against: graph.type(of: id), as: "\(node.op) result '\(graph.name(of: id))'") {
                throw DiagnosticError(at: node.location, "internal: \(problem)")
            }
            slots[id] = tensor
        }
    }

    /// A fused node's results: its body interpreted with the operands as the body's inputs
    /// (the verifier guarantees one body whose inputs have the operands' types).
    private func runBody(of node: Node, _ operands: [Tensor]) throws(DiagnosticError) -> [Tensor] {
        guard let body = node.regions.first, body.params.isEmpty, body.inputs.count == operands.count else {
            throw DiagnosticError(at: node.location, "internal: fused node without a body matching its operands")
        }
        var inputs: [String: Tensor] = [:]
        for (id, tensor) in zip(body.inputs, operands) { inputs[body.name(of: id)] = tensor }
        return try Interpreter(graph: body, parameters: []).run(inputs)
    }

    /// For each node, the values whose last reader it is (or that nothing reads), excluding
    /// graph outputs, inputs and params (those belong to the caller).
    private static func releaseSchedule(_ graph: Graph) -> [[ValueID]] {
        var lastUse = [Int?](repeating: nil, count: graph.values.count)
        for (index, node) in graph.nodes.enumerated() {
            for id in node.inputs { lastUse[id] = index }
            for id in node.outputs where lastUse[id] == nil { lastUse[id] = index }
        }
        var keep = Set(graph.outputs)
        keep.formUnion(graph.inputs)
        keep.formUnion(graph.params.map(\.value))
        var releases = [[ValueID]](repeating: [], count: graph.nodes.count)
        for (id, index) in lastUse.enumerated() {
            if let index, !keep.contains(id) { releases[index].append(id) }
        }
        return releases
    }
}
