/// Raw scalar bytes <-> tensor storage: the data section of a `.npy` file.
enum ScalarCoding {
    static let hostIsBigEndian = 1.bigEndian == 1

    /// `count` scalars of `dtype` from `data` (exactly `count * byteSize` bytes).
    static func decode(_ data: ArraySlice<UInt8>, dtype: DType, count: Int, bigEndian: Bool) -> Tensor.Storage {
        let swap = bigEndian != hostIsBigEndian
        switch dtype {
        case .f32: return .f32(swap ? load(UInt32.self, data, count, swap).map(Float.init(bitPattern:)) : copy(Float.self, data, count))
        case .f64: return .f64(swap ? load(UInt64.self, data, count, swap).map(Double.init(bitPattern:)) : copy(Double.self, data, count))
        case .i32: return .i32(load(Int32.self, data, count, swap))
        case .i64: return .i64(load(Int64.self, data, count, swap))
        case .bool: return .bool(data.map { $0 != 0 })
        }
    }

    /// Appends the scalars of `storage`, little-endian, to `bytes`.
    static func append(_ storage: Tensor.Storage, to bytes: inout [UInt8]) {
        switch storage {
        case .f32(let a): store(a.map(\.bitPattern), to: &bytes)
        case .f64(let a): store(a.map(\.bitPattern), to: &bytes)
        case .i32(let a): store(a, to: &bytes)
        case .i64(let a): store(a, to: &bytes)
        case .bool(let a): bytes.append(contentsOf: a.map { $0 ? 1 : 0 })
        }
    }

    private static func load<T: FixedWidthInteger>(_: T.Type, _ data: ArraySlice<UInt8>, _ count: Int, _ swap: Bool) -> [T] {
        precondition(data.count == count * MemoryLayout<T>.size, "scalar data does not match its count")
        let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
        return swap ? values.map(\.byteSwapped) : values
    }

    /// The bytes as `count` values of `T` in host order: one copy (weights load through here).
    private static func copy<T>(_: T.Type, _ data: ArraySlice<UInt8>, _ count: Int) -> [T] {
        precondition(data.count == count * MemoryLayout<T>.size, "scalar data does not match its count")
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }

    private static func store<T: FixedWidthInteger>(_ values: [T], to bytes: inout [UInt8]) {
        let littleEndian = hostIsBigEndian ? values.map(\.byteSwapped) : values
        littleEndian.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    /// Column-major scalars of `shape` reordered row-major.
    static func fortranToC(_ storage: Tensor.Storage, shape: [Int]) -> Tensor.Storage {
        switch storage {
        case .f32(let a): .f32(fortranToC(a, shape: shape))
        case .f64(let a): .f64(fortranToC(a, shape: shape))
        case .i32(let a): .i32(fortranToC(a, shape: shape))
        case .i64(let a): .i64(fortranToC(a, shape: shape))
        case .bool(let a): .bool(fortranToC(a, shape: shape))
        }
    }

    /// Walks the row-major index, keeping the column-major offset of the same element.
    private static func fortranToC<T>(_ values: [T], shape: [Int]) -> [T] {
        let rank = shape.count
        guard rank > 1, !values.isEmpty else { return values }
        var fortranStrides = Array(repeating: 1, count: rank)
        for axis in 1..<rank { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var index = Array(repeating: 0, count: rank)
        var offset = 0
        var result: [T] = []
        result.reserveCapacity(values.count)
        for _ in 0..<values.count {
            result.append(values[offset])
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                offset += fortranStrides[axis]
                if index[axis] < shape[axis] { break }
                offset -= fortranStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }
}
