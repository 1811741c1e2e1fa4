import LeptonKernels

extension DType {
    /// The kernels' name for this element type.
    var scalar: ScalarType {
        switch self {
        case .f32: .f32
        case .f64: .f64
        case .i32: .i32
        case .i64: .i64
        case .bool: .bool
        }
    }
}

extension Tensor {
    /// Copies the scalars' bytes to `target` (which holds at least `count · byteSize` bytes).
    func copyBytes(to target: UnsafeMutableRawPointer) {
        func copy<T>(_ a: [T]) { a.withUnsafeBytes { if let b = $0.baseAddress { target.copyMemory(from: b, byteCount: $0.count) } } }
        switch storage {
        case .f32(let a): copy(a)
        case .f64(let a): copy(a)
        case .i32(let a): copy(a)
        case .i64(let a): copy(a)
        case .bool(let a): copy(a)
        }
    }

    /// Replaces the scalars with the bytes at `source`, in the existing storage when it has
    /// `dtype` and `shape` (no allocation when that storage is not shared), else in new storage.
    mutating func overwrite(from source: UnsafeRawPointer, dtype: DType, shape: [Int]) {
        guard self.dtype == dtype, self.shape == shape else {
            self = Tensor(copying: source, dtype: dtype, shape: shape)
            return
        }
        func fill<T>(_ a: inout [T]) {
            a.withUnsafeMutableBytes { if let b = $0.baseAddress { b.copyMemory(from: source, byteCount: $0.count) } }
        }
        // Each case takes the array out of `storage` first, so it stays uniquely referenced.
        switch storage {
        case .f32(var a): storage = .f32([]); fill(&a); storage = .f32(a)
        case .f64(var a): storage = .f64([]); fill(&a); storage = .f64(a)
        case .i32(var a): storage = .i32([]); fill(&a); storage = .i32(a)
        case .i64(var a): storage = .i64([]); fill(&a); storage = .i64(a)
        case .bool(var a): storage = .bool([]); fill(&a); storage = .bool(a)
        }
    }

    /// A tensor of `dtype` and `shape` holding a copy of the bytes at `source`.
    init(copying source: UnsafeRawPointer, dtype: DType, shape: [Int]) {
        let n = shape.reduce(1, *)
        func read<T>(_: T.Type) -> [T] { Array(UnsafeBufferPointer(start: source.assumingMemoryBound(to: T.self), count: n)) }
        switch dtype {
        case .f32: self.init(shape: shape, storage: .f32(read(Float.self)))
        case .f64: self.init(shape: shape, storage: .f64(read(Double.self)))
        case .i32: self.init(shape: shape, storage: .i32(read(Int32.self)))
        case .i64: self.init(shape: shape, storage: .i64(read(Int64.self)))
        case .bool: self.init(shape: shape, storage: .bool(read(Bool.self)))
        }
    }
}

/// The concrete shape of `type` with its symbols bound.
func concreteShape(_ type: TensorType, _ bindings: [String: Int]) -> [Int] {
    type.shape.map { dim in
        switch dim {
        case .fixed(let n): return n
        case .symbol(let s):
            guard let n = bindings[s] else { preconditionFailure("symbol \(s) unbound when planning") }
            return n
        }
    }
}
