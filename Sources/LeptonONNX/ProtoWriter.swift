/// The protobuf wire format, written: what `lepton export` produces and what tests use to
/// build ONNX files byte by byte. Fields are written in the order called; repeated numeric
/// fields are packed (as proto3 does).
struct ProtoWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func key(_ field: Int, _ wire: Int) { varint(UInt64(field) << 3 | UInt64(wire)) }

    mutating func int(_ field: Int, _ value: Int64) {
        key(field, 0)
        varint(UInt64(bitPattern: value))
    }

    mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func bytes(_ field: Int, _ payload: some Collection<UInt8>) {
        key(field, 2)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    mutating func string(_ field: Int, _ text: String) { bytes(field, Array(text.utf8)) }

    mutating func message(_ field: Int, _ body: (inout ProtoWriter) -> Void) {
        var nested = ProtoWriter()
        body(&nested)
        bytes(field, nested.bytes)
    }

    mutating func packedInts(_ field: Int, _ values: [Int64]) {
        var run = ProtoWriter()
        for v in values { run.varint(UInt64(bitPattern: v)) }
        bytes(field, run.bytes)
    }

    mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var run: [UInt8] = []
        run.reserveCapacity(values.count * 4)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { run.append(contentsOf: $0) } }
        bytes(field, run)
    }
}
