/// A dense, row-major, host-memory tensor: a shape and typed scalars.
///
/// A value type (copy-on-write arrays underneath), so reference kernels can be written as
/// pure functions. Equality is bitwise on the scalars, so NaN payloads compare equal to
/// themselves and round-trip tests hold.
public struct Tensor: Sendable, Hashable, CustomStringConvertible {
    public enum Storage: Sendable {
        case f32([Float])
        case f64([Double])
        case i32([Int32])
        case i64([Int64])
        case bool([Bool])
    }

    public var shape: [Int]
    public var storage: Storage

    /// Wraps `storage`; the caller guarantees `storage` holds `shape.product` scalars.
    public init(shape: [Int], storage: Storage) {
        self.shape = shape
        self.storage = storage
        precondition(Self.count(of: storage) == shape.reduce(1, *), "tensor storage does not match shape \(shape)")
    }

    public init<T: TensorElement>(shape: [Int], scalars: [T]) {
        self.init(shape: shape, storage: T.wrap(scalars))
    }

    /// A scalar (rank-0) tensor.
    public init<T: TensorElement>(scalar: T) {
        self.init(shape: [], storage: T.wrap([scalar]))
    }

    /// A tensor of `shape` filled with zeros (false for bool).
    public static func zeros(_ dtype: DType, shape: [Int]) -> Tensor {
        filled(dtype, shape: shape, with: 0)
    }

    /// A tensor of `shape` where every scalar is `value` converted to `dtype`.
    public static func filled(_ dtype: DType, shape: [Int], with value: Double) -> Tensor {
        let n = shape.reduce(1, *)
        switch dtype {
        case .f32: return Tensor(shape: shape, storage: .f32(Array(repeating: Float(value), count: n)))
        case .f64: return Tensor(shape: shape, storage: .f64(Array(repeating: value, count: n)))
        case .i32: return Tensor(shape: shape, storage: .i32(Array(repeating: Int32(clamping: Int64(value)), count: n)))
        case .i64: return Tensor(shape: shape, storage: .i64(Array(repeating: Int64(value), count: n)))
        case .bool: return Tensor(shape: shape, storage: .bool(Array(repeating: value != 0, count: n)))
        }
    }

    public var dtype: DType {
        switch storage {
        case .f32: .f32
        case .f64: .f64
        case .i32: .i32
        case .i64: .i64
        case .bool: .bool
        }
    }

    public var rank: Int { shape.count }
    public var count: Int { shape.reduce(1, *) }

    /// The scalars as `T`, or nil when the tensor holds another dtype.
    public func scalars<T: TensorElement>(as type: T.Type = T.self) -> [T]? {
        T.unwrap(storage)
    }

    /// Every scalar converted to Double (exact for all dtypes but i64 beyond 2^53).
    public var doubles: [Double] {
        switch storage {
        case .f32(let a): a.map(Double.init)
        case .f64(let a): a
        case .i32(let a): a.map(Double.init)
        case .i64(let a): a.map(Double.init)
        case .bool(let a): a.map { $0 ? 1 : 0 }
        }
    }

    /// The same scalars viewed with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, storage: storage)
    }

    public var description: String {
        let values = doubles.prefix(6).map { dtype.isFloatingPoint ? "\($0)" : "\(Int64($0))" }
        let more = count > 6 ? ", …" : ""
        return "\(dtype)\(shape)[\(values.joined(separator: ", "))\(more)]"
    }

    static func count(of storage: Storage) -> Int {
        switch storage {
        case .f32(let a): a.count
        case .f64(let a): a.count
        case .i32(let a): a.count
        case .i64(let a): a.count
        case .bool(let a): a.count
        }
    }

    public static func == (a: Tensor, b: Tensor) -> Bool {
        guard a.shape == b.shape else { return false }
        switch (a.storage, b.storage) {
        case (.f32(let x), .f32(let y)): return x.elementsEqual(y) { $0.bitPattern == $1.bitPattern }
        case (.f64(let x), .f64(let y)): return x.elementsEqual(y) { $0.bitPattern == $1.bitPattern }
        case (.i32(let x), .i32(let y)): return x == y
        case (.i64(let x), .i64(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(shape)
        hasher.combine(dtype)
        switch storage {
        case .f32(let a): for x in a.prefix(16) { hasher.combine(x.bitPattern) }
        case .f64(let a): for x in a.prefix(16) { hasher.combine(x.bitPattern) }
        case .i32(let a): for x in a.prefix(16) { hasher.combine(x) }
        case .i64(let a): for x in a.prefix(16) { hasher.combine(x) }
        case .bool(let a): for x in a.prefix(16) { hasher.combine(x) }
        }
    }
}

/// Swift scalar types a tensor can hold.
public protocol TensorElement: Sendable, Equatable {
    static var dtype: DType { get }
    static func wrap(_ scalars: [Self]) -> Tensor.Storage
    static func unwrap(_ storage: Tensor.Storage) -> [Self]?
}

extension Float: TensorElement {
    public static var dtype: DType { .f32 }
    public static func wrap(_ s: [Float]) -> Tensor.Storage { .f32(s) }
    public static func unwrap(_ s: Tensor.Storage) -> [Float]? { if case .f32(let a) = s { a } else { nil } }
}

extension Double: TensorElement {
    public static var dtype: DType { .f64 }
    public static func wrap(_ s: [Double]) -> Tensor.Storage { .f64(s) }
    public static func unwrap(_ s: Tensor.Storage) -> [Double]? { if case .f64(let a) = s { a } else { nil } }
}

extension Int32: TensorElement {
    public static var dtype: DType { .i32 }
    public static func wrap(_ s: [Int32]) -> Tensor.Storage { .i32(s) }
    public static func unwrap(_ s: Tensor.Storage) -> [Int32]? { if case .i32(let a) = s { a } else { nil } }
}

extension Int64: TensorElement {
    public static var dtype: DType { .i64 }
    public static func wrap(_ s: [Int64]) -> Tensor.Storage { .i64(s) }
    public static func unwrap(_ s: Tensor.Storage) -> [Int64]? { if case .i64(let a) = s { a } else { nil } }
}

extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    public static func wrap(_ s: [Bool]) -> Tensor.Storage { .bool(s) }
    public static func unwrap(_ s: Tensor.Storage) -> [Bool]? { if case .bool(let a) = s { a } else { nil } }
}

/// Row-major strides (in elements) of `shape`.
public func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var strides = Array(repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[axis] = running
        running *= shape[axis]
    }
    return strides
}

/// What checking a value against a declared type needs: its dtype and shape (a `Tensor`, or
/// caller memory described as one).
public protocol TensorShaped {
    var dtype: DType { get }
    var shape: [Int] { get }
}

extension Tensor: TensorShaped {}
