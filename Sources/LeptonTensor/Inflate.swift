/// Decompression of raw DEFLATE data (RFC 1951), as found in zip entries written by
/// `np.savez_compressed`. Written here because Lepton takes no dependencies (not even zlib).
///
/// Huffman codes are decoded through one lookup table per code, indexed by the next
/// `maxLength` input bits (LSB first, as DEFLATE packs them).
enum Inflate {
    typealias Failure = FormatError

    /// Decompresses `input`, which must inflate to exactly `size` bytes.
    static func decompress(_ input: ArraySlice<UInt8>, size: Int) throws(Failure) -> [UInt8] {
        var inflater = Inflater(input: Array(input), size: size)
        try inflater.run()
        guard inflater.written == size else {
            throw Failure(message: "inflates to \(inflater.written) bytes, zip header says \(size)")
        }
        return inflater.output
    }
}

/// A canonical Huffman code as a table: entry = symbol << 4 | code length (0: no such code).
struct HuffmanTable {
    var entries: [UInt32]
    var maxLength: Int

    /// Builds the code for `lengths[symbol]` (0 = unused). Over-subscribed sets are rejected;
    /// incomplete ones are allowed (RFC 1951 permits a lone distance code) and their unused
    /// slots fail when hit.
    init(lengths: [Int]) throws(Inflate.Failure) {
        var counts = Array(repeating: 0, count: 16)
        for length in lengths { counts[length] += 1 }
        counts[0] = 0
        var left = 1
        for length in 1...15 {
            left = left * 2 - counts[length]
            guard left >= 0 else { throw Inflate.Failure(message: "corrupt deflate data: over-subscribed huffman code") }
        }
        maxLength = max(1, lengths.max() ?? 1)
        entries = Array(repeating: 0, count: 1 << maxLength)
        var nextCode = Array(repeating: 0, count: 16)
        for length in 1..<15 { nextCode[length + 1] = (nextCode[length] + counts[length]) << 1 }
        for (symbol, length) in lengths.enumerated() where length > 0 {
            let code = nextCode[length]
            nextCode[length] += 1
            var reversed = 0
            for bit in 0..<length where code & (1 << (length - 1 - bit)) != 0 { reversed |= 1 << bit }
            let entry = UInt32(symbol) << 4 | UInt32(length)
            for slot in stride(from: reversed, to: entries.count, by: 1 << length) { entries[slot] = entry }
        }
    }

    /// RFC 1951's fixed codes (section 3.2.6): constant, known-valid length sets.
    static let fixedLiterals = fixed(lengths: Array(repeating: 8, count: 144) + Array(repeating: 9, count: 112)
        + Array(repeating: 7, count: 24) + Array(repeating: 8, count: 8))
    static let fixedDistances = fixed(lengths: Array(repeating: 5, count: 30))

    private static func fixed(lengths: [Int]) -> HuffmanTable {
        do { return try HuffmanTable(lengths: lengths) } catch { preconditionFailure("RFC 1951 fixed Huffman code rejected: \(error)") }
    }
}

private let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
private let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
private let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
private let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
/// The order code-length code lengths are sent in (RFC 1951 3.2.7).
private let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

private struct Inflater {
    let input: [UInt8]
    var position = 0
    var bitBuffer: UInt64 = 0
    var bitCount = 0
    var output: [UInt8]
    var written = 0

    init(input: [UInt8], size: Int) {
        self.input = input
        output = Array(repeating: 0, count: size)
    }

    typealias Failure = Inflate.Failure

    mutating func run() throws(Failure) {
        var last = false
        while !last {
            last = try bits(1) == 1
            switch try bits(2) {
            case 0: try storedBlock()
            case 1: try codedBlock(HuffmanTable.fixedLiterals, HuffmanTable.fixedDistances)
            case 2:
                let (literals, distances) = try dynamicTables()
                try codedBlock(literals, distances)
            default: throw Failure(message: "corrupt deflate data: invalid block type 3")
            }
        }
    }

    /// Tops the bit buffer up to at least 57 bits while input lasts.
    private mutating func refill() {
        while bitCount <= 56 && position < input.count {
            bitBuffer |= UInt64(input[position]) << UInt64(bitCount)
            position += 1
            bitCount += 8
        }
    }

    private mutating func bits(_ n: Int) throws(Failure) -> Int {
        if bitCount < n { refill() }
        guard bitCount >= n else { throw Failure(message: "corrupt deflate data: unexpected end of data") }
        let value = Int(bitBuffer & ((1 << UInt64(n)) - 1))
        bitBuffer >>= UInt64(n)
        bitCount -= n
        return value
    }

    private mutating func decode(_ table: HuffmanTable) throws(Failure) -> Int {
        if bitCount < table.maxLength { refill() }
        let entry = table.entries[Int(bitBuffer & ((1 << UInt64(table.maxLength)) - 1))]
        let length = Int(entry & 0xF)
        guard length > 0 else { throw Failure(message: "corrupt deflate data: invalid huffman code") }
        guard length <= bitCount else { throw Failure(message: "corrupt deflate data: unexpected end of data") }
        bitBuffer >>= UInt64(length)
        bitCount -= length
        return Int(entry >> 4)
    }

    private mutating func emit(_ byte: UInt8) throws(Failure) {
        guard written < output.count else { throw tooLong() }
        output[written] = byte
        written += 1
    }

    private func tooLong() -> Failure {
        Failure(message: "inflates to more than the \(output.count) bytes the zip header says")
    }

    /// Block type 0: byte-aligned LEN, NLEN (its complement), then LEN raw bytes.
    private mutating func storedBlock() throws(Failure) {
        _ = try bits(bitCount % 8)
        let length = try bits(16)
        let complement = try bits(16)
        guard length == ~complement & 0xFFFF else { throw Failure(message: "corrupt deflate data: stored block length check failed") }
        for _ in 0..<length { try emit(UInt8(try bits(8))) }
    }

    /// Block types 1 and 2: literals, end of block (256), and length/distance back-references.
    private mutating func codedBlock(_ literals: HuffmanTable, _ distances: HuffmanTable) throws(Failure) {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                try emit(UInt8(symbol))
                continue
            }
            if symbol == 256 { return }
            let index = symbol - 257
            guard index < lengthBase.count else { throw Failure(message: "corrupt deflate data: invalid length symbol \(symbol)") }
            let length = lengthBase[index] + (try bits(lengthExtra[index]))
            let code = try decode(distances)
            guard code < distanceBase.count else { throw Failure(message: "corrupt deflate data: invalid distance symbol \(code)") }
            let distance = distanceBase[code] + (try bits(distanceExtra[code]))
            guard distance <= written else { throw Failure(message: "corrupt deflate data: distance too far back") }
            guard length <= output.count - written else { throw tooLong() }
            for _ in 0..<length {
                output[written] = output[written - distance]
                written += 1
            }
        }
    }

    /// Block type 2 header: the code-length code, then literal/length and distance code lengths.
    private mutating func dynamicTables() throws(Failure) -> (HuffmanTable, HuffmanTable) {
        let literalCount = try bits(5) + 257
        let distanceCount = try bits(5) + 1
        let codeLengthCount = try bits(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw Failure(message: "corrupt deflate data: too many length or distance codes")
        }
        var codeLengthLengths = Array(repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[codeLengthOrder[i]] = try bits(3) }
        let codeLengths = try HuffmanTable(lengths: codeLengthLengths)
        var lengths: [Int] = []
        let total = literalCount + distanceCount
        while lengths.count < total {
            let symbol = try decode(codeLengths)
            var (value, repeats) = (symbol, 1)
            switch symbol {
            case 16:
                guard let previous = lengths.last else { throw Failure(message: "corrupt deflate data: repeat with no previous length") }
                (value, repeats) = (previous, 3 + (try bits(2)))
            case 17: (value, repeats) = (0, 3 + (try bits(3)))
            case 18: (value, repeats) = (0, 11 + (try bits(7)))
            default: break
            }
            guard lengths.count + repeats <= total else { throw Failure(message: "corrupt deflate data: too many code lengths") }
            lengths += Array(repeating: value, count: repeats)
        }
        guard lengths[256] > 0 else { throw Failure(message: "corrupt deflate data: no end-of-block code") }
        return (try HuffmanTable(lengths: Array(lengths[..<literalCount])), try HuffmanTable(lengths: Array(lengths[literalCount...])))
    }
}
