/// The element loops behind `TileProgram` instructions: the dtype and op are switched once per
/// tile, then a tight loop runs over the tile's elements.

extension TileProgram {
    func execute(_ instruction: Instruction, _ registers: UnsafeMutableBufferPointer<UnsafeMutableRawPointer>,
                 _ n: Int) throws(KernelFailure) {
        switch instruction {
        case .unary(let op, let type, let x, let r):
            try unary(op, type, registers[x], registers[r], n)
        case .binary(let op, let type, let x, let y, let r):
            try binary(op, type, registers[x], registers[y], registers[r], n)
        case .select(let type, let c, let x, let y, let r):
            select(type.byteSize, registers[c], registers[x], registers[y], registers[r], n)
        case .cast(let from, let to, let x, let r):
            castElements(from, to, registers[x], registers[r], n)
        }
    }
}

// MARK: Unary

private func unary(_ op: TileProgram.Unary, _ type: ScalarType, _ x: UnsafeMutableRawPointer,
                   _ r: UnsafeMutableRawPointer, _ n: Int) throws(KernelFailure) {
    if op == .identity {
        if x != r { r.copyMemory(from: x, byteCount: n * type.byteSize) }
        return
    }
    switch type {
    case .f32: floatUnary(op, x.assumingMemoryBound(to: Float.self), r.assumingMemoryBound(to: Float.self), n)
    case .f64: floatUnary(op, x.assumingMemoryBound(to: Double.self), r.assumingMemoryBound(to: Double.self), n)
    case .i32: integerUnary(op, x.assumingMemoryBound(to: Int32.self), r.assumingMemoryBound(to: Int32.self), n)
    case .i64: integerUnary(op, x.assumingMemoryBound(to: Int64.self), r.assumingMemoryBound(to: Int64.self), n)
    case .bool:
        guard op == .not else { throw KernelFailure("\(op) does not take bool") }
        let a = x.assumingMemoryBound(to: Bool.self), b = r.assumingMemoryBound(to: Bool.self)
        for i in 0..<n { b[i] = !a[i] }
    }
}

@inline(__always)
private func map<T, R>(_ x: UnsafeMutablePointer<T>, _ r: UnsafeMutablePointer<R>, _ n: Int, _ f: (T) -> R) {
    for i in 0..<n { r[i] = f(x[i]) }
}

private func floatUnary<T: KernelFloat>(_ op: TileProgram.Unary, _ x: UnsafeMutablePointer<T>, _ r: UnsafeMutablePointer<T>, _ n: Int) {
    if T.self == Float.self,
       vectorUnary(op, UnsafePointer(OpaquePointer(x)), UnsafeMutablePointer(OpaquePointer(r)), n) { return }
    switch op {
    case .exp: map(x, r, n, T.exp)
    case .log: map(x, r, n, T.log)
    case .sqrt: map(x, r, n) { $0.squareRoot() }
    case .rsqrt: map(x, r, n) { 1 / $0.squareRoot() }
    case .reciprocal: map(x, r, n) { 1 / $0 }
    case .sigmoid: map(x, r, n, sigmoid)
    case .tanh: map(x, r, n, T.tanh)
    case .softplus: map(x, r, n) { v in (v < 0 ? 0 : v) + T.log1p(T.exp(v < 0 ? v : -v)) }
    case .erf: map(x, r, n, T.erf)
    case .geluExact: map(x, r, n) { v in 0.5 * v * (1 + T.erf(v / T(2).squareRoot())) }
    case .geluTanh:
        let k = (T(2) / T.pi).squareRoot()
        map(x, r, n) { v in 0.5 * v * (1 + T.tanh(k * (v + 0.044715 * v * v * v))) }
    case .floor: map(x, r, n) { $0.rounded(.down) }
    case .ceil: map(x, r, n) { $0.rounded(.up) }
    case .leakyRelu(let alpha):
        let a = T(alpha)
        map(x, r, n) { v in v < 0 ? a * v : v }
    case .elu(let alpha):
        let a = T(alpha)
        map(x, r, n) { v in v > 0 ? v : a * T.expm1(v) }
    case .neg: map(x, r, n) { -$0 }
    case .abs: map(x, r, n) { Swift.abs($0) }
    case .relu: map(x, r, n) { $0 < 0 ? 0 : $0 }
    case .clip(let low, let high):
        let (lo, hi) = (T(low), T(high))
        map(x, r, n) { T.smaller(T.larger($0, lo), hi) }
    case .not, .identity: preconditionFailure("\(op) is not a float op")
    }
}

/// The f32 unary ops with SIMD16 loops (VectorMath.swift); false for the others, which run
/// the scalar loop. Selects keep NaN and −0 exactly as the scalar closures do.
private func vectorUnary(_ op: TileProgram.Unary, _ x: UnsafePointer<Float>, _ r: UnsafeMutablePointer<Float>, _ n: Int) -> Bool {
    switch op {
    case .exp: vectorMap(ExpLanes(), x, r, n)
    case .log: vectorMap(LogLanes(), x, r, n)
    case .sigmoid: vectorMap(SigmoidLanes(), x, r, n)
    case .tanh: vectorMap(TanhLanes(), x, r, n)
    case .softplus: vectorMap(SoftplusLanes(), x, r, n)
    case .erf: vectorMap(ErfLanes(), x, r, n)
    case .geluExact: vectorMap(GeluExactLanes(), x, r, n)
    case .geluTanh: vectorMap(GeluTanhLanes(), x, r, n)
    case .relu: vectorMap(ReluLanes(), x, r, n)
    case .neg: vectorMap(NegLanes(), x, r, n)
    case .leakyRelu(let alpha): vectorMap(LeakyReluLanes(alpha: Float(alpha)), x, r, n)
    case .clip(let low, let high):
        let (lo, hi) = (Float(low), Float(high))
        guard !lo.isNaN && !hi.isNaN else { return false }
        vectorMap(ClipLanes(low: lo, high: hi), x, r, n)
    default: return false
    }
    return true
}

struct ReluLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { v.replacing(with: 0, where: v .< 0) } }
struct NegLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { -v } }
struct LeakyReluLanes: LaneMap {
    let alpha: Float
    @_transparent func apply(_ v: F32x16) -> F32x16 { v.replacing(with: alpha * v, where: v .< 0) }
}
struct ClipLanes: LaneMap {
    let low: Float, high: Float
    @_transparent func apply(_ v: F32x16) -> F32x16 { clamp(v, low, high) }
}

private func integerUnary<T: KernelScalar & FixedWidthInteger & SignedInteger>(
    _ op: TileProgram.Unary, _ x: UnsafeMutablePointer<T>, _ r: UnsafeMutablePointer<T>, _ n: Int) {
    switch op {
    case .neg: map(x, r, n) { 0 &- $0 }
    case .abs: map(x, r, n) { $0 < 0 ? 0 &- $0 : $0 }
    case .relu: map(x, r, n) { $0 < 0 ? 0 : $0 }
    case .clip(let low, let high):
        let (lo, hi) = (T(attribute: low), T(attribute: high))
        map(x, r, n) { Swift.min(Swift.max($0, lo), hi) }
    default: preconditionFailure("\(op) does not take integers")
    }
}

// MARK: Binary

private func binary(_ op: TileProgram.Binary, _ type: ScalarType, _ x: UnsafeMutableRawPointer,
                    _ y: UnsafeMutableRawPointer, _ r: UnsafeMutableRawPointer, _ n: Int) throws(KernelFailure) {
    switch op {
    case .eq, .ne, .lt, .le, .gt, .ge:
        let out = r.assumingMemoryBound(to: Bool.self)
        switch type {
        case .f32: compare(op, x.assumingMemoryBound(to: Float.self), y.assumingMemoryBound(to: Float.self), out, n)
        case .f64: compare(op, x.assumingMemoryBound(to: Double.self), y.assumingMemoryBound(to: Double.self), out, n)
        case .i32: compare(op, x.assumingMemoryBound(to: Int32.self), y.assumingMemoryBound(to: Int32.self), out, n)
        case .i64: compare(op, x.assumingMemoryBound(to: Int64.self), y.assumingMemoryBound(to: Int64.self), out, n)
        // Bools are stored as 0/1 bytes: comparing the bytes orders false < true, as numpy does.
        case .bool: compare(op, x.assumingMemoryBound(to: UInt8.self), y.assumingMemoryBound(to: UInt8.self), out, n)
        }
    case .and, .or, .xor:
        let a = x.assumingMemoryBound(to: Bool.self), b = y.assumingMemoryBound(to: Bool.self)
        let out = r.assumingMemoryBound(to: Bool.self)
        switch op {
        case .and: for i in 0..<n { out[i] = a[i] && b[i] }
        case .or: for i in 0..<n { out[i] = a[i] || b[i] }
        default: for i in 0..<n { out[i] = a[i] != b[i] }
        }
    default:
        switch type {
        case .f32: floatArithmetic(op, x.assumingMemoryBound(to: Float.self), y.assumingMemoryBound(to: Float.self), r.assumingMemoryBound(to: Float.self), n)
        case .f64: floatArithmetic(op, x.assumingMemoryBound(to: Double.self), y.assumingMemoryBound(to: Double.self), r.assumingMemoryBound(to: Double.self), n)
        case .i32: try integerArithmetic(op, x.assumingMemoryBound(to: Int32.self), y.assumingMemoryBound(to: Int32.self), r.assumingMemoryBound(to: Int32.self), n)
        case .i64: try integerArithmetic(op, x.assumingMemoryBound(to: Int64.self), y.assumingMemoryBound(to: Int64.self), r.assumingMemoryBound(to: Int64.self), n)
        case .bool: throw KernelFailure("\(op) does not take bool")
        }
    }
}

@inline(__always)
private func zipMap<T, R>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ r: UnsafeMutablePointer<R>, _ n: Int,
                          _ f: (T, T) -> R) {
    for i in 0..<n { r[i] = f(x[i], y[i]) }
}

private func compare<T: Comparable>(_ op: TileProgram.Binary, _ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
                                    _ r: UnsafeMutablePointer<Bool>, _ n: Int) {
    switch op {
    case .eq: zipMap(x, y, r, n, ==)
    case .ne: zipMap(x, y, r, n, !=)
    case .lt: zipMap(x, y, r, n, <)
    case .le: zipMap(x, y, r, n, <=)
    case .gt: zipMap(x, y, r, n, >)
    default: zipMap(x, y, r, n, >=)
    }
}

private func floatArithmetic<T: KernelFloat>(_ op: TileProgram.Binary, _ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
                                             _ r: UnsafeMutablePointer<T>, _ n: Int) {
    switch op {
    case .add: zipMap(x, y, r, n, +)
    case .sub: zipMap(x, y, r, n, -)
    case .mul: zipMap(x, y, r, n, *)
    case .div: zipMap(x, y, r, n, /)
    case .pow: zipMap(x, y, r, n, T.pow)
    case .max: zipMap(x, y, r, n, T.larger)
    case .min: zipMap(x, y, r, n, T.smaller)
    default: preconditionFailure("\(op) is not arithmetic")
    }
}

private func integerArithmetic<T: KernelScalar & FixedWidthInteger & SignedInteger>(
    _ op: TileProgram.Binary, _ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
    _ r: UnsafeMutablePointer<T>, _ n: Int) throws(KernelFailure) {
    switch op {
    case .add: zipMap(x, y, r, n, &+)
    case .sub: zipMap(x, y, r, n, &-)
    case .mul: zipMap(x, y, r, n, &*)
    case .max: zipMap(x, y, r, n, Swift.max)
    case .min: zipMap(x, y, r, n, Swift.min)
    case .div:
        for i in 0..<n where y[i] == 0 { _ = i; throw KernelFailure("div: integer division by zero") }
        zipMap(x, y, r, n) { $0.dividedReportingOverflow(by: $1).partialValue }
    case .pow:
        for i in 0..<n where y[i] < 0 { _ = i; throw KernelFailure("pow: integers cannot be raised to negative powers") }
        zipMap(x, y, r, n, integerPower)
    default: preconditionFailure("\(op) is not arithmetic")
    }
}

/// Exponentiation by squaring, wrapping like numpy's integer power.
private func integerPower<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
    var result: T = 1, base = a, exponent = b
    while exponent > 0 {
        if exponent & 1 == 1 { result = result &* base }
        base = base &* base
        exponent >>= 1
    }
    return result
}

// MARK: Select and cast

private func select(_ size: Int, _ c: UnsafeMutableRawPointer, _ x: UnsafeMutableRawPointer, _ y: UnsafeMutableRawPointer,
                    _ r: UnsafeMutableRawPointer, _ n: Int) {
    func run<E>(_: E.Type) {
        let cond = c.assumingMemoryBound(to: Bool.self)
        let (a, b, out) = (x.assumingMemoryBound(to: E.self), y.assumingMemoryBound(to: E.self), r.assumingMemoryBound(to: E.self))
        for i in 0..<n { out[i] = cond[i] ? a[i] : b[i] }
    }
    switch size {
    case 1: run(UInt8.self)
    case 4: run(UInt32.self)
    default: run(UInt64.self)
    }
}

/// numpy `astype`: floats to ints truncate (NaN 0, saturating), i64 -> i32 wraps, nonzero -> true.
func castElements(_ from: ScalarType, _ to: ScalarType, _ x: UnsafeMutableRawPointer, _ r: UnsafeMutableRawPointer, _ n: Int) {
    switch from {
    case .f32: castFrom(x.assumingMemoryBound(to: Float.self), to, r, n, { Double($0) }, { $0 != 0 })
    case .f64: castFrom(x.assumingMemoryBound(to: Double.self), to, r, n, { $0 }, { $0 != 0 })
    case .i32: castFrom(x.assumingMemoryBound(to: Int32.self), to, r, n, { Double($0) }, { $0 != 0 })
    case .i64: castFrom(x.assumingMemoryBound(to: Int64.self), to, r, n, { Double($0) }, { $0 != 0 })
    case .bool: castFrom(x.assumingMemoryBound(to: Bool.self), to, r, n, { $0 ? 1 : 0 }, { $0 })
    }
}

private func castFrom<S>(_ x: UnsafeMutablePointer<S>, _ to: ScalarType, _ r: UnsafeMutableRawPointer, _ n: Int,
                         _ double: (S) -> Double, _ truth: (S) -> Bool) {
    switch (x, to) {
    case (let a as UnsafeMutablePointer<Int64>, .i32): map(a, r.assumingMemoryBound(to: Int32.self), n) { Int32(truncatingIfNeeded: $0) }
    case (let a as UnsafeMutablePointer<Int32>, .i64): map(a, r.assumingMemoryBound(to: Int64.self), n) { Int64($0) }
    case (let a as UnsafeMutablePointer<Int64>, .i64): map(a, r.assumingMemoryBound(to: Int64.self), n) { $0 }
    case (let a as UnsafeMutablePointer<Int32>, .i32): map(a, r.assumingMemoryBound(to: Int32.self), n) { $0 }
    case (let a as UnsafeMutablePointer<Float>, .f32): map(a, r.assumingMemoryBound(to: Float.self), n) { $0 }
    // Straight from Int64: going through Double would round twice beyond 2^53.
    case (let a as UnsafeMutablePointer<Int64>, .f32): map(a, r.assumingMemoryBound(to: Float.self), n) { Float($0) }
    case (_, .f32): map(x, r.assumingMemoryBound(to: Float.self), n) { Float(double($0)) }
    case (_, .f64): map(x, r.assumingMemoryBound(to: Double.self), n) { double($0) }
    case (_, .i32): map(x, r.assumingMemoryBound(to: Int32.self), n) { saturating(double($0).rounded(.towardZero)) }
    case (_, .i64): map(x, r.assumingMemoryBound(to: Int64.self), n) { saturating(double($0).rounded(.towardZero)) }
    case (_, .bool): map(x, r.assumingMemoryBound(to: Bool.self), n) { truth($0) }
    }
}
