/// Why raw bytes do not make a tensor of the requested type.
public struct TensorBytesError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension Tensor {
    /// The scalars in row-major order as little-endian raw bytes (a bool is one byte, 0 or 1):
    /// the data section of a `.npy` file and the payload of a base64 tensor in `.graph` text.
    public var littleEndianBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * dtype.byteSize)
        ScalarCoding.append(storage, to: &bytes)
        return bytes
    }

    /// The tensor whose `littleEndianBytes` are `bytes`. Throws when the byte count is not
    /// `dtype.byteSize * shape.product`, a dimension is negative, or a bool byte is not 0 or 1.
    public init(dtype: DType, shape: [Int], littleEndianBytes bytes: [UInt8]) throws(TensorBytesError) {
        try self.init(dtype: dtype, shape: shape, littleEndianBytes: bytes[...])
    }

    /// `init(dtype:shape:littleEndianBytes:)` from part of a buffer, without copying it first.
    public init(dtype: DType, shape: [Int], littleEndianBytes bytes: ArraySlice<UInt8>) throws(TensorBytesError) {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorBytesError("shape \(shape) has a negative dimension")
        }
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw TensorBytesError("shape \(shape) has too many elements") }
            count = product
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        guard !overflow, bytes.count == expected else {
            let needed = overflow ? "more" : "\(expected)"
            throw TensorBytesError("tensor data has \(bytes.count) bytes, but \(dtype)\(shape) needs \(needed)")
        }
        if dtype == .bool, let bad = bytes.first(where: { $0 > 1 }) {
            throw TensorBytesError("bool tensor data must be bytes 0 or 1, got \(bad)")
        }
        self.init(shape: shape, storage: ScalarCoding.decode(bytes, dtype: dtype, count: count, bigEndian: false))
    }
}
