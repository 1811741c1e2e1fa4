import LeptonTensor

/// Inputs, the choice of outputs, and the `.graph` text of a generated graph.
extension RandomGraphGenerator {
    /// One or two inputs: an image [B, C, H, W], a sequence [B, T, D] or a matrix [B, D]; the
    /// batch is the symbol N in about a third of the graphs.
    mutating func makeInputs() {
        if chance(0.35) { symbolSize = int(1...3) }
        let batch = symbolSize.map { GenDim(size: $0, symbolic: true) } ?? .fixed(int(1...2))
        let shape: [GenDim]
        switch int(0...9) {
        case 0...4: shape = [batch, .fixed(int(1...4)), .fixed(int(3...8)), .fixed(int(3...8))]
        case 5...7: shape = [batch, .fixed(int(2...6)), .fixed(int(2...12))]
        default: shape = [batch, .fixed(int(2...24))]
        }
        addInput(shape)
        guard chance(0.4) else { return }
        switch int(0...2) {
        case 0: addInput(shape)
        case 1: addInput(Array(shape.suffix(int(1...shape.count - 1))))
        default: addInput(shape.enumerated().map { $0.offset == 0 || chance(0.5) ? $0.element : .fixed(1) })
        }
    }

    private mutating func addInput(_ shape: [GenDim]) {
        let id = add(GenValue(shape: shape, dtype: .f32, scale: 1, isInput: true, rich: true))
        inputIDs.append(id)
    }

    /// Picks the outputs (the values nothing reads, and sometimes a value that is also read
    /// inside: fusion must keep it) and renders the text.
    mutating func finish() -> RandomGraph {
        let live = values.indices.filter { !values[$0].dead && !values[$0].isInput }
        var outputs = Array(live.filter { values[$0].uses == 0 }.suffix(3))
        if outputs.isEmpty, let last = live.last { outputs = [last] }
        if outputs.isEmpty {
            // Nothing was generated: output the input through one node.
            outputs = [emit1("relu(\(ref(inputIDs[0])))", derived(values[inputIDs[0]], shape: values[inputIDs[0]].shape))]
        }
        let used = live.filter { values[$0].uses > 0 && !outputs.contains($0) }
        if !used.isEmpty, chance(0.3) { outputs.append(choose(used)) }
        if chance(0.1), let first = outputs.first {
            // The same value twice, under two names: an identity node simplify must keep.
            let v = values[first]
            outputs.append(emit1(ref(first), derived(v, shape: v.shape, scale: v.scale)))
        }
        return render(outputs: outputs)
    }

    private func render(outputs: [Int]) -> RandomGraph {
        var names = values.indices.map { "v\($0)" }
        for (k, id) in inputIDs.enumerated() { names[id] = "x\(k)" }
        for (k, id) in outputs.enumerated() { names[id] = "y\(k)" }
        let signatureInputs = inputIDs.map { "\(names[$0]): \(typeText(values[$0].shape, values[$0].dtype))" }
        let signatureOutputs = outputs.map { "\(names[$0]): \(typeText(values[$0].shape, values[$0].dtype))" }
        var lines = ["# random graph, seed \(seed)"]
        lines.append("graph random_\(seed)(\(signatureInputs.joined(separator: ", "))) -> (\(signatureOutputs.joined(separator: ", "))) {")
        lines += params.map { "  " + $0 }
        for statement in statements {
            let targets = statement.targets.map { names[$0] }.joined(separator: ", ")
            lines.append("  \(targets) = \(substitute(statement.expression, names))")
        }
        lines.append("}")
        let inputs = inputIDs.map { (name: names[$0], shape: values[$0].sizes, dtype: values[$0].dtype) }
        return RandomGraph(seed: seed, text: lines.joined(separator: "\n") + "\n",
                           bindings: symbolSize.map { ["N": $0] } ?? [:], inputs: inputs)
    }

    /// Replaces each `$k$` with the name of value k.
    private func substitute(_ expression: String, _ names: [String]) -> String {
        var result = ""
        var number: String?
        for character in expression {
            if character == "$" {
                if let digits = number {
                    guard let id = Int(digits) else { preconditionFailure("bad placeholder $\(digits)$") }
                    result += names[id]
                    number = nil
                } else {
                    number = ""
                }
            } else if number != nil {
                number?.append(character)
            } else {
                result.append(character)
            }
        }
        precondition(number == nil, "unterminated placeholder in \(expression)")
        return result
    }
}
