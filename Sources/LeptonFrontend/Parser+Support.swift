import LeptonIR

/// Token access, expectations and error recovery for the parser.
extension Parser {
    /// The next significant token: inside brackets, newlines are skipped.
    var current: Token { tokens[currentIndex] }

    private var currentIndex: Int {
        var i = position
        if nesting > 0 {
            while tokens[i].kind == .newline { i += 1 }
        }
        return i
    }

    /// The kind of the token `offset` significant tokens after the current one.
    func peekKind(after offset: Int) -> Token.Kind {
        var i = currentIndex
        for _ in 0..<offset {
            guard i + 1 < tokens.count else { break }
            i += 1
            if nesting > 0 {
                while i + 1 < tokens.count, tokens[i].kind == .newline { i += 1 }
            }
        }
        return tokens[i].kind
    }

    mutating func advance() {
        position = min(currentIndex + 1, tokens.count - 1)
    }

    var additiveOperator: BinaryOperator? {
        switch current.kind {
        case .plus: .add
        case .minus: .sub
        default: nil
        }
    }

    var multiplicativeOperator: BinaryOperator? {
        switch current.kind {
        case .star: .mul
        case .slash: .div
        default: nil
        }
    }

    mutating func expect(_ kind: Token.Kind, _ what: String) throws(ParseFailure) {
        guard current.kind == kind else { throw fail("expected \(what)") }
        advance()
    }

    /// Consumes an opening bracket; newlines are insignificant until the matching `close`.
    mutating func open(_ kind: Token.Kind, _ what: String) throws(ParseFailure) {
        try expect(kind, what)
        nesting += 1
    }

    mutating func close(_ kind: Token.Kind, _ what: String) throws(ParseFailure) {
        try expect(kind, what)
        nesting -= 1
    }

    /// One level deeper into an expression or dimension (an operand, a bracket, or one more
    /// operator of a chain, which nests the AST just as deeply). Callers restore `depth` on exit.
    mutating func enter() throws(ParseFailure) {
        guard depth < Self.maxDepth else {
            throw error("expression is nested too deeply (more than \(Self.maxDepth) levels)", at: current.location)
        }
        depth += 1
    }

    mutating func expectIdentifier(_ what: String) throws(ParseFailure) -> (String, SourceLocation) {
        guard case .identifier(let name) = current.kind else { throw fail("expected \(what)") }
        let location = current.location
        advance()
        return (name, location)
    }

    /// `item, item, ... )` after an opening bracket; a trailing comma is allowed.
    mutating func parseList(closing: Token.Kind, _ item: (inout Parser) throws(ParseFailure) -> Void) throws(ParseFailure) {
        let closer = Token.punctuation[closing] ?? "?"
        while current.kind != closing {
            try item(&self)
            guard current.kind == .comma else {
                guard current.kind == closing else { throw fail("expected ',' or '\(closer)'") }
                break
            }
            advance()
        }
        try close(closing, "'\(closer)'")
    }

    /// Records `message, got <token>` at the current token and returns the error to throw.
    /// When newlines inside brackets were skipped to reach the token, the newline is what
    /// was unexpected (a missing `)` usually), so the error points at the end of that line.
    mutating func fail(_ message: String) -> ParseFailure {
        var token = current
        if nesting > 0, tokens[position].kind == .newline { token = tokens[position] }
        return error("\(message), got \(token.spelling)", at: token.location)
    }

    mutating func error(_ message: String, at location: SourceLocation) -> ParseFailure {
        if !linesWithLexicalErrors.contains(location.line) && !reachedLimit {
            appendDiagnostic(Diagnostic(at: location, message))
        }
        return ParseFailure()
    }

    /// Skips raw tokens until `stop` matches (not consumed), or past a newline or `;` that
    /// `stop` accepts (consumed). Bracket nesting is forgotten: recovery starts afresh.
    mutating func skip(until stop: (Token.Kind) -> Bool) {
        nesting = 0
        while tokens[position].kind != .endOfFile {
            let kind = tokens[position].kind
            if stop(kind) {
                if kind == .newline || kind == .semicolon { position += 1 }
                return
            }
            position += 1
        }
    }

    mutating func skipSeparators() {
        while current.kind == .newline || current.kind == .semicolon { advance() }
    }
}
