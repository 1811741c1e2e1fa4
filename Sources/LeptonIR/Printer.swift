/// Writes IR as `.graph` text that parses back to the same IR: one node per line, every
/// value's type annotated, attributes equal to their defaults left out, floats in their
/// shortest round-tripping form.
///
///     graph mlp(x: f32[N, 784]) -> (probs: f32[N, 10]) {
///       param w1: f32[784, 512] = glorot(seed: 1)
///       %0: f32[N, 512] = matmul(x, w1)
///       ...
///     }
public enum Printer {
    /// Every graph of the module, separated by blank lines.
    public static func print(_ module: Module) -> String {
        module.graphs.map { print($0) }.joined(separator: "\n")
    }

    public static func print(_ graph: Graph) -> String {
        let inputs = graph.inputs.map { declaration(of: $0, in: graph) }.joined(separator: ", ")
        let outputs = graph.outputs.map { declaration(of: $0, in: graph) }.joined(separator: ", ")
        var lines = ["graph \(graph.name)(\(inputs)) -> (\(outputs)) {"]
        for param in graph.params {
            lines.append("  param \(declaration(of: param.value, in: graph)) = \(text(of: param.initializer))")
        }
        for node in graph.nodes {
            lines.append("  " + text(of: node, in: graph))
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `%3: f32[N, 512] = add(%2, b1)`
    public static func text(of node: Node, in graph: Graph) -> String {
        let targets = node.outputs.map { declaration(of: $0, in: graph) }.joined(separator: ", ")
        var arguments = node.inputs.map { graph.name(of: $0) }
        for spec in node.op.schema.attributes {
            guard let value = node.attributes[spec.name], value != spec.defaultValue else { continue }
            arguments.append("\(spec.name): \(text(of: value))")
        }
        return "\(targets) = \(node.op.mnemonic)(\(arguments.joined(separator: ", ")))"
    }

    /// An attribute value as written in `.graph` text.
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

    /// A tensor as a (nested) literal: `0.5`, `[[1, 2], [3, 4]]`.
    public static func text(of tensor: Tensor) -> String {
        let scalars: [String] = switch tensor.storage {
        case .f32(let a): a.map { "\($0)" }
        case .f64(let a): a.map { "\($0)" }
        case .i32(let a): a.map { "\($0)" }
        case .i64(let a): a.map { "\($0)" }
        case .bool(let a): a.map { "\($0)" }
        }
        var index = 0
        return nested(scalars, shape: tensor.shape[...], index: &index)
    }

    private static func nested(_ scalars: [String], shape: ArraySlice<Int>, index: inout Int) -> String {
        guard let count = shape.first else {
            defer { index += 1 }
            return scalars[index]
        }
        let items = (0..<count).map { _ in nested(scalars, shape: shape.dropFirst(), index: &index) }
        return "[\(items.joined(separator: ", "))]"
    }

    /// The canonical spelling of an initializer: every field written out.
    public static func text(of initializer: Initializer) -> String {
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
        case .tensor(let value): "tensor(value: \(text(of: value)), dtype: \(value.dtype))"
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

    private static func declaration(of value: ValueID, in graph: Graph) -> String {
        "\(graph.name(of: value)): \(graph.type(of: value))"
    }
}
