import LeptonIR

/// Einsum in the forms exporters emit for attention and linear layers: one operand
/// (a transpose, optionally summing labels away) or two operands that are a batched matrix
/// product — shared batch labels, one contracted label, any free labels, all kept
/// (`ij,jk->ik`, `bij,bjk->bik`, `bhid,bhjd->bhij`, `bnd,dk->bnk`…). Each becomes
/// transpose → matmul → transpose. Ellipses, repeated labels, outer products and labels
/// summed within one operand are refused by name.
extension ONNXImport {
    mutating func einsum() throws(DiagnosticError) {
        let equation = string("equation", default: "").filter { !$0.isWhitespace }
        let sides = equation.components(separatedBy: "->")
        guard sides.count == 2, !equation.contains("."),
              sides.allSatisfy({ $0.allSatisfy { $0 == "," || ($0.isLetter && $0.isASCII) } }) else {
            throw fail("einsum '\(equation)': only explicit equations (with ->) over letters are supported")
        }
        let operands = sides[0].split(separator: ",", omittingEmptySubsequences: false).map { Array($0) }
        let output = Array(sides[1])
        for labels in operands + [output] where Set(labels).count != labels.count {
            throw fail("einsum '\(equation)': a label repeated within one term (a diagonal) is not supported")
        }
        guard operands.count == node.inputs.count else { throw fail("einsum '\(equation)' has \(operands.count) terms for \(node.inputs.count) inputs") }
        for (k, labels) in operands.enumerated() where try type(required(k)).rank != labels.count {
            throw fail("einsum '\(equation)': term \(k + 1) has \(labels.count) labels for an input of rank \(try type(required(k)).rank)")
        }
        guard Set(output).isSubset(of: Set(operands.flatMap { $0 })) else { throw fail("einsum '\(equation)': an output label appears in no input") }
        switch operands.count {
        case 1: try einsumUnary(operands[0], output)
        case 2: try einsumProduct(operands[0], operands[1], output, equation)
        default: throw fail("einsum '\(equation)': only one or two operands are supported")
        }
    }

    private mutating func einsumUnary(_ labels: [Character], _ output: [Character]) throws(DiagnosticError) {
        var x = try required(0)
        var current = labels
        let summed = labels.indices.filter { !output.contains(labels[$0]) }
        if !summed.isEmpty {
            let reduced = scratchName()
            try emit(.reduce_sum, [x], ["axes": .ints(summed), "keepdims": .bool(false)], outputs: [reduced])
            x = reduced
            current = labels.filter { output.contains($0) }
        }
        try emit(.transpose, [x], ["perm": .ints(output.map { current.firstIndex(of: $0)! })])
    }

    private mutating func einsumProduct(_ a: [Character], _ b: [Character], _ output: [Character], _ equation: String) throws(DiagnosticError) {
        let shared = a.filter { b.contains($0) }
        let batch = shared.filter { output.contains($0) }
        let contracted = shared.filter { !output.contains($0) }
        let freeA = a.filter { !b.contains($0) }, freeB = b.filter { !a.contains($0) }
        guard contracted.count == 1, (freeA + freeB).allSatisfy({ output.contains($0) }) else {
            throw fail("einsum '\(equation)': only batched matrix products (one contracted label, every other label kept) are supported")
        }
        let k = contracted[0]
        // A as [batch…, extraA…, 1…, i, k] and B as [batch…, 1…, extraB…, k, j]: free labels
        // before an operand's last are batch dims the other operand has as size 1 (the matmul
        // broadcasts them), and a missing i or j is a size-1 dim too.
        let extraA = Array(freeA.dropLast()), extraB = Array(freeB.dropLast())
        let (i, j) = (freeA.last, freeB.last)
        let onesInA = Array(batch.count + extraA.count ..< batch.count + extraA.count + extraB.count)
        let onesInB = Array(batch.count ..< batch.count + extraA.count)
        let left = try arranged(0, a, batch + extraA + (i.map { [$0] } ?? []) + [k],
                                unsqueezeAt: onesInA + (i == nil ? [batch.count + extraA.count + extraB.count] : []))
        let right = try arranged(1, b, batch + extraB + [k] + (j.map { [$0] } ?? []),
                                 unsqueezeAt: onesInB + (j == nil ? [batch.count + extraA.count + extraB.count + 1] : []))
        let product = scratchName()
        try emit(.matmul, [left, right], outputs: [product])
        // The product's labels, with placeholders for a missing i or j.
        var labels = batch + extraA + extraB + [i ?? "<", j ?? ">"]
        var result = product
        let dropped = labels.indices.filter { labels[$0] == "<" || labels[$0] == ">" }
        if !dropped.isEmpty {
            let squeezed = scratchName()
            try emit(.squeeze, [result], ["axes": .ints(dropped)], outputs: [squeezed])
            result = squeezed
            labels = labels.filter { $0 != "<" && $0 != ">" }
        }
        let perm = output.map { labels.firstIndex(of: $0)! }
        try emit(perm == Array(perm.indices) ? .identity : .transpose, [result], perm == Array(perm.indices) ? [:] : ["perm": .ints(perm)])
    }

    /// Input `k` (labelled `labels`) transposed into `order`, with size-1 dims inserted at
    /// `unsqueezeAt` (axes of the result); returns the ONNX-side name of the result.
    private mutating func arranged(_ k: Int, _ labels: [Character], _ order: [Character], unsqueezeAt axes: [Int]) throws(DiagnosticError) -> String {
        var name = try required(k)
        let perm = order.map { labels.firstIndex(of: $0)! }
        if perm != Array(perm.indices) {
            let transposed = scratchName()
            try emit(.transpose, [name], ["perm": .ints(perm)], outputs: [transposed])
            name = transposed
        }
        if !axes.isEmpty {
            let expanded = scratchName()
            try emit(.unsqueeze, [name], ["axes": .ints(axes)], outputs: [expanded])
            name = expanded
        }
        return name
    }
}
