import Foundation

/// Axis ticks at round numbers (1, 2 or 5 times a power of ten) covering a range: Heckbert's
/// "nice numbers" (Graphics Gems, 1990), as most plotting libraries do it. Never traps: a
/// range it cannot divide (empty, or wider than a Double can hold) gets no ticks.
struct NiceScale: Equatable {
    /// The axis' ends, widened to whole steps.
    var lower: Double
    var upper: Double
    /// The distance between ticks.
    var step: Double

    /// A scale covering `low...high` with about `ticks` ticks.
    init(low: Double, high: Double, ticks: Int = 5) {
        let range = Self.nice(high - low, rounding: false)
        step = Self.nice(range / Double(max(ticks - 1, 1)), rounding: true)
        lower = (low / step).rounded(.down) * step
        upper = (high / step).rounded(.up) * step
        if ![step, lower, upper].allSatisfy(\.isFinite) || !(step > 0) {
            (lower, upper, step) = (low, high, .nan)
        }
    }

    /// The tick values from `lower` to `upper`, computed as whole multiples of `step`.
    var ticks: [Double] {
        let (first, last) = ((lower / step).rounded(), (upper / step).rounded())
        guard first.isFinite, last.isFinite, first <= last, last - first <= 1000 else { return [] }
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// Decimals that show every tick exactly (0 for steps of 1 and more).
    var decimals: Int {
        let digits = -log10(step).rounded(.down)
        return digits.isFinite ? Int(min(max(digits, 0), 20)) : 0
    }

    /// A round number near `value`: rounded to the nearest of 1, 2, 5, 10 (times a power of
    /// ten), or the next one up when not `rounding`.
    static func nice(_ value: Double, rounding: Bool) -> Double {
        let exponent = log10(value).rounded(.down)
        let fraction = value / pow(10, exponent)
        let niceFraction: Double
        if rounding {
            niceFraction = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        } else {
            niceFraction = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        }
        return niceFraction * pow(10, exponent)
    }
}
