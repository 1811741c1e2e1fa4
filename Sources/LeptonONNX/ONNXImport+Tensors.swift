import Foundation
import LeptonIR

extension ONNXImport {
    /// Lepton's dtype for an ONNX element type of a graph input or output.
    func dtype(_ code: Int64?, _ what: String) throws(DiagnosticError) -> DType {
        guard let code else { throw DiagnosticError(at: location, "\(what) has no tensor type") }
        switch ONNXDataType(rawValue: code) {
        case .float: return .f32
        case .double: return .f64
        case .int32: return .i32
        case .int64: return .i64
        case .bool: return .bool
        case let other?: throw DiagnosticError(at: location, "\(what) is \(other.name); Lepton runs float, double, int32, int64 and bool")
        case nil: throw DiagnosticError(at: location, "\(what) has unknown element type \(code)")
        }
    }

    /// An ONNX tensor (initializer or attribute) as a Lepton tensor. Narrow integer types
    /// widen to i32, unsigned 32/64-bit to i64, float16/bfloat16 to f32; the element count is
    /// checked against the payload before anything is allocated.
    func tensor(_ t: ONNXTensor, bytes: AlignedBytes) throws(DiagnosticError) -> Tensor {
        let what = "tensor '\(t.name)'"
        guard let type = ONNXDataType(rawValue: t.dataType) else { throw DiagnosticError(at: location, "\(what) has unknown data type \(t.dataType)") }
        var count = 1
        for dim in t.dims {
            guard dim >= 0 else { throw DiagnosticError(at: location, "\(what) has dimension \(dim)") }
            guard dim <= Int64(Int32.max) else { throw DiagnosticError(at: location, "\(what) of shape \(t.dims) is too large") }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product <= 1 << 34 else { throw DiagnosticError(at: location, "\(what) of shape \(t.dims) is too large") }
            count = product
        }
        let shape = t.dims.map { Int($0) }
        func mismatch(_ have: Int) -> DiagnosticError {
            DiagnosticError(at: location, "\(what) of shape \(shape) needs \(count) \(type.name) elements, its data has \(have)")
        }
        // Raw little-endian bytes: from the model file, given, or an external file.
        var raw: UnsafeRawBufferPointer?
        var keep: AnyObject?
        switch t.payload {
        case .rawInFile(let range): raw = bytes[range]
        case .raw(let array):
            let copy = AlignedBytes(copying: array)
            keep = copy
            raw = copy.buffer
        case .external(let file, let offset, let length):
            let (data, range) = try external(file, offset: offset, length: length, what: what)
            keep = data
            raw = data[range]
        default: break
        }
        if let raw {
            guard type.byteSize > 0, raw.count == count * type.byteSize else { throw mismatch(type.byteSize > 0 ? raw.count / type.byteSize : 0) }
            let tensor = decodeRaw(raw, type, count: count, shape: shape)
            withExtendedLifetime(keep) {}
            guard let tensor else { throw DiagnosticError(at: location, "\(what) is \(type.name), which Lepton cannot hold") }
            return tensor
        }
        switch (t.payload, type) {
        case (.floats(let v), .float):
            guard v.count == count else { throw mismatch(v.count) }
            return Tensor(shape: shape, scalars: v)
        case (.doubles(let v), .double):
            guard v.count == count else { throw mismatch(v.count) }
            return Tensor(shape: shape, scalars: v)
        case (.int64s(let v), .int64):
            guard v.count == count else { throw mismatch(v.count) }
            return Tensor(shape: shape, scalars: v)
        case (.int32s(let v), .int32), (.int32s(let v), .int8), (.int32s(let v), .int16), (.int32s(let v), .uint8), (.int32s(let v), .uint16):
            guard v.count == count else { throw mismatch(v.count) }
            return Tensor(shape: shape, scalars: v.map { Int32(truncatingIfNeeded: $0) })
        case (.int32s(let v), .bool):
            guard v.count == count else { throw mismatch(v.count) }
            return Tensor(shape: shape, scalars: v.map { $0 != 0 })
        case (.int32s(let v), .float16):
            guard v.count == count else { throw mismatch(v.count) }
            return Tensor(shape: shape, scalars: v.map { Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0))) })
        case (.uint64s(let v), .uint32), (.uint64s(let v), .uint64):
            guard v.count == count else { throw mismatch(v.count) }
            return Tensor(shape: shape, scalars: v)
        case (.empty, _) where count == 0:
            return try zeroTensor(type, shape: shape, what: what)
        default:
            throw DiagnosticError(at: location, "\(what): \(type.name) data is missing or in the wrong field for shape \(shape)")
        }
    }

    private func zeroTensor(_ type: ONNXDataType, shape: [Int], what: String) throws(DiagnosticError) -> Tensor {
        switch type {
        case .float, .float16, .bfloat16: return Tensor(shape: shape, scalars: [Float]())
        case .double: return Tensor(shape: shape, scalars: [Double]())
        case .int64, .uint32, .uint64: return Tensor(shape: shape, scalars: [Int64]())
        case .bool: return Tensor(shape: shape, scalars: [Bool]())
        case .int32, .int8, .int16, .uint8, .uint16: return Tensor(shape: shape, scalars: [Int32]())
        default: throw DiagnosticError(at: location, "\(what) is \(type.name), which Lepton cannot hold")
        }
    }

    /// Little-endian bytes as a Lepton tensor (nil for types Lepton cannot hold).
    private func decodeRaw(_ raw: UnsafeRawBufferPointer, _ type: ONNXDataType, count: Int, shape: [Int]) -> Tensor? {
        func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T { T(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)) }
        switch type {
        case .float: return Tensor(shape: shape, scalars: (0..<count).map { Float(bitPattern: load(UInt32.self, $0)) })
        case .double: return Tensor(shape: shape, scalars: (0..<count).map { Double(bitPattern: load(UInt64.self, $0)) })
        case .int32: return Tensor(shape: shape, scalars: (0..<count).map { load(Int32.self, $0) })
        case .int64: return Tensor(shape: shape, scalars: (0..<count).map { load(Int64.self, $0) })
        case .bool: return Tensor(shape: shape, scalars: (0..<count).map { raw[$0] != 0 })
        case .int8: return Tensor(shape: shape, scalars: (0..<count).map { Int32(Int8(bitPattern: raw[$0])) })
        case .uint8: return Tensor(shape: shape, scalars: (0..<count).map { Int32(raw[$0]) })
        case .int16: return Tensor(shape: shape, scalars: (0..<count).map { Int32(load(Int16.self, $0)) })
        case .uint16: return Tensor(shape: shape, scalars: (0..<count).map { Int32(load(UInt16.self, $0)) })
        case .uint32: return Tensor(shape: shape, scalars: (0..<count).map { Int64(load(UInt32.self, $0)) })
        case .uint64: return Tensor(shape: shape, scalars: (0..<count).map { Int64(bitPattern: load(UInt64.self, $0)) })
        case .float16: return Tensor(shape: shape, scalars: (0..<count).map { Float(Float16(bitPattern: load(UInt16.self, $0))) })
        case .bfloat16: return Tensor(shape: shape, scalars: (0..<count).map { Float(bitPattern: UInt32(load(UInt16.self, $0)) << 16) })
        case .string, .complex64, .complex128: return nil
        }
    }

    /// External data: `file` (relative to the model's directory, never outside it) mapped, and
    /// the bytes from `offset`, `length` of them or to the end.
    private func external(_ file: String, offset: Int64, length: Int64?, what: String) throws(DiagnosticError) -> (AlignedBytes, Range<Int>) {
        guard !file.hasPrefix("/"), !file.split(separator: "/").contains(".."), !file.contains("\\") else {
            throw DiagnosticError(at: location, "\(what): external data '\(file)' is outside the model's directory")
        }
        let full = (directory as NSString).appendingPathComponent(file)
        let data: AlignedBytes
        do throws(TensorIOError) {
            data = try FileIO.map(full)
        } catch {
            throw DiagnosticError(at: location, "\(what): external data \(error.description)")
        }
        let start = Int(clamping: offset)
        let end = length.map { start &+ Int(clamping: $0) } ?? data.count
        guard start <= data.count, end >= start, end <= data.count else {
            throw DiagnosticError(at: location, "\(what): external data '\(file)' has \(data.count) bytes, the tensor wants \(start)..<\(end)")
        }
        return (data, start..<end)
    }
}
