import LeptonIR

/// Expressions to nodes. Unnamed results are temporaries; the statement names the last ones.
extension Lowering {
    /// Lowers `expr` to its result values (several for `lstm`, `split`, graph calls).
    /// `hint` types literals that nothing else types; `callPrefix` names an inlined graph call.
    mutating func lowerExpression(_ expr: Expr, hint: DType?, callPrefix: String? = nil, scope: inout Scope,
                                  builder: inout GraphBuilder) throws(LoweringAbort) -> [ValueID] {
        guard expressionDepth < Self.maxExpressionDepth else {
            throw fail("expression nested too deeply across graph calls (more than \(Self.maxExpressionDepth) levels)", at: expr.location)
        }
        expressionDepth += 1
        defer { expressionDepth -= 1 }
        switch expr.kind {
        case .name(let name):
            if let value = scope.values[name] { return [value] }
            if scope.dims.arguments[name] != nil {
                return [try lowerLiteral(expr, dtype: hint, scope: scope, builder: &builder)]
            }
            if scope.poisoned.contains(name) { throw LoweringAbort() }
            if scope.enclosingNames?.contains(name) == true {
                throw fail("'\(name)' is defined outside the fused body; pass it as an operand", at: expr.location)
            }
            let suggestion = closestName(to: name, among: Array(scope.values.keys)).map { "; did you mean '\($0)'?" } ?? ""
            throw fail("undefined name '\(name)'\(suggestion)", at: expr.location)
        case .number, .bool, .list:
            return [try lowerLiteral(expr, dtype: hint, scope: scope, builder: &builder)]
        case .string:
            throw fail("a string is not a tensor; strings are only attribute values", at: expr.location)
        case .negate(let operand):
            return try lowerOp(.neg, [operand], [], at: expr.location, hint: hint, scope: &scope, builder: &builder)
        case .binary(let op, let lhs, let rhs):
            return try lowerOp(op.op, [lhs, rhs], [], at: expr.location, hint: hint, scope: &scope, builder: &builder)
        case .call(let call):
            if call.name == Op.fused.mnemonic {
                throw fail("fused needs a body: fused(operands) graph(x0: T, ...) -> (y0: T, ...) { ... }", at: expr.location)
            }
            if let op = Op(rawValue: call.name) {
                return try lowerOp(op, call.operands, call.arguments, at: expr.location, hint: hint, scope: &scope, builder: &builder)
            }
            if let callee = declarations[call.name] {
                return try lowerGraphCall(callee, call, at: expr.location, prefix: callPrefix, scope: &scope, builder: &builder)
            }
            let candidates = Op.allCases.map(\.mnemonic) + declarations.keys
            let suggestion = closestName(to: call.name, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
            throw fail("unknown op '\(call.name)'\(suggestion)", at: expr.location)
        }
    }

    /// Lowers an operand that must be exactly one value.
    mutating func lowerValue(_ expr: Expr, hint: DType?, scope: inout Scope, builder: inout GraphBuilder) throws(LoweringAbort) -> ValueID {
        let results = try lowerExpression(expr, hint: hint, scope: &scope, builder: &builder)
        guard results.count == 1 else {
            throw fail("this value has \(plural(results.count, "result")); assign them to names first", at: expr.location)
        }
        return results[0]
    }

    /// `op(operands, attributes)`: checks operand count and attributes, infers result types.
    private mutating func lowerOp(_ op: Op, _ operandExprs: [Expr], _ arguments: [NamedArgument], at location: SourceLocation,
                                  hint: DType?, scope: inout Scope, builder: inout GraphBuilder) throws(LoweringAbort) -> [ValueID] {
        let operands = try lowerOperands(operandExprs, of: op, hint: hint, scope: &scope, builder: &builder)
        let arity = op.schema.arity
        if operands.count < arity.min || operands.count > (arity.max ?? .max) {
            throw fail("\(op) expects \(operandCountText(arity)), got \(operands.count)", at: location)
        }
        let attributes = op == .constant && arguments.contains(where: { $0.name == "shape" || $0.name == "base64" })
            ? try lowerEncodedConstant(arguments, at: location, scope: scope)
            : try lowerAttributes(arguments, of: op, at: location, scope: scope)
        let types: [TensorType]
        if op == .constant {
            let value = attributes.tensor("value")
            types = [TensorType(value.dtype, fixed: value.shape)]
        } else {
            do {
                types = try op.inferTypes(operands.map(builder.type(of:)), attributes)
            } catch {
                let operandLocation = error.operand.flatMap { operandExprs.indices.contains($0) ? operandExprs[$0].location : nil }
                let message = error.message.hasPrefix(op.mnemonic) ? error.message : "\(op): \(error.message)"
                throw fail(message, at: operandLocation ?? location)
            }
        }
        return builder.addNode(op, operands, attributes, results: types, at: location)
    }

    /// Lowers operands; a literal operand of an elementwise op takes the dtype of the other
    /// operands (`x * 2` with x: f64 makes 2 an f64), so non-literals go first.
    private mutating func lowerOperands(_ exprs: [Expr], of op: Op, hint: DType?, scope: inout Scope,
                                        builder: inout GraphBuilder) throws(LoweringAbort) -> [ValueID] {
        let peers = op.literalPeers(count: exprs.count)
        let passHint = op.passesTypeHint
        var values = [ValueID?](repeating: nil, count: exprs.count)
        for (i, expr) in exprs.enumerated() where !(peers.contains(i) && isLiteral(expr, scope: scope)) {
            let operandHint: DType? = op == .where ? (i == 0 ? .bool : hint) : (passHint ? hint : nil)
            values[i] = try lowerValue(expr, hint: operandHint, scope: &scope, builder: &builder)
        }
        let peerType = peers.lazy.compactMap { values[$0] }.first.map { builder.type(of: $0).dtype }
        for (i, expr) in exprs.enumerated() where values[i] == nil {
            values[i] = try lowerLiteral(expr, dtype: peerType ?? hint, scope: scope, builder: &builder)
        }
        return values.map { $0! }
    }

    /// Numbers, bools, lists of them, and compile-time arguments are literals.
    func isLiteral(_ expr: Expr, scope: Scope) -> Bool {
        switch expr.kind {
        case .number, .bool: true
        case .name(let name): scope.values[name] == nil && scope.dims.arguments[name] != nil
        case .list(let items): items.allSatisfy { isLiteral($0, scope: scope) }
        default: false
        }
    }

    private func operandCountText(_ arity: (min: Int, max: Int?)) -> String {
        guard let max = arity.max else { return "at least \(plural(arity.min, "operand"))" }
        return max == arity.min ? plural(max, "operand") : "\(arity.min) to \(max) operands"
    }
}

extension Op {
    /// Operand positions whose literals take their dtype from one another.
    func literalPeers(count: Int) -> [Int] {
        switch self {
        case .add, .sub, .mul, .div, .pow, .max, .min, .eq, .ne, .lt, .le, .gt, .ge, .and, .or, .xor:
            Array(0..<count)
        case .where:
            Array(1..<Swift.max(1, count))
        default:
            []
        }
    }

    /// Ops whose result dtype is their operands' dtype, so a statement's annotated dtype
    /// can type literal operands (`y: f64[] = 2 * 3`).
    var passesTypeHint: Bool {
        isElementwise && ![.eq, .ne, .lt, .le, .gt, .ge, .cast, .not, .and, .or, .xor, .where].contains(self)
    }
}
