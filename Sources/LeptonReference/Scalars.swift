import Foundation

/// A data-dependent failure inside a kernel (an out-of-range gather index, an integer division
/// by zero). Shape errors never get here: the shape rules reject them before anything runs.
public struct KernelError: Error, CustomStringConvertible, Sendable {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// The arithmetic the reference kernels need, for every numeric dtype.
///
/// Integer arithmetic wraps on overflow, as numpy's does; float arithmetic is IEEE in the
/// tensor's own type (f32 math stays in Float so results match numpy float32).
///
/// Performance note: debug builds compile file by file (no whole-module optimization), so a
/// kernel specialized for Float in another file still calls these witnesses out of line
/// (~5 ns per multiply-add, ~5x slower than an inlined loop). Fine for an oracle.
protocol ArithmeticScalar: TensorElement, Comparable {
    static var zero: Self { get }
    static var one: Self { get }
    /// The smallest value (−∞ for floats): the identity of max.
    static var lowest: Self { get }
    /// The largest value (+∞ for floats): the identity of min.
    static var highest: Self { get }
    static func add(_ a: Self, _ b: Self) -> Self
    static func subtract(_ a: Self, _ b: Self) -> Self
    static func multiply(_ a: Self, _ b: Self) -> Self
    /// Integer division truncates toward zero (ONNX Div); nil on integer division by zero.
    static func divide(_ a: Self, _ b: Self) -> Self?
    /// nil when an integer is raised to a negative power (numpy refuses too).
    static func power(_ a: Self, _ b: Self) -> Self?
    static func negate(_ a: Self) -> Self
    /// |a|; the most negative integer wraps to itself, as in numpy.
    static func absolute(_ a: Self) -> Self
    /// numpy maximum/minimum: NaN wins.
    static func larger(_ a: Self, _ b: Self) -> Self
    static func smaller(_ a: Self, _ b: Self) -> Self
    var isNaNValue: Bool { get }
    /// A float attribute (alpha, clip bounds, pad value) in this type; ints round, saturating.
    init(attribute value: Double)
    /// A count (a mean's divisor) in this type.
    init(count: Int)
}

extension ArithmeticScalar where Self: BinaryFloatingPoint {
    static var zero: Self { 0 }
    static var one: Self { 1 }
    static var lowest: Self { -.infinity }
    static var highest: Self { .infinity }
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a + b }
    @inline(__always) static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
    @inline(__always) static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
    @inline(__always) static func divide(_ a: Self, _ b: Self) -> Self? { a / b }
    @inline(__always) static func negate(_ a: Self) -> Self { -a }
    @inline(__always) static func absolute(_ a: Self) -> Self { Swift.abs(a) }
    @inline(__always) static func larger(_ a: Self, _ b: Self) -> Self { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
    @inline(__always) static func smaller(_ a: Self, _ b: Self) -> Self { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }
    var isNaNValue: Bool { isNaN }
    init(count: Int) { self.init(count) }
}

extension ArithmeticScalar where Self: FixedWidthInteger & SignedInteger {
    static var zero: Self { 0 }
    static var one: Self { 1 }
    static var lowest: Self { .min }
    static var highest: Self { .max }
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inline(__always) static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
    @inline(__always) static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }
    @inline(__always) static func divide(_ a: Self, _ b: Self) -> Self? {
        b == 0 ? nil : a.dividedReportingOverflow(by: b).partialValue
    }
    @inline(__always) static func negate(_ a: Self) -> Self { 0 &- a }
    @inline(__always) static func absolute(_ a: Self) -> Self { a < 0 ? 0 &- a : a }
    @inline(__always) static func larger(_ a: Self, _ b: Self) -> Self { Swift.max(a, b) }
    @inline(__always) static func smaller(_ a: Self, _ b: Self) -> Self { Swift.min(a, b) }
    var isNaNValue: Bool { false }
    init(attribute value: Double) { self = saturatingInteger(value.rounded()) }
    init(count: Int) { self.init(truncatingIfNeeded: count) }

    /// Exponentiation by squaring, wrapping like numpy's integer power.
    static func power(_ a: Self, _ b: Self) -> Self? {
        guard b >= 0 else { return nil }
        var result: Self = 1, base = a, exponent = b
        while exponent > 0 {
            if exponent & 1 == 1 { result = result &* base }
            base = base &* base
            exponent >>= 1
        }
        return result
    }
}

/// `value` (already integral or NaN) in an integer type: NaN becomes 0, out-of-range values
/// saturate. ONNX leaves these cases undefined; saturating keeps the oracle deterministic.
func saturatingInteger<I: FixedWidthInteger>(_ value: Double) -> I {
    if value.isNaN { return 0 }
    if value <= Double(I.min) { return I.min }
    if value >= Double(I.max) { return I.max }
    return I(value)
}

/// Elementary functions, in the tensor's own float type (Foundation's Float overloads call the
/// C `expf` family, so f32 results match numpy float32 to an ulp or two).
protocol FloatScalar: ArithmeticScalar, BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

extension Float: ArithmeticScalar, FloatScalar {
    init(attribute value: Double) { self.init(value) }
    static func power(_ a: Float, _ b: Float) -> Float? { Foundation.pow(a, b) }
    static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    static func log(_ x: Float) -> Float { Foundation.log(x) }
    static func log1p(_ x: Float) -> Float { Foundation.log1p(x) }
    static func expm1(_ x: Float) -> Float { Foundation.expm1(x) }
    static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    static func erf(_ x: Float) -> Float { Foundation.erf(x) }
    static func pow(_ x: Float, _ y: Float) -> Float { Foundation.pow(x, y) }
}

extension Double: ArithmeticScalar, FloatScalar {
    init(attribute value: Double) { self = value }
    static func power(_ a: Double, _ b: Double) -> Double? { Foundation.pow(a, b) }
    static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    static func log(_ x: Double) -> Double { Foundation.log(x) }
    static func log1p(_ x: Double) -> Double { Foundation.log1p(x) }
    static func expm1(_ x: Double) -> Double { Foundation.expm1(x) }
    static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    static func erf(_ x: Double) -> Double { Foundation.erf(x) }
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}

extension Int32: ArithmeticScalar {}
extension Int64: ArithmeticScalar {}

extension Tensor {
    /// The scalars as `T`; the dtype was checked by the shape rules, so a mismatch is a bug.
    func array<T: TensorElement>(_ type: T.Type = T.self) -> [T] {
        guard let values = scalars(as: T.self) else {
            preconditionFailure("reference kernel expected \(T.dtype), got \(dtype)")
        }
        return values
    }
}

/// Converts negative axis `axis` of a rank-`rank` tensor to 0..<rank.
/// The shape rules accepted the axis, so an out-of-range one is a bug.
func normalized(axis: Int, rank: Int) -> Int {
    guard let result = try? normalizeAxis(axis, rank: rank) else {
        preconditionFailure("axis \(axis) out of range for rank \(rank)")
    }
    return result
}

/// Product of `shape[range]`.
func product(_ shape: some Collection<Int>) -> Int { shape.reduce(1, *) }
