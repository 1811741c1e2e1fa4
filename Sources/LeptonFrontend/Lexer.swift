import LeptonIR

/// Turns `.graph` text into tokens. Every newline becomes a token; the parser ignores the ones
/// inside `( )` and `[ ]`. Bad input yields a diagnostic and lexing continues after it.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private let file: String
    private var index = 0
    private var line = 1
    private var column = 1
    private(set) var tokens: [Token] = []
    private(set) var diagnostics: [Diagnostic] = []

    init(source: String, file: String) {
        self.scalars = Array(source.unicodeScalars)
        self.file = file
    }

    /// Lexes the whole input; the last token is always `.endOfFile`.
    static func tokenize(_ source: String, file: String) -> (tokens: [Token], diagnostics: [Diagnostic]) {
        var lexer = Lexer(source: source, file: file)
        lexer.run()
        return (lexer.tokens, lexer.diagnostics)
    }

    private mutating func run() {
        while let c = peek() {
            let start = location
            switch c {
            case " ", "\t", "\r":
                advance()
            case "#":
                while let d = peek(), d != "\n" { advance() }
            case "\n":
                advance()
                tokens.append(Token(kind: .newline, location: start))
            case "\"":
                lexString(at: start)
            case "%":
                lexTemporary(at: start)
            default:
                if c.isDigit {
                    lexNumber(at: start)
                } else if c.isIdentifierStart {
                    lexIdentifier(at: start)
                } else if !lexPunctuation(c, at: start) {
                    advance()
                    diagnostics.append(Diagnostic(at: start, "unexpected character '\(Character(c))'"))
                }
            }
        }
        tokens.append(Token(kind: .endOfFile, location: location))
    }

    private mutating func lexPunctuation(_ c: Unicode.Scalar, at start: SourceLocation) -> Bool {
        let kinds: [Unicode.Scalar: Token.Kind] = [
            ";": .semicolon, ",": .comma, ":": .colon, "=": .equals, "(": .leftParen, ")": .rightParen,
            "[": .leftBracket, "]": .rightBracket, "{": .leftBrace, "}": .rightBrace,
            "+": .plus, "*": .star, "/": .slash,
        ]
        if c == "-" {
            advance()
            if peek() == ">" {
                advance()
                tokens.append(Token(kind: .arrow, location: start))
            } else {
                tokens.append(Token(kind: .minus, location: start))
            }
            return true
        }
        guard let kind = kinds[c] else { return false }
        advance()
        tokens.append(Token(kind: kind, location: start))
        return true
    }

    /// `name` or `a.b.c`; keywords `graph`, `param`, `true`, `false`, `inf`, `nan`.
    private mutating func lexIdentifier(at start: SourceLocation) {
        var text = takeWhile(\.isIdentifierPart)
        while peek() == ".", let next = peek(offset: 1), next.isIdentifierPart {
            advance()
            text += "." + takeWhile(\.isIdentifierPart)
        }
        tokens.append(Token(kind: Token.keywords[text] ?? .identifier(text), location: start))
    }

    /// `%` followed by digits: a compiler temporary as printed in IR.
    private mutating func lexTemporary(at start: SourceLocation) {
        advance()
        let digits = takeWhile(\.isDigit)
        if digits.isEmpty {
            diagnostics.append(Diagnostic(at: start, "expected digits after '%'"))
            return
        }
        tokens.append(Token(kind: .identifier("%" + digits), location: start))
    }

    /// `12`, `0.5`, `1e-5`, `2.5E+3`. Letters or a second `.` run on into an invalid number.
    private mutating func lexNumber(at start: SourceLocation) {
        var text = takeWhile(\.isDigit)
        var isFloat = false
        var valid = true
        if peek() == "." {
            advance()
            let fraction = takeWhile(\.isDigit)
            text += "." + fraction
            isFloat = true
            valid = !fraction.isEmpty
        }
        if peek() == "e" || peek() == "E" {
            text += String(Character(peek()!))
            advance()
            if peek() == "+" || peek() == "-" {
                text += String(Character(peek()!))
                advance()
            }
            let exponent = takeWhile(\.isDigit)
            text += exponent
            isFloat = true
            valid = valid && !exponent.isEmpty
        }
        let trailing = takeWhile { $0.isIdentifierPart || $0 == "." }
        if !valid || !trailing.isEmpty {
            diagnostics.append(Diagnostic(at: start, "invalid number '\(text + trailing)'"))
            return
        }
        tokens.append(Token(kind: isFloat ? .float(text) : .integer(text), location: start))
    }

    private mutating func lexString(at start: SourceLocation) {
        advance()
        var text = ""
        while true {
            guard let c = peek(), c != "\n" else {
                diagnostics.append(Diagnostic(at: start, "unterminated string"))
                return
            }
            advance()
            if c == "\"" { break }
            if c == "\\" {
                guard let escaped = lexEscape() else { continue }
                text.unicodeScalars.append(escaped)
            } else {
                text.unicodeScalars.append(c)
            }
        }
        tokens.append(Token(kind: .string(text), location: start))
    }

    /// After a backslash: `\n \t \r \\ \" \0 \u{hex}`.
    private mutating func lexEscape() -> Unicode.Scalar? {
        let start = SourceLocation(file: file, line: line, column: column - 1)
        guard let c = peek(), c != "\n" else { return nil }
        advance()
        switch c {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        case "0": return "\0"
        case "\\", "\"": return c
        case "u" where peek() == "{":
            advance()
            let hex = takeWhile(\.properties.isASCIIHexDigit)
            if peek() == "}", let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) {
                advance()
                return scalar
            }
            diagnostics.append(Diagnostic(at: start, "invalid unicode escape in string"))
            return nil
        default:
            diagnostics.append(Diagnostic(at: start, "invalid escape '\\\(Character(c))' in string"))
            return nil
        }
    }

    // MARK: Scalars

    private var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

    private func peek(offset: Int = 0) -> Unicode.Scalar? {
        index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        index += 1
    }

    private mutating func takeWhile(_ predicate: (Unicode.Scalar) -> Bool) -> String {
        var text = ""
        while let c = peek(), predicate(c) {
            text.unicodeScalars.append(c)
            advance()
        }
        return text
    }
}

private extension Unicode.Scalar {
    var isDigit: Bool { ("0"..."9").contains(self) }
    var isIdentifierStart: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
    var isIdentifierPart: Bool { isIdentifierStart || isDigit }
}
