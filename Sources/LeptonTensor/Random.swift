import Foundation

/// Reproducible random numbers for parameter initializers, specified exactly (spec/language.md)
/// so that other implementations — the numpy golden generator in Tools/ — give the same weights.
///
/// The generator is SplitMix64: the i-th draw (i from 0) is `mix(seed &+ (i + 1) &* gamma)`.
public struct SplitMix64: Sendable {
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= Self.gamma
        return Self.mix(state)
    }

    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1): the top 53 bits of one draw.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// `count` draws from U(low, high).
    public mutating func uniform(count: Int, low: Double, high: Double) -> [Double] {
        (0..<count).map { _ in low + (high - low) * nextUnit() }
    }

    /// `count` draws from N(mean, std): Box–Muller, two uniforms per value, cosine branch only.
    public mutating func normal(count: Int, mean: Double, std: Double) -> [Double] {
        (0..<count).map { _ in
            let u1 = 1.0 - nextUnit()  // (0, 1]: log stays finite
            let u2 = nextUnit()
            return mean + std * (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
        }
    }
}

/// FNV-1a, 64-bit, over the UTF-8 bytes: how a parameter's name enters its seed.
public func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01B3
    }
    return hash
}
