/// conv2d_weight_grad, the gradient of conv2d w.r.t. its weight, as GEMMs over an explicit
/// column matrix. Per group g, transposed (so that the big operand, the column matrix, is the
/// row-major A and only dy, usually the smaller, needs transposing):
///
///     dW_gᵀ[C/g·kH·kW, O/g] = cols_g[C/g·kH·kW, N·oH·oW] · dy_gᵀ[N·oH·oW, O/g]
///
/// where cols is conv2d's im2col with the images side by side, and dyᵀ holds dy with the
/// channels last. The reduction runs over every output position of the batch, so one product
/// per group has a deep k (digits_cnn: 144x32 over k = 2048) instead of one shallow product
/// per image. The matrices and the sums live in caller scratch; batches too big for
/// `weightGradScratchElements` run in chunks of whole images accumulated in order, and the
/// sums are transposed into dW at the end. The chunk size depends on the geometry only, and
/// every GEMM sums each output in one fixed k order whatever the threads, so results are
/// bit-identical for any thread count.

extension ConvGeometry {
    /// Elements of cols and dy per image.
    var weightGradImageElements: Int { (inChannels * taps + outChannels) * outH * outW }

    /// Images per product: as many as fit a fixed budget (1M elements), at least one.
    public var weightGradImagesPerChunk: Int {
        let budget = 1 << 20
        return Swift.max(1, Swift.min(batch, budget / Swift.max(1, weightGradImageElements)))
    }

    /// Elements of dW.
    var weightGradElements: Int { outChannels * (inChannels / group) * taps }

    /// Scratch elements `conv2dWeightGrad` needs: the sums, one chunk's cols and dyᵀ.
    public var weightGradScratchElements: Int { weightGradElements + weightGradImagesPerChunk * weightGradImageElements }
}

/// dw[O, C/group, kH, kW] = conv2d_weight_grad(x[N, C, H, W], dy[N, O, oH, oW]) in f32, `g` being
/// the forward conv's geometry; `scratch` holds `g.weightGradScratchElements` floats.
public func conv2dWeightGrad(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                             dw: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, parallelism: Parallelism) {
    WeightGrad(g: g, x: x, dy: dy, dw: dw, scratch: scratch).run(parallelism) { context, lower, upper, _ in
        context.assumingMemoryBound(to: WeightGrad<Float>.self).pointee.fill(lower..<upper)
    } products: { context, lower, upper, _ in
        context.assumingMemoryBound(to: WeightGrad<Float>.self).pointee.products(lower..<upper, threads: 1)
    }
}

/// conv2dWeightGrad in f64 (the blocked GEMM, one dot product per weight).
public func conv2dWeightGrad(_ g: ConvGeometry, x: UnsafePointer<Double>, dy: UnsafePointer<Double>,
                             dw: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>, parallelism: Parallelism) {
    WeightGrad(g: g, x: x, dy: dy, dw: dw, scratch: scratch).run(parallelism) { context, lower, upper, _ in
        context.assumingMemoryBound(to: WeightGrad<Double>.self).pointee.fill(lower..<upper)
    } products: { context, lower, upper, _ in
        context.assumingMemoryBound(to: WeightGrad<Double>.self).pointee.products(lower..<upper, threads: 1)
    }
}

/// One conv2dWeightGrad call: the chunk loop, the matrices' layout, the products. The split
/// work goes through C functions (`fill`, `products`) and a pointer to this, so running it
/// allocates nothing.
struct WeightGrad<T: KernelScalar> {
    let g: ConvGeometry
    let x: UnsafePointer<T>, dy: UnsafePointer<T>, dw: UnsafeMutablePointer<T>, scratch: UnsafeMutablePointer<T>
    /// The chunk being worked on: its first image and image count.
    var first = 0, images = 0

    var plane: Int { g.outH * g.outW }
    /// Rows of cols over every group: (channel, ky, kx).
    var steps: Int { g.inChannels * g.taps }
    /// The current chunk's k: its output positions.
    var depth: Int { images * plane }
    /// dWᵀ of each group, [C/g·kH·kW, O/g], group after group.
    var sums: UnsafeMutablePointer<T> { scratch }
    var cols: UnsafeMutablePointer<T> { scratch + g.weightGradElements }
    /// dyᵀ: [depth, O], row-major.
    var gradients: UnsafeMutablePointer<T> { cols + steps * depth }
    /// The GEMM shape of one group: m = C/group·kH·kW, n = O/group, k = the chunk's positions.
    var shape: GemmShape { GemmShape(m: g.inChannels / g.group * g.taps, n: g.outChannels / g.group, k: depth) }

    /// Runs every chunk: fills its matrices (rows split over threads), then its products,
    /// accumulating after the first chunk; then writes the sums out as dW.
    func run(_ parallelism: Parallelism, fill: Parallelism.ChunkFunction, products: Parallelism.ChunkFunction) {
        guard g.batch > 0, plane > 0 else {
            dw.update(repeating: T.zero, count: g.weightGradElements)
            return
        }
        // Fill units: per image, one per input channel (its kH·kW rows of cols) and one for dy.
        let (chunk, batch, unitsPerImage, cost) = (g.weightGradImagesPerChunk, g.batch, g.inChannels + 1, g.taps * plane)
        var state = self
        withUnsafeMutablePointer(to: &state) { state in
            let context = UnsafeMutableRawPointer(state)
            while state.pointee.first < batch {
                state.pointee.images = Swift.min(chunk, batch - state.pointee.first)
                parallelism.forEach(state.pointee.images * unitsPerImage, cost: cost, context: context, fill)
                state.pointee.multiply(parallelism, context: context, products)
                state.pointee.first += state.pointee.images
            }
        }
        transposeSums()
    }

    /// The chunk's products. f32 products big enough to split do so themselves; small ones
    /// (many groups, as depthwise) run side by side, a group per unit, as do the f64 products
    /// (the blocked GEMM is serial), a row of dWᵀ per unit.
    func multiply(_ parallelism: Parallelism, context: UnsafeMutableRawPointer, _ products: Parallelism.ChunkFunction) {
        let s = shape
        if T.self == Float.self, g.group == 1 || s.m * s.n * s.k >= gemmParallelWork {
            self.products(0..<g.group, threads: parallelism.threads)
            return
        }
        let units = T.self == Float.self ? g.group : steps
        let perUnit = (units == g.group ? s.m : 1) * s.n * s.k
        parallelism.forEach(units, cost: perUnit / 2, context: context, products)
    }

    /// Products of `units`: groups for f32, rows of dWᵀ (over every group) otherwise.
    func products(_ units: Range<Int>, threads: Int) {
        let s = shape
        for unit in units {
            let (group, rows) = T.self == Float.self ? (unit, 0..<s.m) : (unit / s.m, (unit % s.m)..<(unit % s.m + 1))
            let a = MatrixView(UnsafePointer(cols + (group * s.m + rows.lowerBound) * s.k), rowStride: s.k)
            let b = MatrixView(UnsafePointer(gradients + group * s.n), rowStride: g.outChannels)
            let c = sums + (group * s.m + rows.lowerBound) * s.n
            gemm(GemmShape(m: rows.count, n: s.n, k: s.k), a, b, c, ldc: s.n, accumulate: first > 0, threads: threads)
        }
    }

    /// dW[g·O/g + o, j] = dW_gᵀ[j, o].
    func transposeSums() {
        let (m, n) = (shape.m, shape.n)
        for group in 0..<g.group {
            let (source, target) = (sums + group * m * n, dw + group * n * m)
            for j in 0..<m {
                for o in 0..<n { target[o * m + j] = source[j * n + o] }
            }
        }
    }

    /// Fill units `units` of the chunk, image by image: unit c < C of image i writes its part
    /// of the cols rows of channel c, unit C its dy planes as dyᵀ's rows.
    func fill(_ units: Range<Int>) {
        let perImage = g.inChannels + 1
        for unit in units {
            let (image, c) = (unit / perImage, unit % perImage)
            let n = first + image
            if c == g.inChannels {
                transposeGradients(dy + n * g.outChannels * plane, into: gradients + image * plane * g.outChannels)
                continue
            }
            let source = x + (n * g.inChannels + c) * g.height * g.width
            var target = cols + c * g.taps * depth + image * plane
            for ky in 0..<g.kernelH {
                for kx in 0..<g.kernelW {
                    columnRow(source, ky: ky, kx: kx, into: target)
                    target += depth
                }
            }
        }
    }

    /// One image's dy [O, plane] as rows of dyᵀ [plane, O]: read across the channels, written
    /// in order (the source's O rows stay in L1 from one position to the next).
    func transposeGradients(_ source: UnsafePointer<T>, into target: UnsafeMutablePointer<T>) {
        let (o, plane) = (g.outChannels, plane)
        var row = target
        for p in 0..<plane {
            var read = source + p
            for k in 0..<o {
                row[k] = read.pointee
                read += plane
            }
            row += o
        }
    }

    /// One image's run of the cols row of tap (ky, kx) of `plane`: out[oy·oW + ox] =
    /// plane[oy·sH − padTop + ky·dH, ox·sW − padLeft + kx·dW], 0 in the padding. The valid
    /// columns are the same on every row, so they are found once and copied without checks.
    func columnRow(_ plane: UnsafePointer<T>, ky: Int, kx: Int, into out: UnsafeMutablePointer<T>) {
        let (rowOffset, offset) = (ky * g.dilationH - g.padTop, kx * g.dilationW - g.padLeft)
        // (Divisions by a stride of 1 are a measurable part of an 8x8 image's run.)
        let (start, stop) = g.strideW == 1 ? (-offset, g.width - offset) : (ceilDiv(-offset, g.strideW), ceilDiv(g.width - offset, g.strideW))
        let low = Swift.min(g.outW, Swift.max(0, start))
        let high = Swift.max(low, Swift.min(g.outW, stop))
        if g.strideH == 1 && g.strideW == 1 && g.outW == g.width {
            shiftedPlane(plane, rowOffset: rowOffset, offset: offset, columns: low..<high, into: out)
            return
        }
        for oy in 0..<g.outH {
            let target = out + oy * g.outW
            let iy = oy * g.strideH + rowOffset
            guard iy >= 0 && iy < g.height else {
                target.update(repeating: T.zero, count: g.outW)
                continue
            }
            let source = plane + iy * g.width + offset
            for ox in 0..<low { target[ox] = T.zero }
            if g.strideW == 1 {
                for ox in low..<high { target[ox] = source[ox] }
            } else {
                for ox in low..<high { target[ox] = source[ox * g.strideW] }
            }
            for ox in high..<g.outW { target[ox] = T.zero }
        }
    }

    /// `columnRow` of a stride-1 conv whose output rows are as wide as the image (a 3x3 conv
    /// padded by 1, a 1x1 conv): the run is the plane shifted by rowOffset·W + offset, so it
    /// is one contiguous copy, after which the columns the shift wrapped into a neighbouring
    /// row are zeroed. On 8x8 images short per-row copies cost 3x this.
    func shiftedPlane(_ plane: UnsafePointer<T>, rowOffset: Int, offset: Int, columns: Range<Int>, into out: UnsafeMutablePointer<T>) {
        let (w, size) = (g.width, g.height * g.width)
        let rows = Swift.min(g.outH, Swift.max(0, -rowOffset))..<Swift.max(0, Swift.min(g.outH, g.height - rowOffset))
        guard !rows.isEmpty else {
            out.update(repeating: T.zero, count: g.outH * w)
            return
        }
        let shift = rowOffset * w + offset
        // Targets whose source lies outside the plane are wrapped columns too: zero them here.
        let start = Swift.min(rows.upperBound * w, Swift.max(rows.lowerBound * w, -shift))
        let end = Swift.max(start, Swift.min(rows.upperBound * w, size - shift))
        out.update(repeating: T.zero, count: start)
        if T.self == Float.self {
            // Inline vectors: a memmove call per short run cost more than the copy.
            PackedGemm.copyInterior(UnsafeRawPointer(plane + start + shift).assumingMemoryBound(to: Float.self), end - start,
                                    into: UnsafeMutableRawPointer(out + start).assumingMemoryBound(to: Float.self))
        } else {
            (out + start).update(from: plane + start + shift, count: end - start)
        }
        (out + end).update(repeating: T.zero, count: g.outH * w - end)
        // Column by column down the rows: a pad or two per row, not worth a memset call each.
        func zero(column ox: Int) {
            var cell = out + rows.lowerBound * w + ox
            for _ in rows {
                cell.pointee = T.zero
                cell += w
            }
        }
        for ox in 0..<columns.lowerBound { zero(column: ox) }
        for ox in columns.upperBound..<w { zero(column: ox) }
    }
}
