import LeptonIR

/// `train NAME(LABELS) { BODY }` blocks (spec/language.md, section 13). `train` is contextual:
/// it starts a block only at top level, so models may still name a value `train`. The body is
/// parsed like a graph body; lowering picks out the settings and rejects params.
extension Parser {
    /// The token that starts a train block at top level.
    static let trainWord = Token.Kind.identifier("train")

    mutating func parseTrain() throws(ParseFailure) -> TrainDecl {
        let start = current.location
        advance()
        let (model, modelLocation) = try expectIdentifier("the name of the graph to train after 'train'")
        try open(.leftParen, "'(' and the labels after 'train \(model)'")
        var labels: [InputDecl] = []
        try parseList(closing: .rightParen) { (p: inout Parser) throws(ParseFailure) in
            let (name, location) = try p.expectIdentifier("a label name")
            try p.expect(.colon, "':' after label '\(name)'")
            labels.append(InputDecl(name: name, location: location, type: try p.parseType()))
        }
        try expect(.leftBrace, "'{' to start the train block for '\(model)'")
        let body = parseBody()
        try expect(.rightBrace, "'}' to end the train block for '\(model)'")
        return TrainDecl(model: model, location: start, modelLocation: modelLocation, labels: labels, body: body)
    }

    /// Whether the token at `index` starts a train block: `train` and a name. No statement or
    /// expression puts two names side by side, so this cannot be mistaken for one.
    func startsTrainBlock(at index: Int) -> Bool {
        guard tokens[index].kind == Self.trainWord, index + 1 < tokens.count,
              case .identifier = tokens[index + 1].kind else { return false }
        return true
    }

    /// After a syntax error outside any body, skips to the next `graph` or `train NAME`.
    mutating func skipToDeclaration() {
        nesting = 0
        while tokens[position].kind != .endOfFile, tokens[position].kind != .keywordGraph, !startsTrainBlock(at: position) {
            position += 1
        }
    }
}
