import Foundation
import Lepton

/// The few lines `lepton run` prints per output: name and type, leading values, statistics.
enum TensorSummary {
    static let shownValues = 6

    static func describe(name: String, _ tensor: Tensor) -> String {
        let type = "\(name): \(tensor.dtype)[\(tensor.shape.map(String.init).joined(separator: ", "))]"
        guard tensor.count > 0 else { return "\(type)\n  (empty)" }
        let values = tensor.doubles
        let shown = values.prefix(shownValues).map { format($0, tensor.dtype) }
        let more = values.count > shownValues ? ", …" : ""
        return "\(type)\n  [\(shown.joined(separator: ", "))\(more)]\n  \(statistics(values, tensor.dtype))"
    }

    /// min, max and mean over the non-NaN values, noting how many NaNs there were.
    static func statistics(_ values: [Double], _ dtype: DType) -> String {
        let finite = values.filter { !$0.isNaN }
        let nanNote = finite.count < values.count ? "  (\(values.count - finite.count) nan)" : ""
        guard let low = finite.min(), let high = finite.max() else { return "all nan" }
        let mean = finite.reduce(0, +) / Double(finite.count)
        return "min \(format(low, dtype))  max \(format(high, dtype))  mean \(format(mean, .f64))\(nanNote)"
    }

    static func format(_ value: Double, _ dtype: DType) -> String {
        switch dtype {
        case .bool: return value != 0 ? "true" : "false"
        case .i32, .i64: return String(Int64(value))
        case .f32, .f64: return String(format: "%.6g", value)
        }
    }
}
