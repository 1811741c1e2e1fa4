import LeptonIR

/// Gradients of products: each is another product with one operand transposed.

/// Swaps the last two dims.
private func transposeLastTwo(_ v: ValueID, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let rank = b.rank(v)
    var perm = Array(0..<rank)
    perm.swapAt(rank - 1, rank - 2)
    return try b(.transpose, v, attributes: ["perm": .ints(perm)])
}

/// numpy matmul, batched and broadcasting, with 1-D operands promoted to matrices:
/// dA = g·Bᵀ and dB = Aᵀ·g on the promoted shapes, summed over broadcast batch dims.
func matmulGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let a = rule.node.inputs[0], bm = rule.node.inputs[1]
    let aShape = b.shape(a), bShape = b.shape(bm)
    // Promote: a [K] -> [1, K]; b [K] -> [K, 1]. The result then has both M and N.
    let a2 = aShape.count == 1 ? [1] + aShape : aShape
    let b2 = bShape.count == 1 ? bShape + [1] : bShape
    let batchA = Array(a2.dropLast(2)), batchB = Array(b2.dropLast(2))
    let rank = max(batchA.count, batchB.count)
    var batch: [Int] = []
    for i in 0..<rank {
        let x = i < rank - batchA.count ? 1 : batchA[i - (rank - batchA.count)]
        let y = i < rank - batchB.count ? 1 : batchB[i - (rank - batchB.count)]
        batch.append(max(x, y))
    }
    let g = try b.reshape(rule.gradient, batch + [a2[a2.count - 2], b2[b2.count - 1]])
    var da: ValueID?, db: ValueID?
    if rule.needs(0) {
        let product = try b(.matmul, g, transposeLastTwo(b.reshape(bm, b2), &b))
        da = try b.reshape(b.sumToShape(product, a2), aShape)
    }
    if rule.needs(1) {
        let product = try b(.matmul, transposeLastTwo(b.reshape(a, a2), &b), g)
        db = try b.reshape(b.sumToShape(product, b2), bShape)
    }
    return [da, db]
}

/// alpha·op(A)·op(B) + beta·C: d op(A) = alpha·g·op(B)ᵀ, d op(B) = alpha·op(A)ᵀ·g, dC = beta·g.
func gemmGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let a = rule.node.inputs[0], bm = rule.node.inputs[1], g = rule.gradient
    let transA = rule.attributes.bool("trans_a"), transB = rule.attributes.bool("trans_b")
    let alpha = try b.scalar(rule.attributes.float("alpha"), b.dtype(g))
    let scaled = rule.attributes.float("alpha") == 1 ? g : try b(.mul, g, alpha)
    var da: ValueID?, db: ValueID?, dc: ValueID?
    if rule.needs(0) {
        let opB = transB ? bm : try transposeLastTwo(bm, &b)  // op(B)ᵀ
        let dOpA = try b(.matmul, scaled, opB)
        da = transA ? try transposeLastTwo(dOpA, &b) : dOpA
    }
    if rule.needs(1) {
        let opA = transA ? a : try transposeLastTwo(a, &b)  // op(A)ᵀ
        let dOpB = try b(.matmul, opA, scaled)
        db = transB ? try transposeLastTwo(dOpB, &b) : dOpB
    }
    if let c = rule.operand(2), rule.needs(2) {
        let beta = rule.attributes.float("beta")
        let term = beta == 1 ? g : try b(.mul, g, b.scalar(beta, b.dtype(g)))
        dc = try b.sumToShape(term, b.shape(c))
    }
    return [da, db, dc]
}

/// x[..., K]·w[K, N] + b[N]: dx = g·wᵀ, dw = xᵀ·g over all leading rows, db = Σ g.
func linearGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let x = rule.node.inputs[0], w = rule.node.inputs[1], g = rule.gradient
    let k = b.shape(w)[0], n = b.shape(w)[1]
    var dx: ValueID?, dw: ValueID?, db: ValueID?
    if rule.needs(0) { dx = try b(.matmul, g, transposeLastTwo(w, &b)) }
    if rule.needs(1) {
        let rows = b.shape(x).dropLast().reduce(1, *)
        let x2 = try b.reshape(x, [rows, k]), g2 = try b.reshape(g, [rows, n])
        dw = try b(.matmul, transposeLastTwo(x2, &b), g2)
    }
    if let bias = rule.operand(2), rule.needs(2) { db = try b.sumToShape(g, b.shape(bias)) }
    return [dx, dw, db]
}
