import Foundation

extension PackedGemm {
    /// Packs A[rows..<rows+m, columns..<columns+k] into MR-row slivers: sliver s holds, for each
    /// k step p, rows 12s..<12s+12 at `into[s * k * MR + p * MR + r]`, zero-padded past m.
    static func packA(_ a: MatrixView<Float>, rows: Int, _ m: Int, columns: Int, _ k: Int, into: UnsafeMutablePointer<Float>) {
        var s = 0
        while s * mr < m {
            let sliver = into + s * k * mr, height = Swift.min(mr, m - s * mr)
            for r in 0..<mr where r >= height {
                for p in 0..<k { sliver[p * mr + r] = 0 }
            }
            if height == mr && a.columnStride == 1 {
                packFullSliver(a.base + (rows + s * mr) * a.rowStride + columns, rowStride: a.rowStride, k, into: sliver)
                s += 1
                continue
            }
            for r in 0..<height {
                let row = a.base + (rows + s * mr + r) * a.rowStride + columns * a.columnStride
                if a.columnStride == 1 {
                    for p in 0..<k { sliver[p * mr + r] = row[p] }
                } else {
                    for p in 0..<k { sliver[p * mr + r] = row[p * a.columnStride] }
                }
            }
            s += 1
        }
    }

    /// One full 12-row sliver of a row-major A, k step by k step: twelve loads (one from each
    /// row, each row read front to back) and one contiguous run of twelve stores per step.
    /// Row by row instead, each store landed 48 bytes after the last: packing A took 15.6% of
    /// a transformer layer at 1 thread, now 9.2% (perf).
    @inline(__always)
    static func packFullSliver(_ a: UnsafePointer<Float>, rowStride: Int, _ k: Int, into sliver: UnsafeMutablePointer<Float>) {
        let (r0, r1, r2, r3) = (a, a + rowStride, a + 2 * rowStride, a + 3 * rowStride)
        let (r4, r5, r6, r7) = (a + 4 * rowStride, a + 5 * rowStride, a + 6 * rowStride, a + 7 * rowStride)
        let (r8, r9, r10, r11) = (a + 8 * rowStride, a + 9 * rowStride, a + 10 * rowStride, a + 11 * rowStride)
        var dst = sliver
        for p in 0..<k {
            dst[0] = r0[p]; dst[1] = r1[p]; dst[2] = r2[p]; dst[3] = r3[p]
            dst[4] = r4[p]; dst[5] = r5[p]; dst[6] = r6[p]; dst[7] = r7[p]
            dst[8] = r8[p]; dst[9] = r9[p]; dst[10] = r10[p]; dst[11] = r11[p]
            dst += mr
        }
    }

    /// Packs B[rows..<rows+k, columns..<columns+n] into NR-column panels: panel t holds, for each
    /// k step p, columns 32t..<32t+32 at `into[t * k * NR + p * NR + j]`, zero-padded past n.
    static func packB(_ b: MatrixView<Float>, rows: Int, _ k: Int, columns: Int, _ n: Int, into: UnsafeMutablePointer<Float>) {
        var t = 0
        while t * nr < n {
            let panel = into + t * k * nr, width = Swift.min(nr, n - t * nr)
            let origin = b.base + rows * b.rowStride + (columns + t * nr) * b.columnStride
            if b.columnStride == 1 {
                for p in 0..<k {
                    let (src, dst) = (origin + p * b.rowStride, panel + p * nr)
                    if width == nr {
                        // Two vectors inline: a memcpy call per 128 bytes cost more than the copy.
                        let raw = UnsafeMutableRawPointer(dst)
                        raw.storeBytes(of: loadVector(src), as: SIMD16<Float>.self)
                        raw.storeBytes(of: loadVector(src + 16), toByteOffset: 64, as: SIMD16<Float>.self)
                    } else {
                        for j in 0..<nr { dst[j] = j < width ? src[j] : 0 }
                    }
                }
            } else {
                // Columns are the contiguous direction (a transposed B): read each one in order.
                for j in 0..<nr {
                    let column = origin + j * b.columnStride
                    if j < width {
                        for p in 0..<k { panel[p * nr + j] = column[p * b.rowStride] }
                    } else {
                        for p in 0..<k { panel[p * nr + j] = 0 }
                    }
                }
            }
            t += 1
        }
    }
}

/// Packing buffers for one thread of the packed GEMM: an MC x KC A block, a KC x NC B block and
/// one MR x NR scratch tile. Each thread keeps the same workspace for its life: handed out
/// from a shared free list instead, the buffers moved between cores from call to call and
/// every packing store first had to pull the line from the other core's cache.
final class GemmWorkspace: @unchecked Sendable {
    let a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>

    private init() {
        a = .allocate(capacity: PackedGemm.mc * PackedGemm.kc)
        b = .allocate(capacity: PackedGemm.kc * PackedGemm.nc)
        tile = .allocate(capacity: PackedGemm.mr * PackedGemm.nr)
        // Touch every page now, not in the first timed call.
        a.initialize(repeating: 0, count: PackedGemm.mc * PackedGemm.kc)
        b.initialize(repeating: 0, count: PackedGemm.kc * PackedGemm.nc)
        tile.initialize(repeating: 0, count: PackedGemm.mr * PackedGemm.nr)
    }

    /// One per core made at the first use: a worker thread that first joins a split after
    /// the warm-up runs takes one of these instead of allocating (and paging in) its own
    /// during a timed run.
    nonisolated(unsafe) private static var spare: [GemmWorkspace] = (0..<Swift.max(1, PackedGemm.cores)).map { _ in GemmWorkspace() }
    private static let lock = NSLock()
    /// The calling thread's workspace (an unmanaged reference, kept for the thread's life:
    /// the executor's threads and the pool's workers live as long as the process).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` with the calling thread's workspace (a thread runs one GEMM at a time).
    static func with(_ body: (GemmWorkspace) -> Void) {
        if let owned = pthread_getspecific(key) {
            body(Unmanaged<GemmWorkspace>.fromOpaque(owned).takeUnretainedValue())
            return
        }
        lock.lock()
        let workspace = spare.popLast() ?? GemmWorkspace()
        lock.unlock()
        pthread_setspecific(key, Unmanaged.passRetained(workspace).toOpaque())
        body(workspace)
    }
}
