import LeptonIR

/// Thrown after a syntax error has been recorded; the caller resynchronizes.
struct ParseFailure: Error {}

/// Recursive-descent parser from tokens to the AST. On a syntax error it records a diagnostic,
/// skips to the next statement boundary (or the next `graph`), and carries on, so one run
/// reports several independent mistakes.
struct Parser {
    static let maxDiagnostics = 20
    /// Deepest expression or dimension nesting accepted: the AST and every recursive pass over
    /// it (lowering, dim evaluation) must stay far from the stack limit on any input.
    static let maxDepth = 200

    let tokens: [Token]
    var position = 0
    /// Depth of open `(` / `[`: newlines inside them are not statement separators.
    var nesting = 0
    /// Current expression nesting, bounded by `maxDepth` (see `enter`).
    var depth = 0
    /// Inside a fused body: bodies do not nest, and are rejected without recursing.
    var inRegion = false
    private(set) var diagnostics: [Diagnostic] = []
    /// Lines that already have a lexical error: syntax errors there would only be echoes.
    let linesWithLexicalErrors: Set<Int>

    init(tokens: [Token], lexicalErrors: [Diagnostic]) {
        self.tokens = tokens
        self.linesWithLexicalErrors = Set(lexicalErrors.map(\.location.line))
    }

    static func parse(_ source: String, file: String) -> (SourceFile, [Diagnostic]) {
        let (tokens, lexical) = Lexer.tokenize(source, file: file)
        var parser = Parser(tokens: tokens, lexicalErrors: lexical)
        let result = parser.parseFile()
        return (result, lexical + parser.diagnostics)
    }

    var reachedLimit: Bool { diagnostics.count >= Self.maxDiagnostics }

    mutating func appendDiagnostic(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    // MARK: File and graph structure

    /// Declarations: `graph …` and `train …`. `train` is a keyword only here, at top level,
    /// so it stays an ordinary name inside bodies.
    mutating func parseFile() -> SourceFile {
        var file = SourceFile(graphs: [])
        while !reachedLimit {
            skipSeparators()
            if current.kind == .endOfFile { break }
            do {
                if current.kind == Self.trainWord {
                    file.trainBlocks.append(try parseTrain())
                } else {
                    file.graphs.append(try parseGraph())
                }
            } catch {
                skipToDeclaration()
            }
        }
        return file
    }

    private mutating func parseGraph() throws(ParseFailure) -> GraphDecl {
        let start = current.location
        try expect(.keywordGraph, "'graph' or 'train'")
        let (name, _) = try expectIdentifier("a graph name")
        return try parseSignatureAndBody(name: name, at: start, what: "'\(name)'")
    }

    /// `(inputs) -> (outputs) { body }` of a graph, or of a fused node's body (`what` names it).
    private mutating func parseSignatureAndBody(name: String, at start: SourceLocation, what: String) throws(ParseFailure) -> GraphDecl {
        try open(.leftParen, "'(' after \(name == Self.regionName ? "'graph'" : "the graph name")")
        var inputs: [InputDecl] = []
        var arguments: [ArgumentDecl] = []
        try parseList(closing: .rightParen) { (p: inout Parser) throws(ParseFailure) in
            try p.parseSignatureEntry(inputs: &inputs, arguments: &arguments)
        }
        try expect(.arrow, "'->' after the inputs of \(what)")
        let outputs = try parseOutputs()
        try expect(.leftBrace, "'{' to start the body of \(what)")
        let body = parseBody()
        try expect(.rightBrace, "'}' to end the body of \(what)")
        return GraphDecl(name: name, location: start, inputs: inputs, arguments: arguments, outputs: outputs, body: body)
    }

    /// `x: f32[N, 3]` (an input) or `stride: int = 1` (a compile-time argument).
    private mutating func parseSignatureEntry(inputs: inout [InputDecl], arguments: inout [ArgumentDecl]) throws(ParseFailure) {
        let (name, location) = try expectIdentifier("an input name")
        try expect(.colon, "':' after '\(name)'")
        if case .identifier(let word) = current.kind, let kind = ArgumentDecl.Kind(rawValue: word),
           peekKind(after: 1) != .leftBracket {
            advance()
            var defaultValue: Expr?
            if current.kind == .equals {
                advance()
                defaultValue = try parseExpression()
            }
            arguments.append(ArgumentDecl(name: name, location: location, kind: kind, defaultValue: defaultValue))
        } else {
            inputs.append(InputDecl(name: name, location: location, type: try parseType()))
        }
    }

    /// `-> (y: f32[N], z)` or a single `-> y: f32[N]`.
    private mutating func parseOutputs() throws(ParseFailure) -> [OutputDecl] {
        var outputs: [OutputDecl] = []
        if current.kind == .leftParen {
            try open(.leftParen, "'('")
            try parseList(closing: .rightParen) { (p: inout Parser) throws(ParseFailure) in
                outputs.append(try p.parseOutput())
            }
        } else {
            outputs.append(try parseOutput())
        }
        return outputs
    }

    private mutating func parseOutput() throws(ParseFailure) -> OutputDecl {
        let (name, location) = try expectIdentifier("an output name")
        var type: TypeExpr?
        if current.kind == .colon {
            advance()
            type = try parseType()
        }
        return OutputDecl(name: name, location: location, type: type)
    }

    /// Statements up to the closing `}`; a bad statement is reported and skipped. A `graph`
    /// or `train NAME` (never a statement) ends the body too: its `}` is missing.
    mutating func parseBody() -> [Statement] {
        var body: [Statement] = []
        while !reachedLimit {
            skipSeparators()
            if [.rightBrace, .endOfFile, .keywordGraph].contains(current.kind) || startsTrainBlock(at: position) { break }
            do {
                body.append(try parseStatement())
                guard current.isStatementEnd else {
                    throw fail("expected a newline or ';' after the statement")
                }
            } catch {
                skip { $0 == .newline || $0 == .semicolon || $0 == .rightBrace || $0 == .keywordGraph }
            }
        }
        return body
    }

    private mutating func parseStatement() throws(ParseFailure) -> Statement {
        let start = current.location
        if current.kind == .keywordParam {
            advance()
            let (name, location) = try expectIdentifier("a param name")
            try expect(.colon, "':' after param '\(name)'")
            let type = try parseType()
            try expect(.equals, "'=' and an initializer for param '\(name)'")
            return .param(ParamDecl(name: name, location: location, type: type, initializer: try parseExpression()))
        }
        guard case .identifier = current.kind else { throw fail("expected a statement") }
        var targets: [Target] = []
        repeat {
            if !targets.isEmpty { advance() }
            let (name, location) = try expectIdentifier("a name to assign")
            var type: TypeExpr?
            if current.kind == .colon {
                advance()
                type = try parseType()
            }
            targets.append(Target(name: name, location: location, type: type))
        } while current.kind == .comma
        try expect(.equals, "'=' after '\(targets.last!.name)'")
        let value = try parseExpression()
        var assignment = Assignment(targets: targets, value: value, location: start)
        if current.kind == .keywordGraph {
            assignment.region = try parseRegion(after: value)
        }
        return .assignment(assignment)
    }

    /// The name given to the `GraphDecl` of a fused node's body.
    static let regionName = "fused"

    /// `graph(x0: T) -> (y0: T) { ... }` after `fused(operands)`: the node's body.
    private mutating func parseRegion(after value: Expr) throws(ParseFailure) -> GraphDecl {
        let start = current.location
        let header = position
        guard case .call(let call) = value.kind, call.name == Op.fused.mnemonic else {
            let failure = error("a body 'graph(...) -> (...) { ... }' can only follow a fused(...) call", at: start)
            skipRegion(from: header)
            throw failure
        }
        guard !inRegion else {
            let failure = error("a fused body cannot contain another fused node", at: value.location)
            skipRegion(from: header)
            throw failure
        }
        advance()
        inRegion = true
        defer { inRegion = false }
        do {
            return try parseSignatureAndBody(name: Self.regionName, at: start, what: "the fused node")
        } catch {
            skipRegion(from: header)
            throw error
        }
    }

    /// After an error in a body's signature, skips the whole `{ ... }` that follows on the
    /// same line, so the body's statements are not mistaken for the enclosing graph's.
    private mutating func skipRegion(from header: Int) {
        var i = header
        var parens = 0
        while tokens[i].kind != .leftBrace {
            switch tokens[i].kind {
            case .leftParen, .leftBracket: parens += 1
            case .rightParen, .rightBracket: parens -= 1
            case .newline where parens <= 0, .endOfFile, .rightBrace: return
            default: break
            }
            i += 1
        }
        guard position <= i else { return }  // the error was inside the body: it recovered there
        var depth = 0
        while tokens[i].kind != .endOfFile {
            if tokens[i].kind == .leftBrace { depth += 1 }
            if tokens[i].kind == .rightBrace { depth -= 1 }
            i += 1
            if depth == 0 { break }
        }
        position = i
        nesting = 0
    }

    // MARK: Types

    /// `f32[N, C * 2]`; `f32[]` is a scalar.
    mutating func parseType() throws(ParseFailure) -> TypeExpr {
        let start = current.location
        guard case .identifier(let word) = current.kind else { throw fail("expected a type such as f32[N, 10]") }
        guard let dtype = DType(rawValue: word) else {
            let valid = DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw error("unknown type '\(word)'; expected one of \(valid)", at: start)
        }
        advance()
        try open(.leftBracket, "'[' after '\(word)'")
        var dims: [DimExpr] = []
        try parseList(closing: .rightBracket) { (p: inout Parser) throws(ParseFailure) in
            dims.append(try p.parseDimSum())
        }
        return TypeExpr(dtype: dtype, dims: dims, location: start)
    }

    private mutating func parseDimSum() throws(ParseFailure) -> DimExpr {
        let outer = depth
        defer { depth = outer }
        try enter()
        var lhs = try parseDimProduct()
        while let op = additiveOperator {
            let location = current.location
            try enter()
            advance()
            lhs = .binary(op, lhs, try parseDimProduct(), location)
        }
        return lhs
    }

    private mutating func parseDimProduct() throws(ParseFailure) -> DimExpr {
        let outer = depth
        defer { depth = outer }
        var lhs = try parseDimAtom()
        while let op = multiplicativeOperator {
            let location = current.location
            try enter()
            advance()
            lhs = .binary(op, lhs, try parseDimAtom(), location)
        }
        return lhs
    }

    private mutating func parseDimAtom() throws(ParseFailure) -> DimExpr {
        let location = current.location
        switch current.kind {
        case .integer(let text):
            guard let n = Int(text) else { throw fail("dimension '\(text)' is too large") }
            advance()
            return .integer(n, location)
        case .identifier(let name) where !name.hasPrefix("%"):
            advance()
            return .name(name, location)
        case .leftParen:
            try open(.leftParen, "'('")
            let inner = try parseDimSum()
            try close(.rightParen, "')'")
            return inner
        default:
            throw fail("expected a dimension (an integer, a symbol, or an expression of them)")
        }
    }
}
