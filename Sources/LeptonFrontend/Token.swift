import LeptonIR

/// One lexical token of `.graph` text.
struct Token: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// A name: `x`, `b1.w`, or a compiler temporary `%3`.
        case identifier(String)
        /// An integer literal, kept as written so large values and signs fold exactly.
        case integer(String)
        /// A float literal (`0.5`, `1e-5`, `inf`, `nan`), kept as written so that `f32`
        /// literals convert directly from the text (no double rounding through `Double`).
        case float(String)
        case string(String)
        case keywordGraph, keywordParam, keywordTrue, keywordFalse
        case newline, semicolon, comma, colon, equals, arrow
        case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
        case plus, minus, star, slash
        case endOfFile
    }

    var kind: Kind
    var location: SourceLocation

    /// How the token reads in a diagnostic: `'foo'`, `newline`, `end of file`.
    var spelling: String {
        switch kind {
        case .identifier(let s), .integer(let s), .float(let s): "'\(s)'"
        case .string(let s): "string \"\(s)\""
        case .keywordGraph: "'graph'"
        case .keywordParam: "'param'"
        case .keywordTrue: "'true'"
        case .keywordFalse: "'false'"
        case .newline: "newline"
        case .endOfFile: "end of file"
        default: "'\(Token.punctuation[kind] ?? "?")'"
        }
    }

    static let punctuation: [Kind: String] = [
        .semicolon: ";", .comma: ",", .colon: ":", .equals: "=", .arrow: "->",
        .leftParen: "(", .rightParen: ")", .leftBracket: "[", .rightBracket: "]",
        .leftBrace: "{", .rightBrace: "}", .plus: "+", .minus: "-", .star: "*", .slash: "/",
    ]

    static let keywords: [String: Kind] = [
        "graph": .keywordGraph, "param": .keywordParam, "true": .keywordTrue, "false": .keywordFalse,
        "inf": .float("inf"), "nan": .float("nan"),
    ]

    var isStatementEnd: Bool {
        switch kind {
        case .newline, .semicolon, .rightBrace, .endOfFile: true
        default: false
        }
    }
}
