/// A `GraphPicture` as Graphviz DOT, for `dot -Tsvg` (or -Tpng, …) to lay out:
///
///     digraph "mlp" {
///       in0 [label="x\nf32[N, 784]", shape=oval, fillcolor="#e3f2fd", color="#1e88e5"];
///       subgraph cluster_n0 {
///         label="fused"; …
///         n0_0 [label="linear\nf32[N, 512]\nparam w0: f32[784, 512]"];
///       }
///       in0 -> n0_0;
///     }
///
/// Fused kernels are `cluster_` subgraphs, which dot draws as frames around their ops.
extension GraphPicture {
    public var dot: String {
        var lines = [
            "digraph \(Self.dotQuoted(title)) {",
            "  graph [fontname=\"Helvetica\", fontsize=11];",
            "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
        ]
        lines += items.flatMap { Self.dotLines(of: $0, indent: "  ") }
        lines += edges.map { edge in
            "  \(edge.from) -> \(edge.to)" + (edge.label.map { " [label=\(Self.dotQuoted($0))]" } ?? "") + ";"
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func dotLines(of item: Item, indent: String) -> [String] {
        switch item {
        case .box(let box):
            let label = "label=" + dotQuoted(box.lines.joined(separator: "\n"))
            let style = switch box.kind {
            case .input: ", shape=oval, fillcolor=\"#e3f2fd\", color=\"#1e88e5\""
            case .output: ", shape=oval, fillcolor=\"#e8f5e9\", color=\"#43a047\""
            case .op: ""
            }
            return ["\(indent)\(box.id) [\(label)\(style)];"]
        case .cluster(let cluster):
            let inner = indent + "  "
            return ["\(indent)subgraph cluster_\(cluster.id) {",
                    "\(inner)label=\(dotQuoted(cluster.title)); style=\"rounded,filled,dashed\"; fillcolor=\"#fff8e1\"; color=\"#f9a825\";"]
                + cluster.items.flatMap { dotLines(of: $0, indent: inner) }
                + ["\(indent)}"]
        }
    }

    /// A DOT quoted string whose text draws as given. Inside quotes DOT reads `\"` and, in
    /// labels, backslash escapes (`\n` a line break, `\N` the node's name, …), so `"` and `\`
    /// are escaped; newlines become `\n`. Graphviz also decodes HTML entities in labels, so
    /// `&`, `<` and `>` are written as entities (a name like `&lt;` must not turn into `<`).
    static func dotQuoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: result += "&#\(scalar.value);"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
