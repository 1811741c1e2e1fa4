import LeptonIR

/// Fused nodes: `a, b = fused(p, q) graph(x0: T0, x1: T1) -> (y0: T, y1: U) { ... }`.
///
/// The body is lowered like a graph of its own: its names are local, its inputs are typed by
/// its signature and stand for the operands (whose types they must equal exactly), and it
/// sees nothing of the enclosing graph — outer values come in as operands. Bodies hold no
/// params and no fused nodes (fusion is one level deep).
extension Lowering {
    mutating func lowerFused(_ value: Expr, region decl: GraphDecl, scope: inout Scope,
                             builder: inout GraphBuilder) throws(LoweringAbort) -> [ValueID] {
        guard case .call(let call) = value.kind else {
            throw fail("a body 'graph(...) -> (...) { ... }' can only follow a fused(...) call", at: decl.location)
        }
        if scope.enclosingNames != nil {
            throw fail("a fused body cannot contain another fused node", at: value.location)
        }
        if let argument = call.arguments.first {
            throw fail("unknown attribute '\(argument.name)' for fused; fused takes no attributes", at: argument.location)
        }
        guard call.operands.count == decl.inputs.count else {
            throw fail("fused has \(plural(call.operands.count, "operand")), but its body takes \(plural(decl.inputs.count, "input"))",
                       at: value.location)
        }
        var operands: [ValueID] = []
        for (expr, input) in zip(call.operands, decl.inputs) {
            operands.append(try lowerValue(expr, hint: input.type.dtype, scope: &scope, builder: &builder))
        }
        let region = try lowerRegion(decl, operands: operands, operandExprs: call.operands, scope: scope, builder: builder)
        let types = region.outputs.map(region.type(of:))
        return builder.addNode(.fused, operands, Op.fused.schema.defaults, results: types, at: value.location, regions: [region])
    }

    /// The body as a graph, its inputs checked against the operands' types.
    private mutating func lowerRegion(_ decl: GraphDecl, operands: [ValueID], operandExprs: [Expr], scope outer: Scope,
                                      builder outerBuilder: GraphBuilder) throws(LoweringAbort) -> Graph {
        var builder = GraphBuilder(name: Graph.regionName, location: decl.location)
        var scope = Scope(graphName: outer.graphName, prefix: "")
        scope.dims = outer.dims
        scope.enclosingNames = Set(outer.values.keys).union(outer.poisoned)
        for case .param(let param) in decl.body {
            throw fail("a fused body cannot declare params; pass '\(param.name)' as an operand", at: param.location)
        }
        for (index, input) in decl.inputs.enumerated() {
            guard scope.values[input.name] == nil else { throw fail("duplicate name '\(input.name)'", at: input.location) }
            for case .name(let symbol, _) in input.type.dims where scope.dims.symbols[symbol] == nil && scope.dims.arguments[symbol] == nil {
                scope.dims.symbols[symbol] = .symbol(symbol)
            }
            let type = try evaluate(input.type, scope: scope, what: "fused body input '\(input.name)'")
            let operandType = outerBuilder.type(of: operands[index])
            guard type == operandType else {
                throw fail("fused body input '\(input.name)' is declared \(type), but operand \(index) is \(operandType)",
                           at: input.location)
            }
            scope.values[input.name] = builder.addInput(input.name, type, at: input.location)
        }
        guard let outputs = lowerBody(decl, scope: &scope, builder: &builder) else { throw LoweringAbort() }
        builder.setOutputs(outputs)
        return builder.finished()
    }
}
