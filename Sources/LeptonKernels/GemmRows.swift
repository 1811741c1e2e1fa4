extension PackedGemm {
    /// At most this many rows with a row-major B run as streaming row updates.
    static let streamingRows = 3

    /// C[i, :] (+)= sum over p of A[i, p] * B[p, :] for a few rows (a matrix-vector product, as
    /// a batch-1 linear layer): B's rows are read front to back, once per row of C, four k
    /// steps per pass over the C row (kept in L1), one fused multiply-add chain per element in
    /// k order. Packing B or a register tile would cost more than the product here.
    /// Products under this many multiply-adds stream on the calling thread. A batch-1 layer is
    /// memory-bound: two threads stream the weights through both cores' caches, and the pool's
    /// fork-join (about a microsecond) pays from tens of microseconds of work.
    static let streamingParallelWork = 65_536

    /// Runs `streamingRows` over C's columns split across threads (multiples of 16 columns per
    /// thread, each element still one k-ordered chain: the same bits for any thread count),
    /// then the write-back of each part on its thread.
    static func streamingRows(_ p: Problem, _ a: MatrixView<Float>, _ b: MatrixView<Float>, threads: Int) {
        let vectors = (p.n + 15) / 16
        let parts = p.m * p.n * p.k < streamingParallelWork ? 1 : Swift.min(cores, threads, vectors)
        var split = StreamingSplit(problem: p, a: a, b: b, parts: parts, vectors: vectors)
        if parts <= 1 {
            split.run(part: 0)
            return
        }
        withUnsafeMutablePointer(to: &split) { split in
            WorkerPool.forkJoin(iterations: parts, context: UnsafeMutableRawPointer(split)) { context, part in
                context.assumingMemoryBound(to: StreamingSplit.self).pointee.run(part: part)
            }
        }
    }

    /// One streaming product and how its columns are split.
    private struct StreamingSplit {
        var problem: Problem, a: MatrixView<Float>, b: MatrixView<Float>, parts: Int, vectors: Int

        func run(part: Int) {
            let p = problem
            let lo = vectors * part / parts * 16, hi = Swift.min(p.n, vectors * (part + 1) / parts * 16)
            guard lo < hi else { return }
            streamingRows(p, a, b, columns: lo..<hi)
            p.writeBack.finish(p.c, ldc: p.ldc, rows: 0..<p.m, columns: lo..<hi, part: part)
        }
    }

    static func streamingRows(_ p: Problem, _ a: MatrixView<Float>, _ b: MatrixView<Float>, columns: Range<Int>) {
        let (n, b) = (columns.count, MatrixView(b.base + columns.lowerBound, rowStride: b.rowStride))
        for i in 0..<p.m {
            let row = p.c + i * p.ldc + columns.lowerBound, aRow = a.base + i * a.rowStride
            if !p.accumulate { row.update(repeating: 0, count: n) }
            var q = 0
            while q + 4 <= p.k {
                let scales = (aRow[q * a.columnStride], aRow[(q + 1) * a.columnStride],
                              aRow[(q + 2) * a.columnStride], aRow[(q + 3) * a.columnStride])
                let b0 = b.base + q * b.rowStride
                update(row, n, scales, b0, b0 + b.rowStride, b0 + 2 * b.rowStride, b0 + 3 * b.rowStride)
                q += 4
            }
            while q < p.k {
                let (scale, bRow) = (aRow[q * a.columnStride], b.base + q * b.rowStride)
                for j in 0..<n { row[j] = row[j].addingProduct(scale, bRow[j]) }
                q += 1
            }
        }
    }

    /// row[j] = fma(s3, b3[j], fma(s2, b2[j], fma(s1, b1[j], fma(s0, b0[j], row[j])))) for j < n.
    @inline(__always)
    static func update(_ row: UnsafeMutablePointer<Float>, _ n: Int, _ s: (Float, Float, Float, Float),
                       _ b0: UnsafePointer<Float>, _ b1: UnsafePointer<Float>, _ b2: UnsafePointer<Float>, _ b3: UnsafePointer<Float>) {
        let (v0, v1, v2, v3) = (SIMD16(repeating: s.0), SIMD16(repeating: s.1), SIMD16(repeating: s.2), SIMD16(repeating: s.3))
        let raw = UnsafeMutableRawPointer(row)
        var j = 0
        while j + 16 <= n {
            var c = loadVector(row + j)
            c = c.addingProduct(v0, loadVector(b0 + j))
            c = c.addingProduct(v1, loadVector(b1 + j))
            c = c.addingProduct(v2, loadVector(b2 + j))
            c = c.addingProduct(v3, loadVector(b3 + j))
            raw.storeBytes(of: c, toByteOffset: j * 4, as: SIMD16<Float>.self)
            j += 16
        }
        while j < n {
            row[j] = row[j].addingProduct(s.0, b0[j]).addingProduct(s.1, b1[j]).addingProduct(s.2, b2[j]).addingProduct(s.3, b3[j])
            j += 1
        }
    }
}
