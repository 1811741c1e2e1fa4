/// Matrix products: matmul (numpy), gemm (ONNX), linear.
///
/// Accumulation is in the input dtype, summing over k in order. numpy/BLAS block the k loop
/// differently, so f32 results agree to ~1e-6 · sqrt(K) relative, not bitwise.

/// numpy matmul: batched over broadcast leading dims; a 1-D `a` is a row, a 1-D `b` a column,
/// and the added dim is removed from the result.
func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
    switch (a.storage, b.storage) {
    case (.f32(let x), .f32(let y)): matmul(x, a.shape, y, b.shape)
    case (.f64(let x), .f64(let y)): matmul(x, a.shape, y, b.shape)
    case (.i32(let x), .i32(let y)): matmul(x, a.shape, y, b.shape)
    case (.i64(let x), .i64(let y)): matmul(x, a.shape, y, b.shape)
    default: preconditionFailure("matmul takes two numeric tensors of one dtype, got \(a.dtype) and \(b.dtype)")
    }
}

private func matmul<T: ArithmeticScalar>(_ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int]) -> Tensor {
    precondition(!aShape.isEmpty && !bShape.isEmpty, "matmul operands have rank >= 1")
    let aMatrix = aShape.count == 1 ? [1, aShape[0]] : aShape
    let bMatrix = bShape.count == 1 ? [bShape[0], 1] : bShape
    let m = aMatrix[aMatrix.count - 2], k = aMatrix[aMatrix.count - 1], n = bMatrix[bMatrix.count - 1]
    precondition(bMatrix[bMatrix.count - 2] == k, "matmul inner dimensions differ")
    let aBatch = Array(aMatrix.dropLast(2)), bBatch = Array(bMatrix.dropLast(2))
    let batch = broadcast(aBatch, bBatch)
    // Batch element i multiplies matrix aIndex[i] of a by matrix bIndex[i] of b.
    let aIndex = gatherOffsets(shape: batch, tables: broadcastTables(from: aBatch, to: batch))
    let bIndex = gatherOffsets(shape: batch, tables: broadcastTables(from: bBatch, to: batch))
    var out = Array(repeating: T.zero, count: aIndex.count * m * n)
    for i in aIndex.indices {
        multiplyAccumulate(a, aIndex[i] * m * k, b, bIndex[i] * k * n, into: &out, at: i * m * n, m: m, k: k, n: n)
    }
    var shape = batch
    if aShape.count > 1 { shape.append(m) }
    if bShape.count > 1 { shape.append(n) }
    return Tensor(shape: shape, scalars: out)
}

/// out[m, n] += a[m, k] · b[k, n] for row-major matrices at the given offsets. The i-k-j order
/// keeps the innermost loop contiguous in both `b` and `out`.
@inline(__always)
func multiplyAccumulate<T: ArithmeticScalar>(_ a: [T], _ aBase: Int, _ b: [T], _ bBase: Int, into out: inout [T],
                                             at outBase: Int, m: Int, k: Int, n: Int) {
    for i in 0..<m {
        let row = outBase + i * n
        for p in 0..<k {
            let scale = a[aBase + i * k + p]
            let bRow = bBase + p * n
            for j in 0..<n { out[row + j] = T.add(out[row + j], T.multiply(scale, b[bRow + j])) }
        }
    }
}

/// gemm: alpha·op(A)·op(B) + beta·C, with C broadcast to [M, N] (ONNX Gemm).
func gemm(_ a: Tensor, _ b: Tensor, _ c: Tensor?, _ attributes: Attributes) -> Tensor {
    let opA = attributes.bool("trans_a") ? transpose(a, perm: [1, 0]) : a
    let opB = attributes.bool("trans_b") ? transpose(b, perm: [1, 0]) : b
    switch (opA.storage, opB.storage) {
    case (.f32(let x), .f32(let y)): return gemm(x, opA.shape, y, opB.shape, c?.array(Float.self), c?.shape, attributes)
    case (.f64(let x), .f64(let y)): return gemm(x, opA.shape, y, opB.shape, c?.array(Double.self), c?.shape, attributes)
    case (.i32(let x), .i32(let y)): return gemm(x, opA.shape, y, opB.shape, c?.array(Int32.self), c?.shape, attributes)
    case (.i64(let x), .i64(let y)): return gemm(x, opA.shape, y, opB.shape, c?.array(Int64.self), c?.shape, attributes)
    default: preconditionFailure("gemm takes numeric tensors of one dtype, got \(a.dtype) and \(b.dtype)")
    }
}

private func gemm<T: ArithmeticScalar>(_ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int], _ c: [T]?, _ cShape: [Int]?,
                                       _ attributes: Attributes) -> Tensor {
    precondition(aShape.count == 2 && bShape.count == 2 && aShape[1] == bShape[0], "gemm takes [M, K] x [K, N]")
    let m = aShape[0], k = aShape[1], n = bShape[1]
    var out = Array(repeating: T.zero, count: m * n)
    multiplyAccumulate(a, 0, b, 0, into: &out, at: 0, m: m, k: k, n: n)
    let alpha = T(attribute: attributes.float("alpha"))
    if alpha != T.one { out = out.map { T.multiply(alpha, $0) } }
    if let c, let cShape {
        let beta = T(attribute: attributes.float("beta"))
        let offsets = gatherOffsets(shape: [m, n], tables: broadcastTables(from: cShape, to: [m, n]))
        for i in out.indices { out[i] = T.add(out[i], T.multiply(beta, c[offsets[i]])) }
    }
    return Tensor(shape: [m, n], scalars: out)
}

/// linear(x[..., K], w[K, N], b[N]?) -> [..., N]: a matmul over the flattened leading dims.
func linear(_ x: Tensor, _ w: Tensor, _ b: Tensor?) throws(KernelError) -> Tensor {
    precondition(!x.shape.isEmpty && w.rank == 2, "linear takes x[..., K] and w[K, N]")
    let k = x.shape[x.rank - 1], n = w.shape[1]
    let rows = x.reshaped([product(x.shape.dropLast()), k])
    let result = matmul(rows, w)
    let shape = Array(x.shape.dropLast()) + [n]
    guard let b else { return result.reshaped(shape) }
    return try arithmetic(.add, result, b).reshaped(shape)
}
