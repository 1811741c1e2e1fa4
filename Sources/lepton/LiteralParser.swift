import Lepton

/// Inline tensor literals for `--input x='[[1, 2], [3, 4]]'`: a number, `true`/`false`, or a
/// rectangular nested list of them. The declared input's dtype decides the scalar type.
enum LiteralParser {
    struct Failure: Error { var message: String }

    private indirect enum Node {
        case scalar(String)
        case list([Node])
    }

    /// Literals start like a number, a list or a bool; anything else is taken as a file path.
    static func looksLikeLiteral(_ text: String) -> Bool {
        let trimmed = text.drop { $0 == " " }
        guard let first = trimmed.first else { return true }
        return "[-+.0123456789".contains(first) || ["true", "false", "inf", "nan"].contains(String(trimmed))
    }

    static func parse(_ text: String, as dtype: DType) throws(Failure) -> Tensor {
        var scanner = Scanner(Array(text.utf8))
        let node = try scanner.value()
        scanner.skipSpace()
        guard scanner.atEnd else { throw Failure(message: "unexpected text at offset \(scanner.position)") }
        let shape = try shapeOf(node)
        var scalars: [String] = []
        flatten(node, into: &scalars)
        return try tensor(scalars, shape: shape, dtype: dtype)
    }

    /// The shape of a rectangular nest; ragged lists are an error.
    private static func shapeOf(_ node: Node) throws(Failure) -> [Int] {
        guard case .list(let items) = node else { return [] }
        guard let first = items.first else { return [0] }
        let inner = try shapeOf(first)
        for (index, item) in items.enumerated().dropFirst() {
            guard try shapeOf(item) == inner else {
                throw Failure(message: "ragged list: element \(index) does not have the shape \(inner) of element 0")
            }
        }
        return [items.count] + inner
    }

    private static func flatten(_ node: Node, into scalars: inout [String]) {
        switch node {
        case .scalar(let text): scalars.append(text)
        case .list(let items): for item in items { flatten(item, into: &scalars) }
        }
    }

    private static func tensor(_ texts: [String], shape: [Int], dtype: DType) throws(Failure) -> Tensor {
        func bad(_ text: String) -> Failure { Failure(message: "'\(text)' is not a valid \(dtype) value") }
        switch dtype {
        case .f32, .f64:
            var values: [Double] = []
            for text in texts {
                guard let value = Double(text) else { throw bad(text) }
                values.append(value)
            }
            return dtype == .f32 ? Tensor(shape: shape, scalars: values.map { Float($0) }) : Tensor(shape: shape, scalars: values)
        case .i32, .i64:
            var values: [Int64] = []
            for text in texts {
                guard let value = Int64(text.hasPrefix("+") ? String(text.dropFirst()) : text),
                      dtype == .i64 || Int32(exactly: value) != nil else { throw bad(text) }
                values.append(value)
            }
            return dtype == .i64 ? Tensor(shape: shape, scalars: values) : Tensor(shape: shape, scalars: values.map { Int32($0) })
        case .bool:
            var values: [Bool] = []
            for text in texts {
                switch text {
                case "true", "1": values.append(true)
                case "false", "0": values.append(false)
                default: throw bad(text)
                }
            }
            return Tensor(shape: shape, scalars: values)
        }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position >= bytes.count }

        mutating func skipSpace() {
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0A { position += 1 }
        }

        /// Nesting deeper than any tensor rank anyone means; bounds the recursion.
        static let maxDepth = 32
        var depth = 0

        mutating func value() throws(Failure) -> Node {
            skipSpace()
            guard position < bytes.count else { throw Failure(message: "expected a value at offset \(position)") }
            guard bytes[position] == UInt8(ascii: "[") else { return try scalar() }
            position += 1
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw Failure(message: "lists nest deeper than \(Self.maxDepth) levels") }
            var items: [Node] = []
            while true {
                skipSpace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .list(items) }
                items.append(try value())
                skipSpace()
                guard position < bytes.count else { throw Failure(message: "missing ']' at offset \(position)") }
                if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                guard bytes[position] == UInt8(ascii: "]") else { throw Failure(message: "expected ',' or ']' at offset \(position)") }
            }
        }

        /// A run of number/word characters; its meaning is checked against the dtype later.
        mutating func scalar() throws(Failure) -> Node {
            let start = position
            while position < bytes.count, isScalarByte(bytes[position]) { position += 1 }
            guard position > start else { throw Failure(message: "expected a value at offset \(position)") }
            return .scalar(String(decoding: bytes[start..<position], as: UTF8.self))
        }

        private func isScalarByte(_ byte: UInt8) -> Bool {
            let c = Character(Unicode.Scalar(byte))
            return c.isLetter || c.isNumber || c == "." || c == "-" || c == "+"
        }
    }
}
