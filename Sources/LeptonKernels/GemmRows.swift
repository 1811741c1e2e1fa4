extension PackedGemm {
    /// At most this many rows with a row-major B run as streaming row updates.
    static let streamingRows = 3

    // C[i, :] (+)= sum over p of A[i, p] * B[p, :] for a few rows (a matrix-vector product, as
    // a batch-1 linear layer): B's rows are read front to back, once per row of C, four k
    // steps per pass over the C row (kept in L1), one fused multiply-add chain per element in
    // k order. Packing B or a register tile would cost more than the product here.

    /// Products under this many multiply-adds stream in one piece. From it on, k is cut in two
    /// halves, summed separately (on two threads when there are two) and then added. Splitting
    /// columns instead, each thread read the same half of every B row: with B's rows 2 KB
    /// apart that is half of the L2's sets, so a thread's share of a batch-1 layer did not
    /// stay in its cache. Two k halves are two contiguous runs of rows. The halves are cut the
    /// same way for any thread count, so the result is too.
    static let streamingParallelWork = 65_536

    /// Runs `streamingRows`, in k halves from `streamingParallelWork` multiply-adds on (when C
    /// fits the workspace's partial-sum buffer), then the write-back.
    static func streamingRows(_ p: Problem, _ a: MatrixView<Float>, _ b: MatrixView<Float>, threads: Int) {
        let halves = p.m * p.n * p.k >= streamingParallelWork && p.k >= 8 && p.m * p.n <= kc * nc
        guard halves else {
            streamingRows(p, a, b, k: 0..<p.k, into: p.c, ldc: p.ldc, accumulate: p.accumulate)
            p.writeBack.finish(p.c, ldc: p.ldc, rows: 0..<p.m, columns: 0..<p.n, part: 0)
            return
        }
        GemmWorkspace.with { workspace in
            // The second half's sums go to this thread's B buffer (unused by streaming products).
            var split = StreamingSplit(problem: p, a: a, b: b, partial: workspace.b, middle: p.k / 2 / 4 * 4)
            if Swift.min(cores, threads) > 1 {
                withUnsafeMutablePointer(to: &split) { split in
                    WorkerPool.forkJoin(iterations: 2, context: UnsafeMutableRawPointer(split)) { context, half in
                        context.assumingMemoryBound(to: StreamingSplit.self).pointee.run(half: half)
                    }
                }
            } else {
                split.run(half: 0)
                split.run(half: 1)
            }
            for i in 0..<p.m {
                let (row, partial) = (p.c + i * p.ldc, workspace.b + i * p.n)
                for j in 0..<p.n { row[j] += partial[j] }
            }
            p.writeBack.finish(p.c, ldc: p.ldc, rows: 0..<p.m, columns: 0..<p.n, part: 0)
        }
    }

    /// One streaming product cut at k step `middle`: half 0 into C, half 1 into `partial`.
    private struct StreamingSplit {
        var problem: Problem, a: MatrixView<Float>, b: MatrixView<Float>, partial: UnsafeMutablePointer<Float>, middle: Int

        func run(half: Int) {
            let p = problem
            if half == 0 {
                streamingRows(p, a, b, k: 0..<middle, into: p.c, ldc: p.ldc, accumulate: p.accumulate)
            } else {
                streamingRows(p, a, b, k: middle..<p.k, into: partial, ldc: p.n, accumulate: false)
            }
        }
    }

    /// C[i, :] (+)= Σ over p in `k` of A[i, p] · B[p, :], C at `c` with row stride `ldc`.
    static func streamingRows(_ p: Problem, _ a: MatrixView<Float>, _ b: MatrixView<Float>, k: Range<Int>,
                              into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let n = p.n
        for i in 0..<p.m {
            let row = c + i * ldc, aRow = a.base + i * a.rowStride
            if !accumulate { row.update(repeating: 0, count: n) }
            var q = k.lowerBound
            while q + 4 <= k.upperBound {
                let scales = (aRow[q * a.columnStride], aRow[(q + 1) * a.columnStride],
                              aRow[(q + 2) * a.columnStride], aRow[(q + 3) * a.columnStride])
                let b0 = b.base + q * b.rowStride
                update(row, n, scales, b0, b0 + b.rowStride, b0 + 2 * b.rowStride, b0 + 3 * b.rowStride)
                q += 4
            }
            while q < k.upperBound {
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
