// Shape rules of matmul, gemm and linear.

extension Op {
    /// numpy matmul: a 1-D `a` is a row [1, K], a 1-D `b` a column [K, 1] (both extra dims are
    /// dropped again); leading (batch) dims broadcast.
    func matmulType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireNumeric(inputs, 0)
        try requireSameDType(inputs, 1, as: 0)
        let (a, b) = (inputs[0].shape, inputs[1].shape)
        let pair = "\(shapeText(a)) x \(shapeText(b))"
        guard !a.isEmpty, !b.isEmpty else {
            throw fail("expects operands of rank 1 or more, got \(pair)", operand: a.isEmpty ? 0 : 1)
        }
        let a2 = a.count == 1 ? [.fixed(1)] + a : a
        let b2 = b.count == 1 ? b + [.fixed(1)] : b
        let (k1, k2) = (a2[a2.count - 1], b2[b2.count - 2])
        guard k1 == k2 else {
            throw fail("expects [..., M, K] x [..., K, N], got \(pair): inner dimensions \(k1) and \(k2) differ")
        }
        let batchA = Array(a2.dropLast(2)), batchB = Array(b2.dropLast(2))
        var result: [Dim]
        do throws(ShapeError) {
            result = try broadcastShapes(batchA, batchB)
        } catch {
            throw fail("cannot broadcast the batch dimensions of \(pair): \(error.message)")
        }
        if a.count > 1 { result.append(a2[a2.count - 2]) }
        if b.count > 1 { result.append(b2[b2.count - 1]) }
        return TensorType(inputs[0].dtype, result)
    }

    /// alpha * op(A) * op(B) + beta * C: A, B 2-D; C (optional) broadcasts one way to [M, N].
    func gemmType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireNumeric(inputs, 0)
        try requireRank(inputs, 0, 2, "[M, K]")
        try requireRank(inputs, 1, 2, "[K, N]")
        try requireSameDType(inputs, 1, as: 0)
        let (a, b) = (inputs[0].shape, inputs[1].shape)
        let transA = attributes.bool("trans_a"), transB = attributes.bool("trans_b")
        let (m, k1) = transA ? (a[1], a[0]) : (a[0], a[1])
        let (k2, n) = transB ? (b[1], b[0]) : (b[0], b[1])
        guard k1 == k2 else {
            throw fail("expects A[M, K] x B[K, N] (after trans_a \(transA), trans_b \(transB)), "
                + "got \(shapeText(a)) x \(shapeText(b)): inner dimensions \(k1) and \(k2) differ")
        }
        if inputs.count == 3 {
            try requireSameDType(inputs, 2, as: 0)
            try requireUnidirectional(inputs[2].shape, to: [m, n], operand: 2)
        }
        return TensorType(inputs[0].dtype, [m, n])
    }

    /// linear(x[..., K], w[K, N], b[N]?) -> [..., N].
    func linearType(_ inputs: [TensorType]) throws(ShapeError) -> TensorType {
        try requireNumeric(inputs, 0)
        try requireSameDType(inputs, 1, as: 0)
        try requireRank(inputs, 1, 2, "[K, N]")
        let (x, w) = (inputs[0].shape, inputs[1].shape)
        guard let k = x.last else {
            throw fail("expects x of rank 1 or more [..., K], got []", operand: 0)
        }
        guard k == w[0] else {
            throw fail("expects x[..., K] and w[K, N], got \(shapeText(x)) and \(shapeText(w)): "
                + "\(k) input features vs \(w[0])", operand: 1)
        }
        if inputs.count == 3 {
            try requireSameDType(inputs, 2, as: 0)
            guard inputs[2].shape == [w[1]] else {
                throw fail("expects b of shape [N] = [\(w[1])], got \(shapeText(inputs[2].shape))", operand: 2)
            }
        }
        return TensorType(inputs[0].dtype, x.dropLast() + [w[1]])
    }

    /// `shape` must broadcast to exactly `target` (ONNX unidirectional broadcasting).
    func requireUnidirectional(_ shape: [Dim], to target: [Dim], operand: Int) throws(ShapeError) {
        let ok = shape.count <= target.count
            && zip(shape.reversed(), target.reversed()).allSatisfy { $0 == $1 || $0 == .fixed(1) }
        guard ok else {
            throw fail("cannot broadcast \(operandName(operand)) \(shapeText(shape)) to \(shapeText(target))",
                       operand: operand)
        }
    }
}
