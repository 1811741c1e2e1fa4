import Foundation

extension LossPlot {
    /// Where things go: the plot area inside the margins, and the data ranges mapped onto it.
    struct Frame {
        static let (width, height) = (640, 360)
        static let (left, right, top, bottom) = (72, 16, 40, 48)
        static let plotWidth = width - left - right
        static let plotHeight = height - top - bottom

        /// x: epochs. 1...count, or 0...2 around a single epoch.
        let x: NiceScale
        /// y: the finite values' range, widened to round ticks.
        let y: NiceScale

        init(series: [(name: String, values: [Double])]) {
            let epochs = series.map(\.values.count).max() ?? 0
            var xScale = NiceScale(low: 1, high: Double(max(epochs, 2)), ticks: 6)
            xScale.step = max(xScale.step, 1)  // epochs are whole
            if epochs <= 1 {
                (xScale.lower, xScale.upper) = (0, 2)
            } else {
                (xScale.lower, xScale.upper) = (1, Double(epochs))
            }
            x = xScale
            let finite = series.flatMap(\.values).filter(\.isFinite)
            var (low, high) = (finite.min() ?? 0, finite.max() ?? 1)
            if low == high {
                let pad = low == 0 ? 1 : abs(low) * 0.1
                (low, high) = (low - pad, high + pad)
            }
            y = NiceScale(low: low, high: high)
        }

        /// Pixel position of `value` at `epoch`.
        func point(epoch: Int, value: Double) -> (x: Double, y: Double) {
            let fx = (Double(epoch) - x.lower) / (x.upper - x.lower)
            let fy = (value - y.lower) / (y.upper - y.lower)
            return (Double(Self.left) + fx * Double(Self.plotWidth), Double(Self.top) + (1 - fy) * Double(Self.plotHeight))
        }

        /// Grid lines, tick labels, the axes and their labels.
        func axes(yLabel: String) -> String {
            let (left, top, right, bottom) = (Double(Self.left), Double(Self.top),
                                              Double(Self.left + Self.plotWidth), Double(Self.top + Self.plotHeight))
            var grid = "", labels = ""
            for value in y.ticks {
                let py = coordinate(point(epoch: 0, value: value).y)
                grid += "<line x1=\"\(coordinate(left))\" y1=\"\(py)\" x2=\"\(coordinate(right))\" y2=\"\(py)\"/>\n"
                labels += "<text x=\"\(coordinate(left - 6))\" y=\"\(py)\" text-anchor=\"end\" dominant-baseline=\"middle\">"
                    + String(format: "%.*f", y.decimals, value) + "</text>\n"
            }
            for value in x.ticks where value >= x.lower && value <= x.upper && value.rounded() == value {
                let px = coordinate(point(epoch: Int(value), value: y.lower).x)
                grid += "<line x1=\"\(px)\" y1=\"\(coordinate(top))\" x2=\"\(px)\" y2=\"\(coordinate(bottom))\"/>\n"
                labels += "<text x=\"\(px)\" y=\"\(coordinate(bottom + 18))\" text-anchor=\"middle\">\(Int(value))</text>\n"
            }
            let middle = coordinate((top + bottom) / 2)
            return "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n\(grid)</g>\n"
                + "<g class=\"ticks\" fill=\"#333333\">\n\(labels)</g>\n"
                + "<path class=\"axes\" d=\"M\(coordinate(left)),\(coordinate(top)) V\(coordinate(bottom)) H\(coordinate(right))\" "
                + "fill=\"none\" stroke=\"#333333\" stroke-width=\"1\"/>\n"
                + "<text x=\"\(coordinate((left + right) / 2))\" y=\"\(Self.height - 8)\" text-anchor=\"middle\">epoch</text>\n"
                + "<text x=\"16\" y=\"\(middle)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(middle))\">\(escaped(yLabel))</text>\n"
        }
    }
}
