import Foundation

/// A small line chart of per-epoch values as standalone SVG (`--plot loss.svg`), written by
/// hand so it needs nothing but a browser to view: axes with a few round ticks, grid lines, a
/// legend, and one polyline per series. Epochs run along x from 1; points that are NaN or
/// infinite are skipped; a single point is drawn as a dot, all-equal values get a y range
/// around them.
public enum LossPlot {
    /// The chart for `series` (each value is one epoch, the first epoch 1), with `title` above
    /// and `yLabel` along the y axis.
    public static func svg(series: [(name: String, values: [Double])], title: String, yLabel: String) -> String {
        let frame = Frame(series: series)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Frame.width)" height="\(Frame.height)" \
            viewBox="0 0 \(Frame.width) \(Frame.height)" font-family="sans-serif" font-size="12">
            <rect width="\(Frame.width)" height="\(Frame.height)" fill="white"/>
            <text x="\(Frame.width / 2)" y="24" text-anchor="middle" font-size="16">\(escaped(title))</text>

            """
        svg += frame.axes(yLabel: yLabel)
        for (index, (name, values)) in series.enumerated() {
            let color = palette[index % palette.count]
            let points = values.enumerated().filter { $0.element.isFinite }.map { frame.point(epoch: $0.offset + 1, value: $0.element) }
            let text = points.map { "\(coordinate($0.x)),\(coordinate($0.y))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(text)\"><title>\(escaped(name))</title></polyline>\n"
            if points.count == 1, let only = points.first {
                svg += "<circle cx=\"\(coordinate(only.x))\" cy=\"\(coordinate(only.y))\" r=\"3\" fill=\"\(color)\"/>\n"
            }
        }
        svg += legend(series.map(\.name))
        return svg + "</svg>\n"
    }
}

extension LossPlot {
    /// Series colours (matplotlib's first ten), reused in order.
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// Text made safe for XML content and attribute values.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }

    static func coordinate(_ value: Double) -> String {
        String(format: "%.1f", value)
    }

    /// The legend in the plot's top right corner: a short line in each series' colour and its name.
    static func legend(_ names: [String]) -> String {
        guard !names.isEmpty else { return "" }
        let longest = names.map(\.count).max() ?? 0
        let width = 34 + 7 * longest
        let x = Frame.left + Frame.plotWidth - width - 8
        var svg = "<g class=\"legend\">\n<rect x=\"\(x)\" y=\"\(Frame.top + 8)\" width=\"\(width)\" height=\"\(8 + 18 * names.count)\" "
            + "fill=\"white\" fill-opacity=\"0.9\" stroke=\"#bbbbbb\"/>\n"
        for (index, name) in names.enumerated() {
            let y = Frame.top + 8 + 16 + 18 * index
            svg += "<line x1=\"\(x + 8)\" y1=\"\(y - 4)\" x2=\"\(x + 26)\" y2=\"\(y - 4)\" stroke=\"\(palette[index % palette.count])\" stroke-width=\"2\"/>\n"
            svg += "<text x=\"\(x + 30)\" y=\"\(y)\">\(escaped(name))</text>\n"
        }
        return svg + "</g>\n"
    }
}
