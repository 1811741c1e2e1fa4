import Foundation

/// The packed f32 GEMM (BLIS-style): C (+)= A·B over blocks of KC k-steps. For each block of
/// NC columns and KC k-steps the B block is packed into NR-wide panels (kept in L2), for each
/// MC rows the A block into MR-tall slivers; the micro-kernel then runs one A sliver (in L1)
/// against every B panel. Packing zero-pads the edges, so the micro-kernels always run full
/// tiles; a tile with fewer than 32 valid columns goes through a scratch tile. When M is small
/// a row-major B is read in place (packing it would cost more than the product). Operands
/// packed beforehand (`PackedOperand`, constant weights) are read as they are, a conv image
/// is packed straight from the image (GemmImagePacking.swift), and each MR-row strip gets the
/// write-back (bias, fused epilogue) right after its last k block (GemmOperands.swift).
///
/// Threads split N (or M, see `splitsRows`): every element of C is computed by one thread, in
/// the same k order as with one thread, so results are bit-identical for any thread count.
enum PackedGemm {
    static let mr = 12, nr = 32
    static let kc = 256, mc = 480, nc = 1024
    /// The k steps per block for a depth of k: KC at most, the blocks evened out (576 = 3 x 192,
    /// not 256 + 256 + 64: a short last block pays the C round trip for few k steps).
    static func blockDepth(_ k: Int) -> Int {
        let blocks = Swift.max(1, (k + kc - 1) / kc)
        return (k + blocks - 1) / blocks
    }

    /// Below this many rows a row-major B is read in place instead of packed.
    static let inPlaceRows = 16
    /// Products under this many multiply-adds run on the calling thread: ~10 µs of packed
    /// kernel time. Since workers keep their share and the caller polls for the join
    /// (WorkerPool), an LSTM step's 8x1024x256 product pays for splitting (lstm at 2 threads
    /// 2.2 -> 1.7 ms median); with a sleeping join it did not, and the bar was 4M.
    static let parallelWork = 1_000_000

    /// Read once: `activeProcessorCount` costs far more than a small product.
    static let cores = ProcessInfo.processInfo.activeProcessorCount

    /// The operands of one call, as raw pointers a worker thread can take.
    struct Problem: @unchecked Sendable {
        var m: Int, n: Int, k: Int
        var a: GemmOperandA, b: GemmOperandB
        var c: UnsafeMutablePointer<Float>, ldc: Int
        var accumulate: Bool
        var writeBack: GemmWriteBack = .none

        /// B as a row-major matrix read in place, when it is one.
        var rowMajorB: MatrixView<Float>? {
            if case .matrix(let b) = b, b.columnStride == 1 { return b }
            return nil
        }
    }

    static func run(_ p: Problem, threads: Int) {
        if p.m <= streamingRows, let b = p.rowMajorB, case .matrix(let a) = p.a {
            streamingRows(p, a, b, threads: threads)
            return
        }
        let panels = (p.n + nr - 1) / nr, slivers = (p.m + mr - 1) / mr
        let splitRows = splitsRows(p)
        let parts = p.m * p.n * p.k < parallelWork ? 1 : Swift.min(cores, threads, splitRows ? slivers : panels)
        if parts <= 1 {
            GemmWorkspace.with { run(p, rows: 0..<p.m, columns: 0..<p.n, part: 0, $0) }
            return
        }
        // The pool's context form: no closure context to allocate on every product.
        var split = Split(problem: p, parts: parts, splitRows: splitRows, panels: panels, slivers: slivers)
        withUnsafeMutablePointer(to: &split) { split in
            WorkerPool.forkJoin(iterations: parts, context: UnsafeMutableRawPointer(split)) { context, part in
                context.assumingMemoryBound(to: Split.self).pointee.run(part: part)
            }
        }
    }

    /// One threaded product: which part of C each of `parts` threads computes.
    private struct Split {
        var problem: Problem, parts: Int, splitRows: Bool, panels: Int, slivers: Int

        /// Whole slivers / panels per part: every element is still computed by one thread
        /// with the same k blocking, whichever kernel covers it, so the result is the same.
        func run(part: Int) {
            let p = problem
            if splitRows {
                let lo = slivers * part / parts * mr, hi = Swift.min(p.m, slivers * (part + 1) / parts * mr)
                if lo < hi { GemmWorkspace.with { PackedGemm.run(p, rows: lo..<hi, columns: 0..<p.n, part: part, $0) } }
            } else {
                let lo = panels * part / parts * nr, hi = Swift.min(p.n, panels * (part + 1) / parts * nr)
                if lo < hi { GemmWorkspace.with { PackedGemm.run(p, rows: 0..<p.m, columns: lo..<hi, part: part, $0) } }
            }
        }
    }

    /// Whether threads split rows (each packs its rows of A and all of B) rather than columns
    /// (each packs all of A and its columns of B): rows when B costs nothing to pack (already
    /// packed) or A is the larger packing job, as long as there are rows enough to go round.
    static func splitsRows(_ p: Problem) -> Bool {
        guard p.m >= 4 * mr else { return false }
        switch (p.a, p.b) {
        case (.packed, _), (_, .image): return false
        case (.matrix, .packed): return true
        case (.matrix, .matrix): return 2 * p.m >= p.n
        }
    }

    /// C[rows, columns] (+)= A[rows, :] · B[:, columns], then the write-back on each finished
    /// block. `rows` starts at a multiple of MR (a pre-packed A's sliver boundary).
    static func run(_ p: Problem, rows: Range<Int>, columns: Range<Int>, part: Int, _ w: GemmWorkspace) {
        let inPlace = p.rowMajorB != nil && p.m < inPlaceRows
        var jc = columns.lowerBound
        while jc < columns.upperBound {
            let ncb = Swift.min(nc, columns.upperBound - jc)
            var pc = 0
            while pc < p.k {
                let kcb = Swift.min(blockDepth(p.k), p.k - pc)
                let panels = panelsOfB(p, rows: pc, kcb, columns: jc, ncb, inPlace: inPlace, w)
                var ic = rows.lowerBound
                while ic < rows.upperBound {
                    let mcb = Swift.min(mc, rows.upperBound - ic)
                    let slivers: UnsafePointer<Float>
                    switch p.a {
                    case .matrix(let a):
                        packA(a, rows: ic, mcb, columns: pc, kcb, into: w.a)
                        slivers = UnsafePointer(w.a)
                    case .packed(let a):
                        slivers = a.block(k0: pc, depth: kcb, start: ic)
                    }
                    let block = Block(rows: ic, columns: jc, k: pc, m: mcb, n: ncb, kc: kcb, load: p.accumulate || pc > 0,
                                      last: pc + kcb == p.k)
                    multiply(p, block, slivers: slivers, panels: panels, part: part, w)
                    ic += mcb
                }
                pc += kcb
            }
            jc += ncb
        }
    }

    /// The packed panels of B[rows..<rows+k, columns..<columns+n]: packed now into the
    /// workspace, already packed, or nil when a row-major B is read in place.
    static func panelsOfB(_ p: Problem, rows: Int, _ k: Int, columns: Int, _ n: Int, inPlace: Bool,
                          _ w: GemmWorkspace) -> UnsafePointer<Float>? {
        switch p.b {
        case .matrix(let b):
            if inPlace { return nil }
            packB(b, rows: rows, k, columns: columns, n, into: w.b)
        case .packed(let b):
            return b.block(k0: rows, depth: k, start: columns)
        case .image(let image):
            packImage(image, rows: rows, k, columns: columns, n, into: w.b)
        }
        return UnsafePointer(w.b)
    }

    /// One packed block: C[rows..., columns...] over k-steps k..<k+kc; `last` when it is the
    /// final k block (the write-back then runs on each finished MR-row strip).
    struct Block { var rows: Int, columns: Int, k: Int, m: Int, n: Int, kc: Int, load: Bool, last: Bool }

    static func multiply(_ p: Problem, _ blk: Block, slivers: UnsafePointer<Float>, panels: UnsafePointer<Float>?,
                         part: Int, _ w: GemmWorkspace) {
        var ir = 0
        while ir < blk.m {
            let rows = Swift.min(mr, blk.m - ir)
            let sliver = slivers + ir * blk.kc
            var jr = 0
            while jr < blk.n {
                let cols = Swift.min(nr, blk.n - jr)
                let target = p.c + (blk.rows + ir) * p.ldc + blk.columns + jr
                var (panel, ldb) = (panels.map { $0 + jr * blk.kc } ?? UnsafePointer(w.b), nr)
                if panels == nil, let b = p.rowMajorB {
                    if cols == nr {
                        (panel, ldb) = (b.base + blk.k * b.rowStride + blk.columns + jr, b.rowStride)
                    } else {
                        packB(b, rows: blk.k, blk.kc, columns: blk.columns + jr, cols, into: w.b)
                    }
                }
                if cols == nr {
                    tile(rows, blk.kc, sliver, panel, ldb: ldb, target, ldc: p.ldc, load: blk.load)
                } else {
                    tile(rows, blk.kc, sliver, panel, ldb: ldb, w.tile, ldc: nr, load: false)
                    for r in 0..<rows {
                        let (dst, src) = (target + r * p.ldc, w.tile + r * nr)
                        for j in 0..<cols { dst[j] = blk.load ? dst[j] + src[j] : src[j] }
                    }
                }
                jr += cols
            }
            if blk.last && !p.writeBack.isEmpty {
                let first = blk.rows + ir
                p.writeBack.finish(p.c, ldc: p.ldc, rows: first..<(first + rows), columns: blk.columns..<(blk.columns + blk.n),
                                   part: part)
            }
            ir += rows
        }
    }

    /// The smallest micro-kernel covering `rows`; C must have room for its MR rows when rows
    /// are padded (the scratch tile does; full 32-column tiles in C only get `rows` rows).
    @inline(__always)
    static func tile(_ rows: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, ldb: Int,
                     _ c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool) {
        microKernel(rows: rows, kc, a, aStride: mr, b, ldb: ldb, c, ldc: ldc, load: load, segments: OneKLoop())
    }

    /// `tile` summing several k loops.
    @inline(__always)
    static func tile(_ rows: Int, _ kc: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, ldb: Int,
                     _ c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, segments: KSegments) {
        microKernel(rows: rows, kc, a, aStride: mr, b, ldb: ldb, c, ldc: ldc, load: load, segments: segments)
    }
}
