/// Vectorized f32 transcendentals on `SIMD16<Float>`: exp, log, tanh, sigmoid, erf and the
/// activations built on them (gelu, softplus). libm's scalar `expf`/`tanhf`/`erff` calls were
/// 12–30% of the transformer and LSTM profiles; these run 16 lanes per call in a few ulp.
///
/// Each function is range reduction + a minimax polynomial (Cephes expf/logf/tanhf, Eigen's
/// rational erf), evaluated branch-free on all lanes with special values (±inf, NaN, −0,
/// overflow, subnormal results) fixed up by lane selects. Without FMA contraction Swift
/// evaluates every expression exactly as written, so the round-to-nearest trick
/// (x + 1.5·2²³ − 1.5·2²³) is reliable.
///
/// Array loops (`vectorMap`) run the vector code on a zero-padded copy for the tail too, so an
/// element's result never depends on where it sits in a buffer: tiles, rows and thread splits
/// cannot change a bit. These live in LeptonKernels, built with -march=native; the entry
/// points other modules call are non-inlinable so that they never get specialized elsewhere
/// without AVX-512.

typealias F32x16 = SIMD16<Float>
typealias I32x16 = SIMD16<Int32>

@inline(__always) func laneBits(_ v: F32x16) -> I32x16 { unsafeBitCast(v, to: I32x16.self) }
@inline(__always) func laneFloats(_ v: I32x16) -> F32x16 { unsafeBitCast(v, to: F32x16.self) }

/// v limited to [low, high] by lane selects (NaN stays NaN). The stdlib's `clamped` and
/// `pointwiseMin` are not inlined: each was a generic call per vector (20% of a profile).
@_transparent func clamp(_ v: F32x16, _ low: Float, _ high: Float) -> F32x16 {
    let raised = v.replacing(with: low, where: v .< low)
    return raised.replacing(with: high, where: raised .> high)
}

/// a·b + c with one rounding (vfmadd): shorter and at least as accurate as mul then add.
@_transparent func fma(_ a: F32x16, _ b: F32x16, _ c: Float) -> F32x16 { F32x16(repeating: c).addingProduct(a, b) }

/// Round to nearest (|v| < 2²²): adding and removing 1.5·2²³ drops the fraction bits.
private let roundingMagic: Float = 12_582_912

/// e^x. Cephes expf: n = round(x·log₂e), r = x − n·ln2 (in two parts), e^r by a degree-6
/// polynomial, then ·2ⁿ applied in two halves so that subnormal results and n = 128 work.
@_transparent func vexp(_ x: F32x16) -> F32x16 {
    let clamped = clamp(x, -104, 89)
    let shifted = clamped * 1.442_695_04 + roundingMagic
    let n = shifted - roundingMagic
    let ni = laneBits(shifted) &- laneBits(F32x16(repeating: roundingMagic))
    var r = clamped - n * 0.693_359_375
    r = r - n * -2.121_944_40e-4
    var p = F32x16(repeating: 1.987_569_150_0e-4)
    p = fma(p, r, 1.398_199_950_7e-3)
    p = fma(p, r, 8.333_451_907_3e-3)
    p = fma(p, r, 4.166_579_589_4e-2)
    p = fma(p, r, 1.666_666_545_9e-1)
    p = fma(p, r, 5.000_000_120_1e-1)
    let y = p * (r * r) + r + 1
    let half = ni &>> 1, rest = ni &- half
    var result = y * laneFloats((half &+ 127) &<< 23) * laneFloats((rest &+ 127) &<< 23)
    result.replace(with: F32x16(repeating: .infinity), where: x .> 88.722_839)
    result.replace(with: F32x16(), where: x .< -103.972_08)
    result.replace(with: x, where: x .!= x)
    return result
}

/// ln x. Cephes logf: x = m·2ᵉ with m in [√½, √2), ln(m) by a degree-9 polynomial in m − 1.
@_transparent func vlog(_ x: F32x16) -> F32x16 {
    // Subnormals: scale into the normal range first.
    let tiny = x .< Float.leastNormalMagnitude
    let scaled = x.replacing(with: x * 8_388_608, where: tiny)
    let b = laneBits(scaled)
    var e = (b &>> 23) &- 126
    e.replace(with: e &- 23, where: tiny)
    var m = laneFloats((b & 0x007F_FFFF) | 0x3F00_0000)    // [0.5, 1)
    let low = m .< 0.707_106_781_186_547_524
    e.replace(with: e &- 1, where: low)
    m = m.replacing(with: m + m, where: low) - 1
    let ef = laneFloats(e &+ laneBits(F32x16(repeating: roundingMagic))) - roundingMagic    // Float(e), no generic call
    let z = m * m
    var p = F32x16(repeating: 7.037_683_629_2e-2)
    p = fma(p, m, -1.151_461_031_0e-1)
    p = fma(p, m, 1.167_699_874_0e-1)
    p = fma(p, m, -1.242_014_084_6e-1)
    p = fma(p, m, 1.424_932_278_7e-1)
    p = fma(p, m, -1.666_805_766_5e-1)
    p = fma(p, m, 2.000_071_476_5e-1)
    p = fma(p, m, -2.499_999_399_3e-1)
    p = fma(p, m, 3.333_333_117_4e-1)
    var y = p * m * z
    y = y + ef * -2.121_944_40e-4
    y = y - 0.5 * z
    var result = m + y + ef * 0.693_359_375
    result.replace(with: F32x16(repeating: -.infinity), where: x .== 0)
    result.replace(with: F32x16(repeating: .infinity), where: x .== .infinity)
    result.replace(with: F32x16(repeating: .nan), where: x .< 0)
    result.replace(with: x, where: x .!= x)
    return result
}

/// tanh x. Cephes tanhf on |x|: an odd polynomial below 0.625, else 1 − 2/(e^{2|x|} + 1)
/// (e^{2|x|} = inf gives exactly 1); then x's sign bit is put back (so tanh(−0) = −0).
@_transparent func vtanh(_ x: F32x16) -> F32x16 {
    let sign = laneBits(x) & I32x16(repeating: Int32(bitPattern: 0x8000_0000))
    let a = laneFloats(laneBits(x) & 0x7FFF_FFFF)
    let large = 1 - 2 / (vexp(a + a) + 1)
    let z = a * a
    var p = F32x16(repeating: -5.704_988_727_45e-3)
    p = fma(p, z, 2.063_908_879_54e-2)
    p = fma(p, z, -5.373_971_555_31e-2)
    p = fma(p, z, 1.333_144_220_36e-1)
    p = fma(p, z, -3.333_328_194_22e-1)
    let small = a + a * z * p
    return laneFloats(laneBits(large.replacing(with: small, where: a .< 0.625)) | sign)
}

/// 1 / (1 + e^−x) from e = e^−|x| (never overflows): 1/(1+e) for x ≥ 0, e/(1+e) below.
@_transparent func vsigmoid(_ x: F32x16) -> F32x16 {
    let negative = -laneFloats(laneBits(x) & 0x7FFF_FFFF)
    let e = vexp(negative)
    let q = 1 / (1 + e)
    return q.replacing(with: e * q, where: x .< 0)
}

/// erf x: Eigen's rational approximation x·P(x²)/Q(x²) on [−4, 4] (±1 in f32 beyond),
/// within ~2e-7 absolute and accurate relative near 0.
@_transparent func verf(_ x: F32x16) -> F32x16 {
    let c = clamp(x, -4, 4)
    let z = c * c
    var p = F32x16(repeating: -2.726_142_258_013_06e-10)
    p = fma(p, z, 2.770_681_424_959_02e-08)
    p = fma(p, z, -2.101_024_020_825_08e-06)
    p = fma(p, z, -5.692_506_394_623_46e-05)
    p = fma(p, z, -7.349_906_303_268_55e-04)
    p = fma(p, z, -2.954_599_808_540_25e-03)
    p = fma(p, z, -1.609_603_332_624_15e-02)
    var q = F32x16(repeating: -1.456_607_184_649_96e-05)
    q = fma(q, z, -2.133_740_552_789_05e-04)
    q = fma(q, z, -1.682_826_974_382_03e-03)
    q = fma(q, z, -7.373_329_167_204_68e-03)
    q = fma(q, z, -1.426_473_905_141_89e-02)
    var result = clamp(c * p / q, -1, 1)
    result.replace(with: x, where: x .!= x)
    return result
}

/// ln(1 + u) for u ≥ 0, with the rounding of 1 + u corrected (Goldberg's trick).
@_transparent func vlog1p(_ u: F32x16) -> F32x16 {
    let w = 1 + u
    let corrected = vlog(w) - ((w - 1) - u) / w
    return corrected.replacing(with: u, where: w .== 1)
}

/// max(x, 0) + ln(1 + e^−|x|): never overflows.
@_transparent func vsoftplus(_ x: F32x16) -> F32x16 {
    let magnitude = laneFloats(laneBits(x) & 0x7FFF_FFFF)
    let result = x.replacing(with: 0, where: x .< 0) + vlog1p(vexp(-magnitude))
    return result.replacing(with: x, where: x .!= x)
}

@_transparent func vgeluExact(_ x: F32x16) -> F32x16 { 0.5 * x * (1 + verf(x * 0.707_106_781_186_547_524_4)) }

@_transparent func vgeluTanh(_ x: F32x16) -> F32x16 {
    0.5 * x * (1 + vtanh(0.797_884_560_802_865_4 * (x + 0.044715 * x * x * x)))
}

// MARK: Array loops

/// A lane-wise function for `vectorMap`: a type per function (not a closure), so each map is
/// its own small specialized loop in which the function and the vector loads inline (a
/// closure parameter, or one big switch over all ops, kept the calls and passed the vectors
/// in xmm quarters).
protocol LaneMap { func apply(_ v: F32x16) -> F32x16 }

struct ExpLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { vexp(v) } }
struct LogLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { vlog(v) } }
struct TanhLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { vtanh(v) } }
struct SigmoidLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { vsigmoid(v) } }
struct ErfLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { verf(v) } }
struct SoftplusLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { vsoftplus(v) } }
struct GeluExactLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { vgeluExact(v) } }
struct GeluTanhLanes: LaneMap { @_transparent func apply(_ v: F32x16) -> F32x16 { vgeluTanh(v) } }

/// 16 floats from p (any alignment).
@inline(__always) func loadF32x16(_ p: UnsafePointer<Float>) -> F32x16 { UnsafeRawPointer(p).loadUnaligned(as: F32x16.self) }
/// 16 floats to p (any alignment).
@inline(__always) func storeF32x16(_ v: F32x16, _ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: v, as: F32x16.self) }

/// r[i] = f(x[i]) for i in 0..<n, 16 lanes at a time; the tail runs on a zero-padded vector.
@inline(never) func vectorMap<F: LaneMap>(_ f: F, _ x: UnsafePointer<Float>, _ r: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    while i + 16 <= n {
        storeF32x16(f.apply(loadF32x16(x + i)), r + i)
        i += 16
    }
    guard i < n else { return }
    var tail = F32x16()
    for j in i..<n { tail[j - i] = x[j] }
    let y = f.apply(tail)
    for j in i..<n { r[j] = y[j - i] }
}

/// The f32 functions with vector implementations, for the entry points below.
public enum VectorFunction: Hashable, Sendable {
    case exp, log, tanh, sigmoid, erf, softplus, geluExact, geluTanh
}

/// r[i] = f(x[i]) over n floats (r may alias x exactly).
public func vectorApply(_ f: VectorFunction, _ x: UnsafePointer<Float>, _ r: UnsafeMutablePointer<Float>, _ n: Int) {
    switch f {
    case .exp: vectorMap(ExpLanes(), x, r, n)
    case .log: vectorMap(LogLanes(), x, r, n)
    case .tanh: vectorMap(TanhLanes(), x, r, n)
    case .sigmoid: vectorMap(SigmoidLanes(), x, r, n)
    case .erf: vectorMap(ErfLanes(), x, r, n)
    case .softplus: vectorMap(SoftplusLanes(), x, r, n)
    case .geluExact: vectorMap(GeluExactLanes(), x, r, n)
    case .geluTanh: vectorMap(GeluTanhLanes(), x, r, n)
    }
}

/// One value through the vector code (lane 0): the scalar twin of `vectorApply`, so scalar
/// loops (recurrent gates) give bit-identical results to the array path.
public func vectorScalar(_ f: VectorFunction, _ x: Float) -> Float {
    var v = F32x16()
    v[0] = x
    let y: F32x16 = switch f {
    case .exp: vexp(v)
    case .log: vlog(v)
    case .tanh: vtanh(v)
    case .sigmoid: vsigmoid(v)
    case .erf: verf(v)
    case .softplus: vsoftplus(v)
    case .geluExact: vgeluExact(v)
    case .geluTanh: vgeluTanh(v)
    }
    return y[0]
}
