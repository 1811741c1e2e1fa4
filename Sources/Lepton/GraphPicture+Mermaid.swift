/// A `GraphPicture` as a Mermaid flowchart, the text GitHub and many editors draw from a
/// ```` ```mermaid ```` block:
///
///     flowchart TB
///       in0(["x<br>f32[N, 784]"]):::input
///       subgraph n0 ["fused"]
///         n0_0["linear<br>f32[N, 512]<br>param w0: f32[784, 512]"]
///         ...
///       end
///       in0 --> n0_0
///
/// Every label is a quoted string (`["…"]`) so brackets, parentheses and the like need no
/// escaping; what Mermaid would still read as markup is written as its `#…;` entity codes.
extension GraphPicture {
    public var mermaid: String {
        var lines = ["flowchart TB"]
        lines += items.flatMap { Self.mermaidLines(of: $0, indent: "  ") }
        lines += edges.map { edge in
            let label = edge.label.map { "|\"\(Self.mermaidEscaped($0))\"|" } ?? ""
            return "  \(edge.from) -->\(label) \(edge.to)"
        }
        // Light fills with dark text stay readable in GitHub's light and dark themes alike.
        lines.append("  classDef input fill:#e3f2fd,stroke:#1e88e5,color:#0d47a1")
        lines.append("  classDef output fill:#e8f5e9,stroke:#43a047,color:#1b5e20")
        lines.append("  classDef fused fill:#fff8e1,stroke:#f9a825,color:#5d4037")
        let fused = clusters.map(\.id)
        if !fused.isEmpty { lines.append("  class \(fused.joined(separator: ",")) fused") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func mermaidLines(of item: Item, indent: String) -> [String] {
        switch item {
        case .box(let box):
            let label = "\"\(box.lines.map(mermaidEscaped).joined(separator: "<br>"))\""
            switch box.kind {
            case .input: return ["\(indent)\(box.id)([\(label)]):::input"]
            case .output: return ["\(indent)\(box.id)([\(label)]):::output"]
            case .op: return ["\(indent)\(box.id)[\(label)]"]
            }
        case .cluster(let cluster):
            return ["\(indent)subgraph \(cluster.id) [\"\(mermaidEscaped(cluster.title))\"]"]
                + cluster.items.flatMap { mermaidLines(of: $0, indent: indent + "  ") }
                + ["\(indent)end"]
        }
    }

    /// Text safe inside a quoted Mermaid label. Mermaid turns `#name;` / `#123;` into HTML
    /// entities before drawing labels as HTML, so: `"` ends the string; `<`, `>` and `&` are
    /// HTML; `#` could start an entity; a leading backtick makes a markdown string; `%%{`
    /// starts a directive anywhere in the text; control characters break the line; and a line
    /// holding `direction` and a space is taken for a direction statement, whatever else is on it.
    static func mermaidEscaped(_ text: String) -> String {
        var result = ""
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "#quot;"
            case "<": result += "#lt;"
            case ">": result += "#gt;"
            case "&": result += "#amp;"
            case "#": result += "#35;"
            case "`": result += "#96;"
            case "%" where previous == "%": result += "#37;"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += "#\(scalar.value);"
            case _ where scalar.properties.isWhitespace && result.lowercased().hasSuffix("direction"):
                let word = result.suffix("direction".count)
                let first = word.unicodeScalars.first.map { "#\($0.value);" } ?? ""
                result = result.dropLast(word.count) + first + word.dropFirst() + String(scalar)
            default: result.unicodeScalars.append(scalar)
            }
            previous = scalar
        }
        return result
    }
}
