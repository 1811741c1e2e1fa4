/// conv2d in f32 for stride-1 convs as shifted products over a zero-padded copy of the image.
///
/// Lay the output out with the padded row width Wp (oW valid columns, then Wp − oW junk ones):
/// output position j' = oy·Wp + ox then reads the padded image at j' + ky·dH·Wp + kx·dW for tap
/// (ky, kx). So for one tap, B[c, j'] = xp[c·plane + tapOffset + j'] is a plain strided matrix
/// (row stride: the padded plane) that the micro-kernels read in place: no im2col and no B
/// packing, which was 40% of a 64-channel 3x3 conv even when packed straight from the image.
/// The weights are packed per tap (A_t[m, c] = w[m, c, t]) when the plan is prepared. The
/// price: one copy of the input into scratch per call, and the junk columns, computed into a
/// scratch tile and dropped when the tile is copied out.
///
/// Each output element is summed by one thread in one order (taps, then channels), whatever
/// the thread count, so results are bit-identical across thread counts.
public enum ConvShifted {
    /// Channels per group from which even a small conv runs shifted (see `applies`).
    static let minimumGroupChannels = 4

    /// Whether `g` runs shifted: stride 1 with a real window (a pointwise conv is a plain GEMM)
    /// and at least `minimumGroupChannels` channels per group unless the conv is too big for a
    /// gather table (`ConvGatherTable`). With fewer, each tap's k loop is too short for the
    /// micro-kernel to gain over packing through the table (cifar_cnn's 3-channel conv: no faster);
    /// from 4 on the shifted conv wins even on small convs, where it saves the table's gathers
    /// (lenet's second conv, 6 channels: the model 31 -> 26 µs).
    public static func applies(_ g: ConvGeometry) -> Bool {
        packedGemmAvailable && g.strideH == 1 && g.strideW == 1 && !g.isPointwise
            && (g.inChannels / g.group >= minimumGroupChannels || ConvGatherTable.elements(g) == nil)
            && g.padTop >= 0 && g.padLeft >= 0 && paddedHeight(g) >= g.height + g.padTop && paddedWidth(g) >= g.width + g.padLeft
    }

    static func paddedWidth(_ g: ConvGeometry) -> Int { g.outW + (g.kernelW - 1) * g.dilationW }
    static func paddedHeight(_ g: ConvGeometry) -> Int { g.outH + (g.kernelH - 1) * g.dilationH }

    /// Scratch floats per (image, group) in flight: the padded channels of one group plus the
    /// slack the last panel of the last tap reads past them (zeros).
    public static func scratchElements(_ g: ConvGeometry) -> Int {
        g.inChannels / g.group * paddedHeight(g) * paddedWidth(g) + (g.kernelW - 1) * g.dilationW + PackedGemm.nr
    }

    /// Packs `w[M, C/group, kH, kW]` per group and tap into `into` (`ConvWeights.packedElements`).
    static func packWeights(_ g: ConvGeometry, w: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>) {
        let (cg, mg, taps) = (g.inChannels / g.group, g.outChannels / g.group, g.taps)
        let tapElements = PackedOperand.elements(role: .a, extent: mg, k: cg)
        for group in 0..<g.group {
            for tap in 0..<taps {
                let source = MatrixView(w + group * mg * cg * taps + tap, rowStride: cg * taps, columnStride: taps)
                _ = PackedOperand(packing: source, role: .a, extent: mg, k: cg, into: into + (group * taps + tap) * tapElements)
            }
        }
    }

    /// One (image, group): out[mg, oH·oW] = Σ_taps A_t · B_t, then the write-back; `packed` is
    /// this group's per-tap weights, `padded` its scratch (`scratchElements`).
    static func run(_ g: ConvGeometry, x: UnsafePointer<Float>, packed: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                    padded: UnsafeMutablePointer<Float>, writeBack: GemmWriteBack, threads: Int) {
        var job = Job(g: g, x: x, xp: padded, packed: packed, out: out, writeBack: writeBack)
        let work = job.mg * job.columns * job.cg * g.taps
        let parts = work < PackedGemm.parallelWork ? 1 : Swift.min(PackedGemm.cores, threads, job.panels)
        job.parts = parts
        if parts <= 1 {
            pad(g, x: x, rows: 0..<paddedHeight(g), into: padded)
            job.run(part: 0)
            return
        }
        // Each thread pads the rows its columns mostly read, so they are in its own cache.
        withUnsafeMutablePointer(to: &job) { job in
            WorkerPool.forkJoin(iterations: parts, context: UnsafeMutableRawPointer(job)) { context, part in
                context.assumingMemoryBound(to: Job.self).pointee.pad(part: part)
            }
            WorkerPool.forkJoin(iterations: parts, context: UnsafeMutableRawPointer(job)) { context, part in
                context.assumingMemoryBound(to: Job.self).pointee.run(part: part)
            }
        }
    }

    /// xp[c, r, q] = x[c, r − padTop, q − padLeft] inside the image, 0 elsewhere, for padded
    /// rows `rows` of every channel; the slack after the last channel is zeroed with the last row.
    static func pad(_ g: ConvGeometry, x: UnsafePointer<Float>, rows: Range<Int>, into xp: UnsafeMutablePointer<Float>) {
        let (wp, hp, cg) = (paddedWidth(g), paddedHeight(g), g.inChannels / g.group)
        for c in 0..<cg {
            let (plane, source) = (xp + c * hp * wp, x + c * g.height * g.width)
            for r in rows {
                let row = plane + r * wp, iy = r - g.padTop
                guard iy >= 0 && iy < g.height else {
                    row.update(repeating: 0, count: wp)
                    continue
                }
                row.update(repeating: 0, count: g.padLeft)
                PackedGemm.copyInterior(source + iy * g.width, g.width, into: row + g.padLeft)
                (row + g.padLeft + g.width).update(repeating: 0, count: wp - g.padLeft - g.width)
            }
        }
        if rows.upperBound == hp { (xp + cg * hp * wp).update(repeating: 0, count: scratchElements(g) - cg * hp * wp) }
    }

    /// The product of one (image, group), split over `parts` threads by whole panels of the
    /// padded output columns.
    struct Job: @unchecked Sendable {
        let g: ConvGeometry, x: UnsafePointer<Float>, padded: UnsafeMutablePointer<Float>, packed: UnsafePointer<Float>
        let out: UnsafeMutablePointer<Float>, writeBack: GemmWriteBack
        var parts = 1
        var cg: Int { g.inChannels / g.group }
        var mg: Int { g.outChannels / g.group }
        var wp: Int { ConvShifted.paddedWidth(g) }
        /// Padded output columns: oH rows of Wp.
        var columns: Int { g.outH * wp }
        var panels: Int { (columns + PackedGemm.nr - 1) / PackedGemm.nr }

        var xp: UnsafePointer<Float> { UnsafePointer(padded) }

        init(g: ConvGeometry, x: UnsafePointer<Float>, xp: UnsafeMutablePointer<Float>, packed: UnsafePointer<Float>,
             out: UnsafeMutablePointer<Float>, writeBack: GemmWriteBack) {
            (self.g, self.x, padded, self.packed, self.out, self.writeBack) = (g, x, xp, packed, out, writeBack)
        }

        /// This part's share of the padded rows, split where its panels' output rows begin.
        func pad(part: Int) {
            let hp = ConvShifted.paddedHeight(g)
            func boundary(_ part: Int) -> Int {
                part == 0 ? 0 : part == parts ? hp : Swift.min(hp, panels * part / parts * PackedGemm.nr / wp)
            }
            ConvShifted.pad(g, x: x, rows: boundary(part)..<boundary(part + 1), into: padded)
        }

        /// Panels per write-back block: the B columns of a block (all taps) stay in L2 while
        /// every sliver of A passes over them.
        static let blockPanels = 8

        /// This part's panels, block by block, through the thread's MR x NR scratch tile (a
        /// temporary allocation of that size may go to the heap: over 1 KB, Swift asks the
        /// thread for its stack bounds, which glibc reads from /proc, with malloc, on the
        /// main thread).
        func run(part: Int) {
            GemmWorkspace.with { run(part: part, tile: $0.tile) }
        }

        private func run(part: Int, tile: UnsafeMutablePointer<Float>) {
            let nr = PackedGemm.nr
            let first = panels * part / parts, last = panels * (part + 1) / parts
            var block = first
            while block < last {
                let end = Swift.min(last, block + Self.blockPanels)
                var row = 0
                while row < mg {
                    let rows = Swift.min(PackedGemm.mr, mg - row)
                    for panel in block..<end { multiply(rows: row, rows, panel: panel, tile: tile) }
                    writeBack.finish(out, ldc: g.outH * g.outW, rows: row..<(row + rows),
                                     columns: outputColumn(block * nr)..<outputColumn(end * nr), part: part)
                    row += rows
                }
                block = end
            }
        }

        /// out[row..<row+rows, the panel's valid columns] = Σ over taps and channels.
        func multiply(rows row: Int, _ rows: Int, panel: Int, tile: UnsafeMutablePointer<Float>) {
            let (nr, wp, cg) = (PackedGemm.nr, wp, cg)
            let plane = ConvShifted.paddedHeight(g) * wp
            let depth = PackedGemm.blockDepth(cg)
            let tapElements = PackedOperand.elements(role: .a, extent: mg, k: cg)
            let start = panel * nr
            // One micro-kernel call per k block sums every tap (`KSegments`): the tile's
            // accumulators stay in registers across taps instead of a C round trip per tap.
            var k0 = 0
            while k0 < cg {
                let kc = Swift.min(depth, cg - k0)
                let sliver = PackedOperand(packed: packed, source: MatrixView(packed, rowStride: cg), role: .a, extent: mg, k: cg)
                    .block(k0: k0, depth: kc, start: row)
                PackedGemm.tile(rows, kc, sliver, xp + k0 * plane + start, ldb: plane, tile, ldc: nr, load: k0 > 0,
                                segments: KSegments(rows: g.kernelH, columns: g.kernelW, aStride: tapElements,
                                                    rowStep: g.dilationH * wp, columnStep: g.dilationW))
                k0 += kc
            }
            // Copy the valid columns out, one output row's run at a time.
            let ldc = g.outH * g.outW
            var q = 0
            while q < nr && start + q < columns {
                let (oy, ox) = ((start + q) / wp, (start + q) % wp)
                if ox >= g.outW {
                    q += wp - ox
                    continue
                }
                let run = Swift.min(g.outW - ox, nr - q, columns - start - q)
                let target = out + row * ldc + oy * g.outW + ox
                for r in 0..<rows { PackedGemm.copyInterior(tile + r * nr + q, run, into: target + r * ldc) }
                q += run
            }
        }

        /// The output column (oy·oW + ox) where padded column `j` (or the first valid one after it) lands.
        func outputColumn(_ j: Int) -> Int {
            let j = Swift.min(j, columns)
            return j / wp * g.outW + Swift.min(j % wp, g.outW)
        }
    }
}
