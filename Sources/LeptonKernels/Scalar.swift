import Foundation

/// Element types the kernels handle. Mirrors the IR's dtypes without depending on them:
/// LeptonKernels knows nothing about graphs.
public enum ScalarType: Hashable, Sendable {
    case f32, f64, i32, i64, bool

    /// Bytes per element (Swift's Bool is one byte holding 0 or 1).
    public var byteSize: Int {
        switch self {
        case .f32, .i32: 4
        case .f64, .i64: 8
        case .bool: 1
        }
    }
}

/// A data-dependent failure inside a kernel (integer division by zero, a gather index out of
/// range). Shape errors never reach kernels: the shape rules reject them first.
public struct KernelFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    @inlinable public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Arithmetic shared by every numeric kernel. Integers wrap on overflow (numpy); floats are
/// IEEE in their own type, so f32 math stays in Float as the reference does.
public protocol KernelScalar: Comparable, Sendable {
    static var zero: Self { get }
    static var one: Self { get }
    /// The identity of max (−∞ for floats).
    static var lowest: Self { get }
    /// The identity of min (+∞ for floats).
    static var highest: Self { get }
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    /// numpy maximum / minimum: NaN wins.
    static func larger(_ a: Self, _ b: Self) -> Self
    static func smaller(_ a: Self, _ b: Self) -> Self
    var isNaNValue: Bool { get }
    /// A float attribute (alpha, clip bounds, pad value) in this type; ints round, saturating.
    init(attribute value: Double)
    /// A count (a mean's divisor) in this type.
    init(count: Int)
}

/// Elementary functions in the tensor's own float type (the C `expf` family for Float).
public protocol KernelFloat: KernelScalar, BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension KernelScalar where Self: BinaryFloatingPoint {
    @inlinable public static var zero: Self { 0 }
    @inlinable public static var one: Self { 1 }
    @inlinable public static var lowest: Self { -.infinity }
    @inlinable public static var highest: Self { .infinity }
    @inlinable @inline(__always) public static func add(_ a: Self, _ b: Self) -> Self { a + b }
    @inlinable @inline(__always) public static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
    @inlinable @inline(__always) public static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
    @inlinable @inline(__always) public static func larger(_ a: Self, _ b: Self) -> Self { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    @inlinable @inline(__always) public static func smaller(_ a: Self, _ b: Self) -> Self { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }
    @inlinable public var isNaNValue: Bool { isNaN }
    @inlinable public init(count: Int) { self.init(count) }
}

extension KernelScalar where Self: FixedWidthInteger & SignedInteger {
    @inlinable public static var zero: Self { 0 }
    @inlinable public static var one: Self { 1 }
    @inlinable public static var lowest: Self { .min }
    @inlinable public static var highest: Self { .max }
    @inlinable @inline(__always) public static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inlinable @inline(__always) public static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
    @inlinable @inline(__always) public static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }
    @inlinable @inline(__always) public static func larger(_ a: Self, _ b: Self) -> Self { Swift.max(a, b) }
    @inlinable @inline(__always) public static func smaller(_ a: Self, _ b: Self) -> Self { Swift.min(a, b) }
    @inlinable public var isNaNValue: Bool { false }
    @inlinable public init(attribute value: Double) { self = saturating(value.rounded()) }
    @inlinable public init(count: Int) { self.init(truncatingIfNeeded: count) }
}

/// `value` (integral or NaN) in an integer type: NaN is 0, out-of-range values saturate (the
/// reference's choice where ONNX is undefined).
@inline(__always)
@inlinable public func saturating<I: FixedWidthInteger>(_ value: Double) -> I {
    if value.isNaN { return 0 }
    if value <= Double(I.min) { return I.min }
    if value >= Double(I.max) { return I.max }
    return I(value)
}

extension Float: KernelFloat {
    @inlinable public init(attribute value: Double) { self.init(value) }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.log(x) }
    @inlinable public static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    @inlinable public static func expm1(_ x: Float) -> Float { Foundation.expm1(x) }
    @inlinable public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    @inlinable public static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

extension Double: KernelFloat {
    @inlinable public init(attribute value: Double) { self = value }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    @inlinable public static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    @inlinable public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    @inlinable public static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}

extension Int32: KernelScalar {}
extension Int64: KernelScalar {}

/// 1 / (1 + e^−x), written so that e^(±x) never overflows.
@inline(__always)
@inlinable public func sigmoid<T: KernelFloat>(_ x: T) -> T {
    if x >= 0 { return 1 / (1 + T.exp(-x)) }
    let e = T.exp(x)
    return e / (1 + e)
}
