/// Direct f32 depthwise conv2d (group == input channels, any channel multiplier): im2col +
/// a GEMM per group was 42% of mobilenet_v2 for 9 multiply-adds per output. Here each input
/// plane is copied once into a zero-padded scratch plane, so every output row is computed
/// without bounds checks: 16 outputs per SIMD16 accumulator, one FMA per kernel tap, strided
/// taps (stride 2) deinterleaved from two loads. Planes are independent and each is summed
/// by one thread in a fixed tap order, so results do not depend on the thread count.

extension ConvGeometry {
    /// One input channel per group: the direct kernel applies.
    public var isDepthwise: Bool { group == inChannels && group > 0 && outChannels % group == 0 }

    /// Width of the padded plane: every output column's taps, rounded up to whole 64-column
    /// blocks (four accumulators).
    var depthwisePaddedWidth: Int {
        let columns = (outW + 63) / 64 * 64
        return Swift.max(width + padLeft, (columns - 1) * strideW + (kernelW - 1) * dilationW + 1) + 16 * strideW
    }

    var depthwisePaddedHeight: Int { Swift.max(height + padTop, (outH - 1) * strideH + (kernelH - 1) * dilationH + 1) }

    /// Scratch floats per thread: the padded plane plus slack for the last vector's loads.
    public var depthwiseScratchElements: Int { depthwisePaddedHeight * depthwisePaddedWidth + 32 * strideW + 64 }
}

/// conv2d(x[N, C, H, W], w[M, 1, kH, kW], bias[M]?) -> out[N, M, oH, oW] with group == C.
/// Chunk `c` of the planes uses the scratch at `scratch + c * scratchStride` (floats). Forks
/// through the pool's context form (`DepthwiseJob`): nothing is allocated per call.
public func depthwiseConv2d(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, scratchStride: Int,
                            parallelism: Parallelism = .serial, epilogue: GemmEpilogue? = nil) {
    let units = g.batch * g.outChannels
    let chunks = parallelism.chunks(units, cost: g.outH * g.outW * g.taps + g.height * g.width)
    var job = DepthwiseJob(geometry: g, x: x, w: w, bias: bias, out: out, scratch: scratch, scratchStride: scratchStride,
                           epilogue: epilogue, units: units, chunks: chunks)
    if chunks == 1 {
        job.run(chunk: 0)
        return
    }
    withUnsafeMutablePointer(to: &job) { job in
        WorkerPool.forkJoin(iterations: chunks, context: UnsafeMutableRawPointer(job)) { context, chunk in
            context.assumingMemoryBound(to: DepthwiseJob.self).pointee.run(chunk: chunk)
        }
    }
}

/// One depthwise conv call: its operands and how its output planes split into chunks.
private struct DepthwiseJob {
    let geometry: ConvGeometry
    let x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?
    let out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, scratchStride: Int
    let epilogue: GemmEpilogue?
    let units: Int, chunks: Int

    func run(chunk: Int) {
        let g = geometry
        let (multiplier, plane) = (g.outChannels / g.group, g.outH * g.outW)
        let padded = scratch + chunk * scratchStride
        var loaded = -1
        for unit in Parallelism.range(chunk, of: chunks, count: units) {
            let (n, m) = unit.quotientAndRemainder(dividingBy: g.outChannels)
            let source = n * g.inChannels + m / multiplier
            if source != loaded {
                padPlane(g, x + source * g.height * g.width, padded)
                loaded = source
            }
            depthwisePlane(g, padded, w + m * g.taps, bias?[m] ?? 0, out + unit * plane)
            // A fused epilogue (relu6 after a MobileNet conv) on the plane while it is in cache.
            if let epilogue { epilogue.body(epilogue.offset + unit * plane, plane, epilogue.slot ?? chunk) }
        }
    }
}

/// Copies one H x W plane into the padded plane (`fill` on every side and in the slack).
func padPlane(_ g: ConvGeometry, _ plane: UnsafePointer<Float>, _ padded: UnsafeMutablePointer<Float>, fill: Float = 0) {
    let pw = g.depthwisePaddedWidth
    padded.update(repeating: fill, count: g.depthwiseScratchElements)
    for y in 0..<g.height {
        (padded + (y + g.padTop) * pw + g.padLeft).update(from: plane + y * g.width, count: g.width)
    }
}

/// One output plane from its padded input plane, 64 columns (four independent SIMD16
/// accumulators, so the FMA chains overlap) at a time; each output sums its taps in order.
func depthwisePlane(_ g: ConvGeometry, _ padded: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: Float,
                    _ out: UnsafeMutablePointer<Float>) {
    let pw = g.depthwisePaddedWidth
    switch g.strideW {
    case 1: depthwisePlane(g, padded, w, bias, out, pw) { loadF32x16($0) }
    case 2: depthwisePlane(g, padded, w, bias, out, pw) { F32x16(lowHalf: loadF32x16($0).evenHalf, highHalf: loadF32x16($0 + 16).evenHalf) }
    default:
        let s = g.strideW
        depthwisePlane(g, padded, w, bias, out, pw) { tap in
            var gathered = F32x16()
            for l in 0..<16 { gathered[l] = tap[l * s] }
            return gathered
        }
    }
}

@inline(__always) func depthwisePlane(_ g: ConvGeometry, _ padded: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: Float,
                                      _ out: UnsafeMutablePointer<Float>, _ pw: Int, _ load: (UnsafePointer<Float>) -> F32x16) {
    let step = 16 * g.strideW
    for oy in 0..<g.outH {
        let top = padded + oy * g.strideH * pw
        let row = out + oy * g.outW
        var ox = 0
        while ox < g.outW {
            var (a0, a1, a2, a3) = (F32x16(repeating: bias), F32x16(repeating: bias), F32x16(repeating: bias), F32x16(repeating: bias))
            for ky in 0..<g.kernelH {
                let line = top + ky * g.dilationH * pw + ox * g.strideW
                for kx in 0..<g.kernelW {
                    let tap = line + kx * g.dilationW
                    let weight = F32x16(repeating: w[ky * g.kernelW + kx])
                    a0 = a0.addingProduct(weight, load(tap))
                    a1 = a1.addingProduct(weight, load(tap + step))
                    a2 = a2.addingProduct(weight, load(tap + 2 * step))
                    a3 = a3.addingProduct(weight, load(tap + 3 * step))
                }
            }
            @inline(__always) func store(_ acc: F32x16, _ start: Int) {
                let lanes = Swift.min(16, g.outW - start)
                if lanes == 16 { storeF32x16(acc, row + start) } else if lanes > 0 { for l in 0..<lanes { row[start + l] = acc[l] } }
            }
            store(a0, ox)
            store(a1, ox + 16)
            store(a2, ox + 32)
            store(a3, ox + 48)
            ox += 64
        }
    }
}
