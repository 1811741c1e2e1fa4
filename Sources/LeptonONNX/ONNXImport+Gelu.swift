import LeptonIR

/// GELU as exporters before opset 20 write it — PyTorch's nn.GELU() becomes
///
///     d = Div(x, 1.4142135)   e = Erf(d)   a = Add(e, 1)   m = Mul(x, a)   y = Mul(m, 0.5)
///
/// (or with Mul(x, 0.70710677), or the 0.5 applied to x first) — recognized before the nodes
/// are converted and imported as one `gelu`, the way ONNX Runtime fuses it: one kernel (and
/// a matmul epilogue) instead of five elementwise passes. The result differs from the
/// five-op form only by rounding (≤ 1e-6 relative). Intermediate values read by anything
/// else are left alone.
extension ONNXImport {
    mutating func fuseGeluPatterns(_ graph: inout ONNXGraph) {
        var constants: [String: ONNXNode] = [:]
        for node in graph.nodes where node.opType == "Constant" {
            if let output = node.outputs.first { constants[output] = node }
        }
        var producer: [String: Int] = [:]
        var uses: [String: Int] = [:]
        for (index, node) in graph.nodes.enumerated() {
            for output in node.outputs where !output.isEmpty { producer[output] = index }
            for input in node.inputs { uses[input, default: 0] += 1 }
        }
        for output in graph.outputs { uses[output.name, default: 0] += 1 }
        func node(_ name: String, _ op: String) -> (Int, ONNXNode)? {
            guard let index = producer[name], graph.nodes[index].opType == op, uses[name] == 1 else { return nil }
            return (index, graph.nodes[index])
        }
        func close(_ value: Double?, _ target: Double) -> Bool { value.map { abs($0 - target) <= 1e-5 * abs(target) } ?? false }
        /// The operand of a binary node that is not the scalar constant `c` (either side).
        func other(_ n: ONNXNode, _ c: Double) -> String? {
            guard n.inputs.count == 2 else { return nil }
            if close(scalarConstant(n.inputs[1], constants), c) { return n.inputs[0] }
            if close(scalarConstant(n.inputs[0], constants), c) { return n.inputs[1] }
            return nil
        }
        var removed = Set<Int>()
        for (index, last) in graph.nodes.enumerated()
        where last.opType == "Mul" && last.inputs.count == 2 && !last.outputs.isEmpty && !removed.contains(index) {
            // y = Mul(Mul(x, a), 0.5) or y = Mul(Mul(x, 0.5), a), a = Add(Erf(x / √2), 1).
            var candidates: [(x: String, add: String, halfNode: Int?, productNode: Int)] = []
            if let m = other(last, 0.5), let (mi, mul) = node(m, "Mul"), mul.inputs.count == 2 {
                candidates += [(mul.inputs[0], mul.inputs[1], nil, mi), (mul.inputs[1], mul.inputs[0], nil, mi)]
            }
            for (k, side) in last.inputs.enumerated() {
                if let (hi, half) = node(side, "Mul"), let x = other(half, 0.5) {
                    candidates.append((x, last.inputs[1 - k], hi, index))
                }
            }
            for candidate in candidates {
                guard let (ai, add) = node(candidate.add, "Add"), let e = other(add, 1), let (ei, erf) = node(e, "Erf"),
                      let (di, scaled) = node(erf.inputs.first ?? "", "Div").map({ $0 }) ?? node(erf.inputs.first ?? "", "Mul") else { continue }
                let divides = scaled.opType == "Div"
                guard let x = other(scaled, divides ? 2.0.squareRoot() : 0.5.squareRoot()), x == candidate.x,
                      divides ? scaled.inputs[0] == x : true else { continue }
                let parts = [ai, ei, di] + [candidate.halfNode, candidate.halfNode == nil ? candidate.productNode : nil].compactMap { $0 }
                guard parts.allSatisfy({ !removed.contains($0) }) else { continue }
                removed.formUnion(parts)
                graph.nodes[index] = ONNXNode("Gelu", inputs: [x], outputs: [last.outputs[0]], name: last.name)
                break
            }
        }
        graph.nodes = graph.nodes.enumerated().filter { !removed.contains($0.offset) }.map(\.element)
    }

    /// The value of a one-element float constant: an initializer or a Constant node's output.
    private func scalarConstant(_ name: String, _ constants: [String: ONNXNode]) -> Double? {
        if let tensor = knownTensor(name) { return tensor.count == 1 ? tensor.doubles.first : nil }
        guard let constant = constants[name] else { return nil }
        switch constant.attribute("value") ?? constant.attribute("value_float") {
        case .float(let f)?: return Double(f)
        case .tensor(let t)?: return (try? tensor(t, bytes: fileBytes)).flatMap { $0.count == 1 ? $0.doubles.first : nil }
        default: return nil
        }
    }
}
