import Foundation
import Lepton
import Testing

/// The picture goldens and what they are drawn from. Each file under `Fixtures/viz/` is named
/// `<source>-<what>.<format>`: `small-O0.mmd` is `small.graph` as written in Mermaid,
/// `small-O2.dot` the same graph at -O2 in DOT, `awkward.mmd` the graph `awkwardGraph` builds.
/// `UPDATE_GOLDEN=1 swift test --filter Viz` rewrites them from the current output.
enum VizGoldens {
    static let directory = TestPaths.fixtures("viz")
    static let files = ["small-O0.mmd", "small-O0.dot", "small-O2.mmd", "small-O2.dot", "awkward.mmd", "awkward.dot"]

    /// The text `file` should hold.
    static func render(_ file: String) throws -> String {
        let url = URL(fileURLWithPath: file)
        let stem = url.deletingPathExtension().lastPathComponent
        let graph: Graph
        if stem == "awkward" {
            graph = awkwardGraph
        } else {
            let parts = stem.split(separator: "-")
            let level = try #require(parts.count == 2 ? Int(parts[1].dropFirst()) : nil, "golden '\(file)' is not <source>-O<level>")
            let model = try Model.load(contentsOf: directory.appendingPathComponent("\(parts[0]).graph").path)
            graph = try model.optimized(level: level).graph
        }
        let picture = GraphPicture(graph)
        return url.pathExtension == "dot" ? picture.dot : picture.mermaid
    }

    /// A graph whose names hold everything either format must escape: quotes, angle brackets
    /// and `&`, brackets, `#` and `;` (Mermaid entities), `%%{` (a Mermaid directive), a
    /// backtick (a Mermaid markdown string), backslashes (DOT escapes, `\N` names the node),
    /// a newline, `|` (Mermaid edge text) and `direction TB` (a Mermaid statement). No
    /// `.graph` text can spell such names, but graphs built through the API can have them.
    static var awkwardGraph: Graph {
        var graph = Graph(name: "odd \"graph\" <1> & {x}", location: .unknown)
        let x = graph.addValue("x \"in\" <b>&amp;</b> [0]", TensorType(.f32, [.symbol("N<1>"), .fixed(4)]), at: .unknown)
        let w = graph.addValue("w\\N #35; `tick` %%{init}%%", TensorType(.f32, fixed: [4]), at: .unknown)
        let sum = graph.addValue("sum]\n[direction TB", TensorType(.f32, [.symbol("N<1>"), .fixed(4)]), at: .unknown)
        let low = graph.addValue("lo|w\"", TensorType(.f32, [.symbol("N<1>"), .fixed(2)]), at: .unknown)
        let high = graph.addValue("hi;gh\\", TensorType(.f32, [.symbol("N<1>"), .fixed(2)]), at: .unknown)
        graph.inputs = [x]
        graph.params = [Param(value: w, initializer: .zeros, location: .unknown)]
        var split = Op.split.schema.defaults
        split["axis"] = .int(1)
        split["parts"] = .int(2)
        graph.nodes = [
            Node(op: .add, inputs: [x, w], outputs: [sum], attributes: Op.add.schema.defaults, location: .unknown),
            Node(op: .split, inputs: [sum], outputs: [low, high], attributes: split, location: .unknown),
        ]
        graph.outputs = [low, high]
        return graph
    }
}

/// Structural checks of picture text, independent of the goldens: what a renderer would
/// choke on, found without one.
enum PictureCheck {
    /// DOT: quotes closed, braces balanced, every edge between declared nodes.
    static func dotProblems(_ text: String) -> [String] {
        guard let code = withoutStrings(text) else { return ["a quoted string is not closed"] }
        var problems: [String] = []
        var depth = 0
        for character in code {
            if character == "{" { depth += 1 }
            if character == "}" { depth -= 1 }
            if depth < 0 { return ["'}' without '{'"] }
        }
        if depth != 0 { problems.append("\(depth) '{' not closed") }
        var declared: Set<String> = []
        var used: [String] = []
        for statement in code.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let words = statement.split(separator: " ").map(String.init)
            if words.count >= 3, words[1] == "->" { used += [words[0], words[2]] }
            if words.count >= 2, words[1].hasPrefix("["), !["graph", "node", "edge"].contains(words[0]) { declared.insert(words[0]) }
        }
        problems += used.filter { !declared.contains($0) }.map { "edge endpoint '\($0)' is not declared" }
        return problems
    }

    /// Mermaid: every label a quoted string holding no raw quote, `#` outside entities, or
    /// markup other than `<br>`; subgraphs closed; every edge between declared nodes.
    static func mermaidProblems(_ text: String) -> [String] {
        var problems: [String] = []
        var declared: Set<String> = []
        var used: [String] = []
        var depth = 0
        for line in text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).dropFirst() {
            let quotes = line.filter { $0 == "\"" }.count
            if quotes != 0, quotes != 2 { problems.append("label with a raw quote: \(line)") }
            if let open = line.firstIndex(of: "\""), let close = line.lastIndex(of: "\""), open < close {
                let label = line[line.index(after: open)..<close].replacingOccurrences(of: "<br>", with: "")
                if label.contains("<") || label.contains(">") { problems.append("markup in a label: \(line)") }
                if label.replacingOccurrences(of: "#[a-z0-9]+;", with: "", options: .regularExpression).contains("#") {
                    problems.append("'#' outside an entity: \(line)")
                }
            }
            let words = line.split(separator: " ").map(String.init)
            if words.first == "subgraph" { depth += 1; declared.insert(words[1]) }
            if line == "end" { depth -= 1 }
            if words.count >= 3, words[1].hasPrefix("-->") { used += [words[0], words[words.count - 1]] }
            if let id = line.split(whereSeparator: { "[(".contains($0) }).first, line.contains("[") || line.contains("(["),
               words.first != "subgraph", !line.hasPrefix("class"), !line.contains(" -->") {
                declared.insert(String(id))
            }
        }
        if depth != 0 { problems.append("subgraphs not closed") }
        problems += used.filter { !declared.contains($0) }.map { "edge endpoint '\($0)' is not declared" }
        return problems
    }

    /// DOT with every quoted string replaced by `""`; nil when one is not closed.
    private static func withoutStrings(_ text: String) -> String? {
        var result = ""
        var inString = false
        var escaped = false
        for character in text {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" {
                    inString = false
                    result += "\"\""
                }
            } else if character == "\"" {
                inString = true
            } else {
                result.append(character)
            }
        }
        return inString ? nil : result
    }
}
