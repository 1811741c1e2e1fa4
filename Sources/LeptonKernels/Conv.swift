/// 2-D convolution and transposed convolution (NCHW) as im2col / col2im around `gemm`. The
/// column buffer is caller scratch (`ConvGeometry.scratchElements`), so nothing allocates.
/// f32 conv2d with the packed GEMM compiled in takes `conv2dF32` (ConvPacked.swift) instead:
/// no column matrix, weights packed once; this path serves the other types and portable builds.

/// Everything a conv kernel needs, resolved when the step is prepared (pads already explicit).
public struct ConvGeometry: Hashable, Sendable {
    public var batch: Int, inChannels: Int, height: Int, width: Int
    public var outChannels: Int, kernelH: Int, kernelW: Int, outH: Int, outW: Int
    public var strideH: Int, strideW: Int, dilationH: Int, dilationW: Int
    public var padTop: Int, padLeft: Int, group: Int

    public init(batch: Int, inChannels: Int, height: Int, width: Int, outChannels: Int, kernelH: Int, kernelW: Int,
                outH: Int, outW: Int, strides: [Int], dilations: [Int], padTop: Int, padLeft: Int, group: Int) {
        (self.batch, self.inChannels, self.height, self.width) = (batch, inChannels, height, width)
        (self.outChannels, self.kernelH, self.kernelW, self.outH, self.outW) = (outChannels, kernelH, kernelW, outH, outW)
        (self.strideH, self.strideW, self.dilationH, self.dilationW) = (strides[0], strides[1], dilations[0], dilations[1])
        (self.padTop, self.padLeft, self.group) = (padTop, padLeft, group)
    }

    public var taps: Int { kernelH * kernelW }
    /// A 1x1, stride-1, unpadded conv reads x directly as its column matrix.
    public var isPointwise: Bool { taps == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == height && outW == width }

    /// Scratch elements conv2d needs (the im2col matrix of one group).
    public var convScratchElements: Int { isPointwise ? 0 : (inChannels / group) * taps * outH * outW }
    /// Scratch elements conv_transpose2d needs (the column matrix of one group).
    public var transposeScratchElements: Int { (outChannels / group) * taps * height * width }
}

/// conv2d(x[N, C, H, W], w[M, C/group, kH, kW], b[M]?) -> out[N, M, oH, oW].
///
/// The (batch, group) pairs write disjoint outputs, so they are split over `parallelism`'s
/// threads, chunk `c` using the scratch at `scratch + c * scratchStride` (elements); a single
/// pair splits its im2col over channels instead. Each output is summed by one `gemm` call
/// either way, so the result does not depend on the thread count.
@inlinable public func conv2d<T: KernelScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, w: UnsafePointer<T>, bias: UnsafePointer<T>?,
                                    out: UnsafeMutablePointer<T>, scratch: UnsafeMutablePointer<T>,
                                    scratchStride: Int = 0, parallelism: Parallelism = .serial) {
    let units = g.batch * g.group
    let cg = g.inChannels / g.group, mg = g.outChannels / g.group
    let work = mg * g.outH * g.outW * cg * g.taps + cg * g.taps * g.outH * g.outW
    let shared = Shared((x, w, bias, out, scratch))
    if parallelism.chunks(units, cost: work) > 1 {
        parallelism.forEach(units, cost: work) { range, chunk in
            let (x, w, bias, out, scratch) = shared.value
            for unit in range {
                convUnit(g, n: unit / g.group, group: unit % g.group, x: x, w: w, bias: bias, out: out,
                         scratch: scratch + chunk * scratchStride, parallelism: .serial)
            }
        }
        return
    }
    for unit in 0..<units {
        convUnit(g, n: unit / g.group, group: unit % g.group, x: x, w: w, bias: bias, out: out, scratch: scratch,
                 parallelism: parallelism)
    }
}

/// One (batch, group) pair of conv2d: im2col (split over channels), gemm, then the group's bias.
@inlinable func convUnit<T: KernelScalar>(_ g: ConvGeometry, n: Int, group: Int, x: UnsafePointer<T>,
                                                            w: UnsafePointer<T>, bias: UnsafePointer<T>?, out: UnsafeMutablePointer<T>,
                                                            scratch: UnsafeMutablePointer<T>, parallelism: Parallelism) {
    let cg = g.inChannels / g.group, mg = g.outChannels / g.group
    let plane = g.outH * g.outW, inPlane = g.height * g.width, depth = cg * g.taps
    let xg = x + (n * g.inChannels + group * cg) * inPlane
    let columns: UnsafePointer<T>
    if g.isPointwise {
        columns = xg
    } else {
        let shared = Shared((xg, scratch))
        parallelism.forEach(cg, cost: g.taps * plane) { range, _ in
            im2col(g, shared.value.0, channels: range, shared.value.1)
        }
        columns = UnsafePointer(scratch)
    }
    let weights = MatrixView(w + group * mg * depth, rowStride: depth)
    let target = out + (n * g.outChannels + group * mg) * plane
    gemm(GemmShape(m: mg, n: plane, k: depth), weights, MatrixView(columns, rowStride: plane), target,
         ldc: plane, accumulate: false, threads: parallelism.threads)
    if let bias { addChannelBias(bias + group * mg, target, channels: mg, plane: plane) }
}

/// col[(c·kH + ky)·kW + kx, oy·oW + ox] = x[c, oy·sH − padTop + ky·dH, ox·sW − padLeft + kx·dW], 0 outside,
/// for the channels `channels` (their rows only).
@inlinable func im2col<T: KernelScalar>(_ g: ConvGeometry, _ x: UnsafePointer<T>, channels: Range<Int>,
                                                          _ col: UnsafeMutablePointer<T>) {
    var row = col + channels.lowerBound * g.taps * g.outH * g.outW
    for c in channels {
        let image = x + c * g.height * g.width
        for ky in 0..<g.kernelH {
            for kx in 0..<g.kernelW {
                for oy in 0..<g.outH {
                    let iy = oy * g.strideH - g.padTop + ky * g.dilationH
                    let target = row + oy * g.outW
                    guard iy >= 0 && iy < g.height else {
                        target.update(repeating: T.zero, count: g.outW)
                        continue
                    }
                    let source = image + iy * g.width
                    let offset = kx * g.dilationW - g.padLeft
                    for ox in 0..<g.outW {
                        let ix = ox * g.strideW + offset
                        target[ox] = ix >= 0 && ix < g.width ? source[ix] : T.zero
                    }
                }
                row += g.outH * g.outW
            }
        }
    }
}

/// out[c, p] += bias[c] over `channels` planes of `plane` elements.
@inlinable public func addChannelBias<T: KernelScalar>(_ bias: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, channels: Int, plane: Int) {
    for c in 0..<channels {
        let b = bias[c], row = out + c * plane
        for i in 0..<plane { row[i] = T.add(row[i], b) }
    }
}

/// conv_transpose2d(x[N, C, H, W], w[C, M/group, kH, kW], b[M]?) -> out[N, M, oH, oW]: per
/// group, col = Wᵀ·x, then every column entry is scattered (added) to its output position.
@inlinable public func convTranspose2d<T: KernelScalar>(_ g: ConvGeometry, x: UnsafePointer<T>, w: UnsafePointer<T>,
                                             bias: UnsafePointer<T>?, out: UnsafeMutablePointer<T>,
                                             scratch: UnsafeMutablePointer<T>, threads: Int = .max) {
    let cg = g.inChannels / g.group, mg = g.outChannels / g.group
    let inPlane = g.height * g.width, plane = g.outH * g.outW, rows = mg * g.taps
    out.update(repeating: T.zero, count: g.batch * g.outChannels * plane)
    for n in 0..<g.batch {
        for group in 0..<g.group {
            // w's group block is [cg, mg·kH·kW] row-major; its transpose is the A operand.
            let weights = MatrixView(w + group * cg * rows, rowStride: rows).transposed
            let xg = MatrixView(x + (n * g.inChannels + group * cg) * inPlane, rowStride: inPlane)
            gemm(GemmShape(m: rows, n: inPlane, k: cg), weights, xg, scratch, ldc: inPlane, accumulate: false, threads: threads)
            col2im(g, UnsafePointer(scratch), mg, out + (n * g.outChannels + group * mg) * plane)
        }
        if let bias { addChannelBias(bias, out + n * g.outChannels * plane, channels: g.outChannels, plane: plane) }
    }
}

@inlinable func col2im<T: KernelScalar>(_ g: ConvGeometry, _ col: UnsafePointer<T>, _ channels: Int, _ out: UnsafeMutablePointer<T>) {
    var row = col
    for c in 0..<channels {
        let image = out + c * g.outH * g.outW
        for ky in 0..<g.kernelH {
            for kx in 0..<g.kernelW {
                for iy in 0..<g.height {
                    let oy = iy * g.strideH - g.padTop + ky * g.dilationH
                    if oy >= 0 && oy < g.outH {
                        let target = image + oy * g.outW, source = row + iy * g.width
                        let offset = kx * g.dilationW - g.padLeft
                        for ix in 0..<g.width {
                            let ox = ix * g.strideW + offset
                            if ox >= 0 && ox < g.outW { target[ox] = T.add(target[ox], source[ix]) }
                        }
                    }
                }
                row += g.height * g.width
            }
        }
    }
}
