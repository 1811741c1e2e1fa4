import LeptonTensor

/// Why bytes are not an ONNX model Lepton can read: truncated or malformed protobuf, absurd
/// sizes, a type or op it does not support. One line, naming the file (the same error as any
/// other file whose contents are wrong).
public typealias ONNXError = TensorIOError

/// The protobuf wire format, read defensively: every length is checked against the bytes
/// left, varints stop at ten bytes, nesting stops at `maximumDepth`, and nothing is
/// allocated from a count that the remaining bytes could not hold. Fields are visited in
/// file order; unknown fields are skipped, as protobuf requires; groups (wire types 3/4,
/// deprecated and never written by ONNX) are refused.
struct ProtoReader {
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, startGroup = 3, endGroup = 4, fixed32 = 5
    }

    /// Messages nest at most this deep (ONNX: model → graph → node → attribute → graph …).
    static let maximumDepth = 64

    let bytes: AlignedBytes
    let path: String
    private(set) var position: Int
    let end: Int
    let depth: Int
    /// The message being read, for errors ("NodeProto").
    let message: String

    init(_ bytes: AlignedBytes, path: String, message: String, range: Range<Int>? = nil, depth: Int = 0) {
        self.bytes = bytes
        self.path = path
        self.message = message
        position = range?.lowerBound ?? 0
        end = range?.upperBound ?? bytes.count
        self.depth = depth
    }

    var isAtEnd: Bool { position >= end }
    var remaining: Int { end - position }

    func fail(_ text: String) -> ONNXError { ONNXError(path: path, "malformed ONNX file: \(message) \(text) (at byte \(position))") }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func field() throws(ONNXError) -> (number: Int, wire: WireType)? {
        guard !isAtEnd else { return nil }
        let key = try varint()
        guard let wire = WireType(rawValue: Int(key & 7)) else { throw fail("has field key \(key) with wire type \(key & 7)") }
        let number = key >> 3
        guard number >= 1, number <= 536_870_911 else { throw fail("has field number \(number)") }
        guard wire != .startGroup, wire != .endGroup else { throw fail("uses protobuf groups (field \(number)), which ONNX never writes") }
        return (Int(number), wire)
    }

    mutating func varint() throws(ONNXError) -> UInt64 {
        var value: UInt64 = 0
        for shift in stride(from: 0, to: 70, by: 7) {
            guard position < end else { throw fail("is truncated inside a varint") }
            let byte = bytes.buffer[position]
            position += 1
            if shift == 63 && byte > 1 { throw fail("has a varint longer than 64 bits") }
            value |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte & 0x80 == 0 { return value }
        }
        throw fail("has a varint longer than ten bytes")
    }

    mutating func fixed32() throws(ONNXError) -> UInt32 {
        guard remaining >= 4 else { throw fail("is truncated inside a fixed32") }
        defer { position += 4 }
        return UInt32(littleEndian: bytes.base.loadUnaligned(fromByteOffset: position, as: UInt32.self))
    }

    mutating func fixed64() throws(ONNXError) -> UInt64 {
        guard remaining >= 8 else { throw fail("is truncated inside a fixed64") }
        defer { position += 8 }
        return UInt64(littleEndian: bytes.base.loadUnaligned(fromByteOffset: position, as: UInt64.self))
    }

    /// The byte range of a length-delimited field's payload (not copied).
    mutating func lengthDelimited() throws(ONNXError) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(remaining) else {
            throw fail("has a field of \(length) bytes with only \(remaining) left (truncated file?)")
        }
        defer { position += Int(length) }
        return position..<(position + Int(length))
    }

    /// Skips a field this reader does not use.
    mutating func skip(_ wire: WireType) throws(ONNXError) {
        switch wire {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .fixed32: _ = try fixed32()
        case .lengthDelimited: _ = try lengthDelimited()
        case .startGroup, .endGroup: throw fail("uses protobuf groups")
        }
    }

    /// A reader over a nested message (the payload of a length-delimited field).
    mutating func nested(_ message: String) throws(ONNXError) -> ProtoReader {
        let range = try lengthDelimited()
        guard depth + 1 < Self.maximumDepth else { throw fail("nests messages deeper than \(Self.maximumDepth) levels") }
        return ProtoReader(bytes, path: path, message: message, range: range, depth: depth + 1)
    }

    mutating func string() throws(ONNXError) -> String {
        let range = try lengthDelimited()
        guard let text = String(validating: bytes[range], as: UTF8.self) else { throw fail("has a string that is not UTF-8") }
        return text
    }

    mutating func int64() throws(ONNXError) -> Int64 { Int64(bitPattern: try varint()) }

    mutating func float() throws(ONNXError) -> Float { Float(bitPattern: try fixed32()) }

    /// A repeated varint field, packed (one length-delimited run) or not (one element).
    mutating func int64s(_ wire: WireType, into values: inout [Int64]) throws(ONNXError) {
        guard wire == .lengthDelimited else {
            guard wire == .varint else { throw fail("has an integer field of wire type \(wire.rawValue)") }
            values.append(try int64())
            return
        }
        var packed = ProtoReader(bytes, path: path, message: message, range: try lengthDelimited(), depth: depth)
        // Each varint takes at least one byte: the run cannot hold more than its length.
        values.reserveCapacity(values.count + packed.remaining)
        while !packed.isAtEnd { values.append(try packed.int64()) }
    }

    /// A repeated fixed-width field (floats, doubles, or fixed64), packed or not.
    mutating func fixedWidth<T>(_ wire: WireType, width: Int, into values: inout [T], _ decode: (UInt64) -> T) throws(ONNXError) {
        let single: WireType = width == 4 ? .fixed32 : .fixed64
        guard wire == .lengthDelimited else {
            guard wire == single else { throw fail("has a \(width * 8)-bit field of wire type \(wire.rawValue)") }
            values.append(decode(width == 4 ? UInt64(try fixed32()) : try fixed64()))
            return
        }
        let range = try lengthDelimited()
        guard range.count % width == 0 else { throw fail("has a packed field of \(range.count) bytes, not a multiple of \(width)") }
        values.reserveCapacity(values.count + range.count / width)
        for offset in stride(from: range.lowerBound, to: range.upperBound, by: width) {
            let raw = width == 4 ? UInt64(UInt32(littleEndian: bytes.base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                : UInt64(littleEndian: bytes.base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            values.append(decode(raw))
        }
    }
}
