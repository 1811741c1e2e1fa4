import Foundation
import Testing
@testable import LeptonKernels

/// The SIMD16 transcendentals (VectorMath.swift) against libm in Double, rounded to Float:
/// dense sweeps over each function's interesting range, every tail length, and the special
/// values (±0, ±inf, NaN, overflow and subnormal results).
@Suite struct VectorMathTests {
    /// Runs `f` over `xs` through the array entry point (so tails are exercised too).
    static func apply(_ f: VectorFunction, _ xs: [Float]) -> [Float] {
        var out = [Float](repeating: .nan, count: xs.count)
        xs.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { r in vectorApply(f, x.baseAddress!, r.baseAddress!, xs.count) }
        }
        return out
    }

    /// Evenly spaced points over [low, high], plus the same number of random ones.
    static func sweep(_ low: Float, _ high: Float, count: Int = 200_003) -> [Float] {
        var random = SystemRandomNumberGenerator()
        let step = (high - low) / Float(count - 1)
        return (0..<count).map { low + Float($0) * step } + (0..<count).map { _ in Float.random(in: low...high, using: &random) }
    }

    /// Worst error against `truth` (in Double): |y − t| ≤ relative·|t| + absolute must hold.
    static func check(_ f: VectorFunction, _ xs: [Float], relative: Double, absolute: Double = 0,
                      _ truth: (Double) -> Double) {
        let ys = apply(f, xs)
        var worst = 0.0, worstX: Float = 0
        for (x, y) in zip(xs, ys) {
            let t = truth(Double(x))
            if t.isNaN {
                #expect(y.isNaN, "\(f)(\(x)) = \(y), expected NaN")
                continue
            }
            if t.isInfinite || Float(t).isInfinite {
                #expect(y == Float(t), "\(f)(\(x)) = \(y), expected \(Float(t))")
                continue
            }
            let excess = abs(Double(y) - t) - absolute
            let ratio = excess <= 0 ? 0 : excess / max(abs(t), 1e-300)
            if ratio > worst { (worst, worstX) = (ratio, x) }
        }
        #expect(worst <= relative, "\(f): relative error \(worst) at x = \(worstX)")
    }

    static let specials: [Float] = [0, -0.0, .infinity, -.infinity, .nan, 1, -1, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                    .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, -1e-30]

    @Test func exp() {
        Self.check(.exp, Self.sweep(-110, 90) + Self.sweep(-1, 1) + Self.specials, relative: 2.4e-7, absolute: 1e-45) { Foundation.exp($0) }
    }

    @Test func log() {
        let positives = Self.sweep(0, 4) + Self.sweep(0, 1e-3) + (0..<2000).map { Float(sign: .plus, exponent: $0 % 254 - 126, significand: 1 + Float($0) / 2000) }
        let subnormals = (1..<500).map { Float.leastNonzeroMagnitude * Float($0 * 997) }
        Self.check(.log, positives + subnormals + [-1, -0.5] + Self.specials, relative: 2.4e-7, absolute: 1e-37) { Foundation.log($0) }
    }

    @Test func tanh() {
        Self.check(.tanh, Self.sweep(-12, 12) + Self.sweep(-0.7, 0.7) + Self.specials, relative: 3.6e-7, absolute: 1e-45) { Foundation.tanh($0) }
    }

    @Test func sigmoid() {
        Self.check(.sigmoid, Self.sweep(-110, 30) + Self.sweep(-2, 2) + Self.specials, relative: 3.6e-7, absolute: 1e-45) {
            $0.isNaN ? .nan : 1 / (1 + Foundation.exp(-$0))
        }
    }

    @Test func erf() {
        // Eigen's rational approximation: ~2e-7 absolute, a few ulp relative near 0.
        Self.check(.erf, Self.sweep(-5, 5) + Self.sweep(-1e-3, 1e-3) + Self.specials, relative: 1e-6, absolute: 3e-7) { Foundation.erf($0) }
    }

    @Test func softplus() {
        Self.check(.softplus, Self.sweep(-100, 100) + Self.sweep(-3, 3) + Self.specials, relative: 4e-7, absolute: 1e-45) { x in
            x.isNaN ? .nan : max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x)))
        }
    }

    @Test func gelu() {
        Self.check(.geluExact, Self.sweep(-10, 10) + Self.specials.filter { $0.isFinite }, relative: 1e-6, absolute: 2e-6) {
            // erf's ~2e-7 absolute error, times |x| ≤ 10 / 2, where 1 + erf cancels.
            0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot()))
        }
        Self.check(.geluTanh, Self.sweep(-10, 10) + Self.specials.filter { $0.isFinite }, relative: 1e-6, absolute: 1e-7) {
            0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0)))
        }
    }

    /// Signs and exact values that a polynomial could get wrong.
    @Test func exactValues() {
        let out = Self.apply(.tanh, [0, -0.0, 1e-30, -1e-30])
        #expect(out[0] == 0 && out[0].sign == .plus && out[1] == 0 && out[1].sign == .minus)
        #expect(out[2] == 1e-30 && out[3] == -1e-30)
        #expect(Self.apply(.exp, [0]) == [1])
        #expect(Self.apply(.log, [1]) == [0])
        #expect(Self.apply(.sigmoid, [0]) == [0.5])
        #expect(Self.apply(.erf, [0, 10, -10]) == [0, 1, -1])
    }

    /// Every tail length gives the same value as the full vector, and the scalar twin agrees.
    @Test func tailsMatchFullVectors() {
        let xs: [Float] = (0..<37).map { Float($0) * 0.37 - 6 }
        for f in [VectorFunction.exp, .log, .tanh, .sigmoid, .erf, .softplus, .geluExact, .geluTanh] {
            let full = Self.apply(f, xs)
            for n in 0...xs.count {
                let part = Self.apply(f, Array(xs[..<n]))
                #expect(part.elementsEqual(full[..<n]) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(f) with \(n) elements")
            }
            for (x, y) in zip(xs, full) { #expect(vectorScalar(f, x) == y || y.isNaN) }
        }
    }
}
