import LeptonIR

/// Reverse-mode differentiation as a graph transform.
///
/// Takes a graph whose shapes are all known, a scalar floating-point `loss` value in it, and
/// the values to differentiate for (graph inputs: the trainer turns trained params into inputs
/// first, so folding cannot bake them in). Appends the backward nodes and returns a graph whose
/// outputs are the original ones followed by ∂loss/∂v for each v, named `grad.<v>`:
///
///     graph g(x: f32[2, 3], w: f32[3]) -> (loss: f32[]) { loss = reduce_sum(x * w, keepdims: false) }
///   -> outputs (loss, grad.w), with grad.w = reduce_sum(expand(1, [2, 3]) * x, axes: [0]) reshaped to [3]
///
/// The sweep visits nodes in reverse order and asks each op's rule (`Op+Gradient.swift`) for
/// the adjoints of its operands, summing adjoints where a value has several uses. Only nodes on
/// a path from a `wrt` value to the loss are differentiated. The result is an ordinary graph:
/// the usual passes (folding, CSE, fusion, memory planning) then apply to forward and backward
/// together, and the planner keeps exactly the forward activations the backward nodes read.
///
/// Shapes must be known because rules put them in attributes (`expand`, `reshape`); the trainer
/// binds the batch symbol before differentiating (one backward graph per batch size).
public enum Autodiff {
    public static func differentiate(_ graph: Graph, loss: ValueID, wrt: [ValueID]) throws(DiagnosticError) -> Graph {
        try checkDifferentiable(graph, loss: loss, wrt: wrt)
        var builder = GradientBuilder(graph: graph)
        builder.location = graph.values[loss].location
        var adjoints: [ValueID: ValueID] = [:]
        do throws(GradientError) {
            adjoints[loss] = try builder.scalar(1, graph.type(of: loss).dtype)
            try sweep(graph.nodes, depends: dependencies(graph, on: wrt), adjoints: &adjoints, &builder)
        } catch {
            throw DiagnosticError(at: error.location ?? builder.location, error.message)
        }
        return try gradientOutputs(&builder, adjoints: adjoints, wrt: wrt).canonicalized()
    }

    /// The reverse sweep: visits `nodes` last to first and adds each operand's adjoint into
    /// `adjoints`, for operands that `depends` marks. Rules that differentiate a decomposition
    /// of their op run it again over the nodes they emitted.
    static func sweep(_ nodes: some BidirectionalCollection<Node>, depends: [Bool], adjoints: inout [ValueID: ValueID],
                      _ builder: inout GradientBuilder) throws(GradientError) {
        for node in nodes.reversed() {
            let results = node.outputs.map { adjoints[$0] }
            let needs = node.inputs.map { $0 < depends.count && depends[$0] }
            guard results.contains(where: { $0 != nil }), needs.contains(true) else { continue }
            builder.location = node.location
            do throws(GradientError) {
                let operandAdjoints = try node.op.gradients(of: node, results: results, needs: needs, &builder)
                for (position, input) in node.inputs.enumerated() where needs[position] && builder.dtype(input).isFloatingPoint {
                    guard position < operandAdjoints.count, let adjoint = operandAdjoints[position] else { continue }
                    guard builder.type(adjoint) == builder.type(input) else {
                        throw GradientError("internal: the gradient rule of \(node.op) made \(builder.type(adjoint)) for operand \(position) of type \(builder.type(input))")
                    }
                    adjoints[input] = try builder.add(adjoints[input], adjoint)
                }
            } catch {
                throw GradientError(error.message, at: error.location ?? node.location)
            }
        }
    }

    /// Runs one rule, turning its failure into a diagnostic at the node it differentiates.
    private static func gradientStep<T>(at location: SourceLocation, _ body: () throws(GradientError) -> T) throws(DiagnosticError) -> T {
        do throws(GradientError) {
            return try body()
        } catch {
            throw DiagnosticError(at: location, error.message)
        }
    }

    /// Appends `grad.<name>` outputs. A param nothing depends on gets zeros.
    private static func gradientOutputs(_ builder: inout GradientBuilder, adjoints: [ValueID: ValueID], wrt: [ValueID]) throws(DiagnosticError) -> Graph {
        let original = builder.graph
        for value in wrt {
            builder.location = original.values[value].location
            var gradient = try gradientStep(at: builder.location) { () throws(GradientError) in
                if let adjoint = adjoints[value] { return adjoint }
                return try builder.filled(0, like: value)
            }
            let taken = builder.graph.outputs.contains(gradient) || builder.graph.inputs.contains(gradient)
                || builder.graph.params.contains { $0.value == gradient } || !Graph.isTemporary(builder.graph.name(of: gradient))
            if taken {
                gradient = try gradientStep(at: builder.location) { () throws(GradientError) in try builder(.identity, gradient) }
            }
            builder.graph.values[gradient].name = "grad." + original.name(of: value)
            builder.graph.outputs.append(gradient)
        }
        return builder.graph
    }

    /// Which values depend on a `wrt` value (through any operand).
    static func dependencies(_ graph: Graph, on wrt: [ValueID], nodes: Range<Int>? = nil) -> [Bool] {
        var depends = [Bool](repeating: false, count: graph.values.count)
        for value in wrt { depends[value] = true }
        for node in graph.nodes[nodes ?? graph.nodes.indices] where node.inputs.contains(where: { depends[$0] }) {
            for output in node.outputs { depends[output] = true }
        }
        return depends
    }

    /// The preconditions, as user-facing errors.
    private static func checkDifferentiable(_ graph: Graph, loss: ValueID, wrt: [ValueID]) throws(DiagnosticError) {
        guard graph.values.indices.contains(loss) else { throw DiagnosticError(at: graph.location, "internal: loss value \(loss) is not in graph \(graph.name)") }
        let lossType = graph.type(of: loss)
        guard lossType.rank == 0, lossType.dtype.isFloatingPoint else {
            throw DiagnosticError(at: graph.values[loss].location, "the loss must be a floating-point scalar, got \(lossType)")
        }
        for value in wrt {
            guard graph.inputs.contains(value), graph.type(of: value).dtype.isFloatingPoint else {
                throw DiagnosticError(at: graph.values[value].location, "can only differentiate for floating-point inputs; '\(graph.name(of: value))' is not one")
            }
        }
        for node in graph.nodes where node.op == .fused {
            throw DiagnosticError(at: node.location, "differentiate before fusion: fused kernels have no gradient rule")
        }
        for value in graph.values where value.type.fixedShape == nil {
            throw DiagnosticError(at: value.location, "differentiation needs known shapes: '\(value.name)' is \(value.type); bind its symbols first (e.g. --dim N=32)")
        }
    }
}
