/// How the printer writes things that may be too long to read.
public struct PrintOptions: Hashable, Sendable {
    /// Tensors (in `tensor(...)` initializers and `constant` values) with more elements than
    /// this print as `tensor(dtype: f32, shape: [..], elided)`: readable, but no longer
    /// parseable. nil prints every tensor in full (the default: text round-trips).
    public var elideTensorsLargerThan: Int?

    public init(elideTensorsLargerThan: Int? = nil) {
        self.elideTensorsLargerThan = elideTensorsLargerThan
    }

    /// Every value written out; what `parse(print(g)) == g` relies on.
    public static let full = PrintOptions()
}

/// Writes IR as `.graph` text that parses back to the same IR: one node per line, every
/// value's type annotated, attributes equal to their defaults left out, floats in their
/// shortest round-tripping form, fused bodies nested one indentation level deeper.
///
///     graph mlp(x: f32[N, 784]) -> (probs: f32[N, 10]) {
///       param w1: f32[784, 512] = glorot(seed: 1)
///       %0: f32[N, 512] = matmul(x, w1)
///       ...
///     }
public enum Printer {
    /// Every graph of the module, then every train block, separated by blank lines.
    public static func print(_ module: Module, options: PrintOptions = .full) -> String {
        let graphs = module.graphs.map { print($0, options: options) }
        return (graphs + module.training.map { print($0, options: options) }).joined(separator: "\n")
    }

    public static func print(_ graph: Graph, options: PrintOptions = .full) -> String {
        var lines = ["graph \(graph.name)\(signature(of: graph)) {"]
        lines += body(of: graph, options: options).map { "  " + $0 }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `%3: f32[N, 512] = add(%2, b1)`; a fused node spans several lines (its body).
    public static func text(of node: Node, in graph: Graph, options: PrintOptions = .full) -> String {
        lines(of: node, in: graph, options: options).joined(separator: "\n")
    }

    /// An attribute value as written in `.graph` text (tensors as nested literals).
    public static func text(of attribute: Attribute) -> String {
        switch attribute {
        case .int(let v): "\(v)"
        case .float(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .ints(let v): "[\(v.map(String.init).joined(separator: ", "))]"
        case .floats(let v): "[\(v.map { "\($0)" }.joined(separator: ", "))]"
        case .choice(let v): v
        case .string(let v): quoted(v)
        case .dtype(let v): v.rawValue
        case .tensor(let t): text(of: t)
        }
    }

    /// The canonical spelling of an initializer: every field written out.
    public static func text(of initializer: Initializer, options: PrintOptions = .full) -> String {
        switch initializer {
        case .zeros: "zeros"
        case .ones: "ones"
        case .constant(let v): "constant(\(v))"
        case .uniform(let low, let high, let seed): "uniform(low: \(low), high: \(high), seed: \(seed))"
        case .normal(let mean, let std, let seed): "normal(mean: \(mean), std: \(std), seed: \(seed))"
        case .glorot(let seed): "glorot(seed: \(seed))"
        case .he(let seed): "he(seed: \(seed))"
        case .load(let path, nil): "load(\(quoted(path)))"
        case .load(let path, let key?): "load(\(quoted(path)), key: \(quoted(key)))"
        case .tensor(let value): "tensor(\(tensorArguments(value, options: options).joined(separator: ", ")))"
        }
    }

    /// `"…"` with `\\ \" \n \t \r` and other control characters escaped.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    /// `(x: f32[N], w: f32[4]) -> (y: f32[N])`
    static func signature(of graph: Graph) -> String {
        let inputs = graph.inputs.map { declaration(of: $0, in: graph) }.joined(separator: ", ")
        let outputs = graph.outputs.map { declaration(of: $0, in: graph) }.joined(separator: ", ")
        return "(\(inputs)) -> (\(outputs))"
    }

    /// The lines between a graph's braces, not yet indented.
    static func body(of graph: Graph, options: PrintOptions) -> [String] {
        var lines: [String] = []
        for param in graph.params {
            lines.append("param \(declaration(of: param.value, in: graph)) = \(text(of: param.initializer, options: options))")
        }
        for node in graph.nodes {
            lines += self.lines(of: node, in: graph, options: options)
        }
        return lines
    }

    static func lines(of node: Node, in graph: Graph, options: PrintOptions) -> [String] {
        let targets = node.outputs.map { declaration(of: $0, in: graph) }.joined(separator: ", ")
        let operands = node.inputs.map { name(of: $0, in: graph) }
        let head = "\(targets) = \(node.op.mnemonic)(\((operands + attributeArguments(of: node, options: options)).joined(separator: ", ")))"
        // Only a fused node has a body; a malformed node still prints (the verifier says why).
        guard node.op == .fused, let region = node.regions.first else { return [head] }
        return ["\(head) graph\(signature(of: region)) {"] + body(of: region, options: options).map { "  " + $0 } + ["}"]
    }

    /// `name: value` for attributes that differ from their defaults, in schema order.
    private static func attributeArguments(of node: Node, options: PrintOptions) -> [String] {
        if node.op == .constant, case .tensor(let value)? = node.attributes["value"],
           node.attributes["dtype"] == .dtype(value.dtype), !isLiteralForm(value, options: options) {
            return tensorArguments(value, options: options)
        }
        var arguments: [String] = []
        for spec in node.op.schema.attributes {
            guard let value = node.attributes[spec.name], value != spec.defaultValue else { continue }
            arguments.append("\(spec.name): \(text(of: value))")
        }
        return arguments
    }

    static func declaration(of value: ValueID, in graph: Graph) -> String {
        guard graph.values.indices.contains(value) else { return name(of: value, in: graph) }
        return "\(graph.name(of: value)): \(graph.type(of: value))"
    }

    /// A value's name; a broken pass's dangling id prints (unparseably) instead of crashing.
    private static func name(of value: ValueID, in graph: Graph) -> String {
        graph.values.indices.contains(value) ? graph.name(of: value) : "<invalid value \(value)>"
    }
}
