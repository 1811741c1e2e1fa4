/// The dictionary at the start of a `.npy` file:
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
struct NPYHeader: Equatable {
    /// The dtype string as written (`<f4`, `|b1`, `>i8`).
    var descr: String
    var fortranOrder: Bool
    var shape: [Int]

    /// The header text numpy would write: keys sorted, shape as a Python tuple.
    var text: String {
        "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(Self.tupleText(shape)), }"
    }

    /// `()`, `(3,)`, `(2, 3)`: how numpy prints shapes, so messages match what users see there.
    static func tupleText(_ shape: [Int]) -> String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
}

/// Reads the header dictionary: a strict subset of Python literal syntax (string keys; string,
/// True/False and int-tuple values), which is all numpy writes.
struct NPYHeaderParser {
    typealias Failure = FormatError

    private let bytes: [UInt8]
    private var position = 0

    init(_ text: ArraySlice<UInt8>) { bytes = Array(text) }

    /// Parses the whole header; every key must appear exactly once and no other key may.
    mutating func parse() throws(Failure) -> NPYHeader {
        var descr: String?, fortranOrder: Bool?, shape: [Int]?
        try expect(UInt8(ascii: "{"))
        while true {
            skipSpace()
            if peek() == UInt8(ascii: "}") { position += 1; break }
            let key = try string()
            try expect(UInt8(ascii: ":"))
            switch key {
            case "descr":
                guard descr == nil else { throw Failure(message: "malformed header: duplicate key 'descr'") }
                skipSpace()
                if peek() == UInt8(ascii: "[") { throw Failure(message: "unsupported dtype: structured arrays are not supported") }
                descr = try string()
            case "fortran_order":
                guard fortranOrder == nil else { throw Failure(message: "malformed header: duplicate key 'fortran_order'") }
                fortranOrder = try boolean()
            case "shape":
                guard shape == nil else { throw Failure(message: "malformed header: duplicate key 'shape'") }
                shape = try tuple()
            default:
                throw Failure(message: "malformed header: unexpected key '\(key)'")
            }
            skipSpace()
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: "}"))
            break
        }
        skipSpace()
        guard position == bytes.count else { throw Failure(message: "malformed header: text after the closing '}'") }
        guard let descr else { throw Failure(message: "malformed header: missing key 'descr'") }
        guard let fortranOrder else { throw Failure(message: "malformed header: missing key 'fortran_order'") }
        guard let shape else { throw Failure(message: "malformed header: missing key 'shape'") }
        return NPYHeader(descr: descr, fortranOrder: fortranOrder, shape: shape)
    }

    private func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipSpace() {
        while let b = peek(), b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        skipSpace()
        guard peek() == byte else { throw unexpected("'\(Character(Unicode.Scalar(byte)))'") }
        position += 1
    }

    private func unexpected(_ wanted: String) -> Failure {
        let found = peek().map { "'\(Character(Unicode.Scalar($0)))'" } ?? "end of header"
        return Failure(message: "malformed header: expected \(wanted) at offset \(position), found \(found)")
    }

    /// A quoted string without escapes (`'<f4'`).
    private mutating func string() throws(Failure) -> String {
        skipSpace()
        guard let quote = peek(), quote == UInt8(ascii: "'") || quote == UInt8(ascii: "\"") else { throw unexpected("a string") }
        let start = position + 1
        guard let end = bytes[start...].firstIndex(of: quote) else {
            throw Failure(message: "malformed header: unterminated string at offset \(position)")
        }
        position = end + 1
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private mutating func boolean() throws(Failure) -> Bool {
        skipSpace()
        for (word, value) in [("True", true), ("False", false)] where bytes[position...].starts(with: word.utf8) {
            position += word.utf8.count
            return value
        }
        throw unexpected("True or False")
    }

    /// `()`, `(3,)`, `(2, 3)`; Python 2 longs (`3L`) are accepted.
    private mutating func tuple() throws(Failure) -> [Int] {
        try expect(UInt8(ascii: "("))
        var dims: [Int] = []
        while true {
            skipSpace()
            if peek() == UInt8(ascii: ")") { position += 1; return dims }
            dims.append(try dimension())
            skipSpace()
            if peek() == UInt8(ascii: "L") { position += 1; skipSpace() }
            if peek() == UInt8(ascii: ",") { position += 1; continue }
            try expect(UInt8(ascii: ")"))
            return dims
        }
    }

    private mutating func dimension() throws(Failure) -> Int {
        let negative = peek() == UInt8(ascii: "-")
        if negative { position += 1 }
        let start = position
        while let b = peek(), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") { position += 1 }
        guard position > start else { throw unexpected("a dimension") }
        let digits = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Int(digits) else { throw Failure(message: "dimension \(digits) in shape is too large") }
        guard !negative || value == 0 else { throw Failure(message: "negative dimension -\(digits) in shape") }
        return value
    }
}
