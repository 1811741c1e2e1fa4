/// Runs a graph on concrete tensors, one node at a time, with the reference kernels.
///
/// Checks the caller's inputs against the graph signature first (dtype, rank, fixed dims, and
/// symbolic dims bound consistently), so user mistakes become diagnostics at the input's
/// declaration. Intermediate tensors are released after their last use.
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
        var bindings = try bindInputs(inputs)
        var slots = [Tensor?](repeating: nil, count: graph.values.count)
        for id in graph.inputs { slots[id] = inputs[graph.name(of: id)] }
        var problems: [Diagnostic] = []
        for (param, tensor) in zip(graph.params, parameters) {
            let name = "param '\(graph.name(of: param.value))'"
            if let problem = bindings.check(tensor, against: graph.type(of: param.value), as: name) {
                problems.append(Diagnostic(at: param.location, problem))
            }
            slots[param.value] = tensor
        }
        guard problems.isEmpty else { throw DiagnosticError(problems) }
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
        do {
            results = try node.op.evaluate(operands, node.attributes)
        } catch {
            throw DiagnosticError(at: node.location, error.message)
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

    /// Checks every graph input is given with the declared type, binding symbolic dims.
    private func bindInputs(_ inputs: [String: Tensor]) throws(DiagnosticError) -> SymbolBindings {
        var bindings = SymbolBindings()
        var problems: [Diagnostic] = []
        let declared = Set(graph.inputs.map { graph.name(of: $0) })
        for name in inputs.keys.sorted() where !declared.contains(name) {
            let expected = graph.inputs.map { "'\(graph.name(of: $0))'" }.joined(separator: ", ")
            problems.append(Diagnostic(at: graph.location, "unknown input '\(name)'; graph '\(graph.name)' takes \(expected.isEmpty ? "no inputs" : expected)"))
        }
        for id in graph.inputs {
            let value = graph.values[id]
            guard let tensor = inputs[value.name] else {
                problems.append(Diagnostic(at: value.location, "missing input '\(value.name)' of type \(value.type)"))
                continue
            }
            if let problem = bindings.check(tensor, against: value.type, as: "input '\(value.name)'") {
                problems.append(Diagnostic(at: value.location, problem))
            }
        }
        guard problems.isEmpty else { throw DiagnosticError(problems) }
        return bindings
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

/// Sizes bound to symbolic dims during one run, each remembering what bound it.
struct SymbolBindings {
    private var sizes: [String: (size: Int, source: String)] = [:]

    /// The scalars in a value of `type`, symbols bound so far at their sizes (others as 1);
    /// nil when the count overflows.
    func elementCount(of type: TensorType) -> Int? {
        var count = 1
        for dim in type.shape {
            let size = switch dim {
            case .fixed(let size): size
            case .symbol(let symbol): sizes[symbol]?.size ?? 1
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// nil when `tensor` has `type` (binding new symbols); otherwise what is wrong, e.g.
    /// "input 'x' expects f32[N, 784], got f32[2, 100]: dimension 1 should be 784, got 100".
    mutating func check(_ tensor: Tensor, against type: TensorType, as what: String) -> String? {
        let actual = TensorType(tensor.dtype, fixed: tensor.shape)
        let mismatch = "\(what) expects \(type), got \(actual)"
        guard tensor.dtype == type.dtype else { return "\(mismatch): dtype should be \(type.dtype), got \(tensor.dtype)" }
        guard tensor.rank == type.rank else { return "\(mismatch): expected rank \(type.rank), got \(tensor.rank)" }
        for (axis, (dim, size)) in zip(type.shape, tensor.shape).enumerated() {
            switch dim {
            case .fixed(let expected) where expected != size:
                return "\(mismatch): dimension \(axis) should be \(expected), got \(size)"
            case .fixed:
                continue
            case .symbol(let symbol):
                if let bound = sizes[symbol] {
                    if bound.size != size { return "\(what) dimension \(axis) is \(symbol) = \(size), but \(symbol) = \(bound.size) from \(bound.source)" }
                } else {
                    sizes[symbol] = (size, what)
                }
            }
        }
        return nil
    }
}
