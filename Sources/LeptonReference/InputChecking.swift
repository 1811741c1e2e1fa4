/// Checks `inputs` (keyed by input name) against the signature of `graph`: every input given,
/// none unknown, each with the declared dtype, rank and fixed dims, and every symbolic dim
/// bound to one size throughout. Returns the sizes bound to the symbols (`["N": 8]`).
///
/// Shared by the reference Interpreter and the runtime executor, so both reject the same
/// mistakes with the same diagnostics, at the input's declaration.
public func checkInputs<T: TensorShaped>(_ inputs: [String: T], of graph: Graph) throws(DiagnosticError) -> [String: Int] {
    try SymbolBindings.checking(inputs, parameters: nil, of: graph).sizesBySymbol
}

/// `checkInputs(_:of:)`, and also one tensor per `graph.params` entry of the param's type
/// (params may share symbols with inputs, e.g. loaded weights of shape [C]).
public func checkInputs(_ inputs: [String: Tensor], parameters: [Tensor], of graph: Graph) throws(DiagnosticError) -> [String: Int] {
    try SymbolBindings.checking(inputs, parameters: parameters, of: graph).sizesBySymbol
}

/// Sizes bound to symbolic dims during one run, each remembering what bound it.
struct SymbolBindings {
    private var sizes: [String: (size: Int, source: String)] = [:]

    var sizesBySymbol: [String: Int] { sizes.mapValues(\.size) }

    static func checking<T: TensorShaped>(_ inputs: [String: T], parameters: [Tensor]?, of graph: Graph) throws(DiagnosticError) -> SymbolBindings {
        var bindings = SymbolBindings()
        var problems = bindings.bindInputs(inputs, of: graph)
        guard problems.isEmpty else { throw DiagnosticError(problems) }
        if let parameters {
            if parameters.count != graph.params.count {
                problems.append(Diagnostic(at: graph.location,
                                           "graph '\(graph.name)' has \(graph.params.count) params, got \(parameters.count) tensors"))
            }
            for (param, tensor) in zip(graph.params, parameters) {
                let name = "param '\(graph.name(of: param.value))'"
                if let problem = bindings.check(tensor, against: graph.type(of: param.value), as: name) {
                    problems.append(Diagnostic(at: param.location, problem))
                }
            }
        }
        guard problems.isEmpty else { throw DiagnosticError(problems) }
        return bindings
    }

    /// Every graph input given with the declared type; unknown names reported too.
    private mutating func bindInputs<T: TensorShaped>(_ inputs: [String: T], of graph: Graph) -> [Diagnostic] {
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
            if let problem = check(tensor, against: value.type, as: "input '\(value.name)'") {
                problems.append(Diagnostic(at: value.location, problem))
            }
        }
        return problems
    }

    /// nil when `tensor` has `type` (binding new symbols); otherwise what is wrong, e.g.
    /// "input 'x' expects f32[N, 784], got f32[2, 100]: dimension 1 should be 784, got 100".
    mutating func check(_ tensor: some TensorShaped, against type: TensorType, as what: String) -> String? {
        let actual = TensorType(tensor.dtype, fixed: tensor.shape)
        let mismatch = "\(what) expects \(type), got \(actual)"
        guard tensor.dtype == type.dtype else { return "\(mismatch): dtype should be \(type.dtype), got \(tensor.dtype)" }
        guard tensor.shape.count == type.rank else { return "\(mismatch): expected rank \(type.rank), got \(tensor.shape.count)" }
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
