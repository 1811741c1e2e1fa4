import LeptonIR

/// Why an artifact's bytes were refused: truncated, corrupt, another version or byte order.
/// Artifacts are untrusted input: every read is bounds-checked and every count is limited
/// before anything is allocated, so a hostile file gives this error, never a crash or a hang.
public typealias ArtifactError = TensorIOError

/// Little-endian primitives appended to a byte array: the artifact's encoding.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ value: Int) { u64(UInt64(bitPattern: Int64(value))) }
    mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }
    mutating func double(_ value: Double) { u64(value.bitPattern) }
    mutating func raw<Bytes: Sequence<UInt8>>(_ data: Bytes) { bytes.append(contentsOf: data) }

    /// A count-prefixed UTF-8 string.
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        int(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    mutating func ints(_ values: [Int]) {
        int(values.count)
        for value in values { int(value) }
    }

    /// Zero bytes up to the next multiple of `alignment` (kernels want aligned weights).
    mutating func align(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }

    /// Overwrites 8 bytes at `offset` (a size or offset known only after what follows).
    mutating func patch(_ value: UInt64, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { for (i, byte) in $0.enumerated() { bytes[offset + i] = byte } }
    }
}

/// Reads what `ByteWriter` wrote, checking every length against what is left.
struct ByteReader {
    let bytes: AlignedBytes
    let path: String
    private(set) var position: Int
    let end: Int

    init(_ bytes: AlignedBytes, path: String, range: Range<Int>? = nil) {
        self.bytes = bytes
        self.path = path
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
    }

    var remaining: Int { end - position }

    func fail(_ message: String) -> ArtifactError { ArtifactError(path: path, message) }

    private mutating func take(_ count: Int, _ what: String) throws(ArtifactError) -> Range<Int> {
        guard count >= 0, count <= remaining else {
            throw fail("truncated: \(what) needs \(count) bytes at offset \(position), \(max(remaining, 0)) left")
        }
        defer { position += count }
        return position..<(position + count)
    }

    private mutating func littleEndian<T: FixedWidthInteger>(_: T.Type, _ what: String) throws(ArtifactError) -> T {
        let range = try take(MemoryLayout<T>.size, what)
        return T(littleEndian: bytes.base.loadUnaligned(fromByteOffset: range.lowerBound, as: T.self))
    }

    mutating func u8(_ what: String) throws(ArtifactError) -> UInt8 { bytes.buffer[try take(1, what).lowerBound] }
    mutating func u32(_ what: String) throws(ArtifactError) -> UInt32 { try littleEndian(UInt32.self, what) }
    mutating func u64(_ what: String) throws(ArtifactError) -> UInt64 { try littleEndian(UInt64.self, what) }
    mutating func double(_ what: String) throws(ArtifactError) -> Double { Double(bitPattern: try u64(what)) }

    mutating func bool(_ what: String) throws(ArtifactError) -> Bool {
        let byte = try u8(what)
        guard byte <= 1 else { throw fail("corrupt \(what): \(byte) is not a boolean") }
        return byte == 1
    }

    /// A signed integer, limited to `range` (counts, sizes, indices).
    mutating func int(_ what: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(ArtifactError) -> Int {
        let value = Int(Int64(bitPattern: try u64(what)))
        guard range.contains(value) else { throw fail("corrupt \(what): \(value) is outside \(range.lowerBound)...\(range.upperBound)") }
        return value
    }

    /// A count that cannot exceed what the remaining bytes could hold at `bytesEach` per item.
    mutating func count(_ what: String, bytesEach: Int = 1) throws(ArtifactError) -> Int {
        try int("\(what) count", in: 0...(max(remaining, 0) / max(bytesEach, 1)))
    }

    mutating func string(_ what: String) throws(ArtifactError) -> String {
        let range = try take(try count(what), what)
        guard let text = String(validating: bytes[range], as: UTF8.self) else { throw fail("corrupt \(what): not UTF-8") }
        return text
    }

    mutating func ints(_ what: String) throws(ArtifactError) -> [Int] {
        let n = try count(what, bytesEach: 8)
        var values: [Int] = []
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(try int(what)) }
        return values
    }

    /// The next `count` bytes, where they lie in the buffer (not copied).
    mutating func raw(_ count: Int, _ what: String) throws(ArtifactError) -> Range<Int> { try take(count, what) }

    /// Skips the padding `ByteWriter.align` wrote (relative to the start of the whole buffer).
    mutating func align(to alignment: Int, _ what: String) throws(ArtifactError) {
        let padding = (alignment - position % alignment) % alignment
        _ = try take(padding, what)
    }
}
