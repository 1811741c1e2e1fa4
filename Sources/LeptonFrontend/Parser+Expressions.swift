import LeptonIR

/// Expressions: `+ -` over `* /` over unary `-` over calls, names, literals and lists.
extension Parser {
    mutating func parseExpression() throws(ParseFailure) -> Expr {
        let outer = depth
        defer { depth = outer }
        try enter()
        var lhs = try parseProduct()
        while let op = additiveOperator {
            let location = current.location
            try enter()
            advance()
            lhs = Expr(kind: .binary(op, lhs, try parseProduct()), location: location)
        }
        return lhs
    }

    private mutating func parseProduct() throws(ParseFailure) -> Expr {
        let outer = depth
        defer { depth = outer }
        var lhs = try parseUnary()
        while let op = multiplicativeOperator {
            let location = current.location
            try enter()
            advance()
            lhs = Expr(kind: .binary(op, lhs, try parseUnary()), location: location)
        }
        return lhs
    }

    /// A minus on a number folds into the literal (`-1`, `-inf`, `-0.0` stay literals).
    private mutating func parseUnary() throws(ParseFailure) -> Expr {
        guard current.kind == .minus else { return try parsePrimary() }
        let location = current.location
        let outer = depth
        defer { depth = outer }
        try enter()
        advance()
        let operand = try parseUnary()
        if case .number(let literal) = operand.kind {
            return Expr(kind: .number(literal.negated), location: location)
        }
        return Expr(kind: .negate(operand), location: location)
    }

    private mutating func parsePrimary() throws(ParseFailure) -> Expr {
        let location = current.location
        switch current.kind {
        case .integer(let text):
            advance()
            return Expr(kind: .number(NumberLiteral(text: text, isFloat: false)), location: location)
        case .float(let text):
            advance()
            return Expr(kind: .number(NumberLiteral(text: text, isFloat: true)), location: location)
        case .keywordTrue, .keywordFalse:
            let value = current.kind == .keywordTrue
            advance()
            return Expr(kind: .bool(value), location: location)
        case .string(let text):
            advance()
            return Expr(kind: .string(text), location: location)
        case .identifier(let name):
            advance()
            guard current.kind == .leftParen else { return Expr(kind: .name(name), location: location) }
            return Expr(kind: .call(try parseCallArguments(name)), location: location)
        case .leftParen:
            try open(.leftParen, "'('")
            let inner = try parseExpression()
            try close(.rightParen, "')'")
            return inner
        case .leftBracket:
            try open(.leftBracket, "'['")
            var items: [Expr] = []
            try parseList(closing: .rightBracket) { (p: inout Parser) throws(ParseFailure) in
                items.append(try p.parseExpression())
            }
            return Expr(kind: .list(items), location: location)
        default:
            throw fail("expected an expression")
        }
    }

    /// `(operand, ..., name: value, ...)`: positional operands first, then named arguments.
    private mutating func parseCallArguments(_ name: String) throws(ParseFailure) -> Call {
        try open(.leftParen, "'('")
        var call = Call(name: name, operands: [], arguments: [])
        try parseList(closing: .rightParen) { (p: inout Parser) throws(ParseFailure) in
            if case .identifier(let label) = p.current.kind, p.peekKind(after: 1) == .colon {
                let location = p.current.location
                p.advance()
                p.advance()
                call.arguments.append(NamedArgument(name: label, location: location, value: try p.parseExpression()))
            } else {
                let location = p.current.location
                let operand = try p.parseExpression()
                guard call.arguments.isEmpty else {
                    // `tensor(dtype: f32, shape: [..], elided)`: what `lepton dump` prints for big tensors.
                    if case .name("elided") = operand.kind {
                        throw p.error("elided tensor values cannot be parsed; dump with --full-tensors", at: location)
                    }
                    throw p.error("positional operand after named arguments in call to '\(name)'", at: location)
                }
                call.operands.append(operand)
            }
        }
        return call
    }
}
