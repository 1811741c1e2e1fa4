import LeptonIR

/// Which Lepton ops have an ONNX form, and which opset each needs. Checked over the whole
/// graph before converting, so a user sees every op in the way at once.
extension ONNXExport {
    /// Why `node` cannot be written as ONNX, or nil when it can.
    static func refusal(_ node: Node) -> String? {
        if case .string(let layout)? = node.attributes["weight_layout"], !layout.isEmpty {
            return "its weight is pre-packed (weight_layout \(layout)) by -O2; export works on the plain graph: use -O0 or -O1"
        }
        switch node.op {
        case .fused:
            return "a fused kernel made by -O2; export works on the plain graph: use -O0 or -O1"
        case .max_pool2d_grad, .avg_pool2d_grad, .conv2d_weight_grad, .scatter_add:
            return "a gradient op ONNX does not have; export the model's graph, not its training graph"
        case .cross_entropy, .binary_cross_entropy, .mse:
            return "a training loss ONNX does not have as one op; export the model's graph, not its training graph"
        default:
            return nil
        }
    }

    /// Every node that cannot be exported, one diagnostic per op and reason (at its first
    /// node, with how many there are).
    static func checkEveryOpIsExportable(_ graph: Graph) throws(DiagnosticError) {
        var order: [String] = []
        var first: [String: (node: Node, reason: String)] = [:]
        var counts: [String: Int] = [:]
        for node in graph.nodes {
            guard let reason = refusal(node) else { continue }
            let key = "\(node.op.mnemonic): \(reason)"
            if first[key] == nil {
                order.append(key)
                first[key] = (node, reason)
            }
            counts[key, default: 0] += 1
        }
        guard !order.isEmpty else { return }
        let problems = order.map { key -> Diagnostic in
            let (node, reason) = first[key]!
            let count = counts[key]!
            let more = count == 1 ? "" : " (\(count) nodes, the first here)"
            return Diagnostic(at: node.location, "cannot export \(node.op.mnemonic) to ONNX\(more): \(reason)")
        }
        throw DiagnosticError(problems)
    }

    /// The first opset where `op` exists in the form the exporter writes.
    static func minimumOpset(_ op: Op) -> Int64 {
        switch op {
        case .gelu: 20
        default: baseOpset
        }
    }

    /// `asked`, checked against what the graph's ops need; the lowest that works when nil.
    static func chooseOpset(_ graph: Graph, asked: Int64?) throws(DiagnosticError) -> Int64 {
        let needing = graph.nodes.max { minimumOpset($0.op) < minimumOpset($1.op) }
        let needed = needing.map { minimumOpset($0.op) } ?? baseOpset
        guard let asked else { return needed }
        guard supportedOpsets.contains(asked) else {
            throw DiagnosticError(at: graph.location, "cannot export to ONNX opset \(asked): "
                + "Lepton writes opsets \(supportedOpsets.lowerBound) to \(supportedOpsets.upperBound)")
        }
        if let needing, asked < needed {
            throw DiagnosticError(at: needing.location, "cannot export \(needing.op.mnemonic) to ONNX opset \(asked): "
                + "ONNX has it from opset \(needed)")
        }
        return asked
    }
}
