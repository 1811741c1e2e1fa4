/// Direct f32 depthwise conv2d (group == input channels, any channel multiplier): im2col +
/// a GEMM per group was 42% of mobilenet_v2 for 9 multiply-adds per output. Here each input
/// plane is copied once into a zero-padded scratch plane, so every output row is computed
/// without bounds checks: 16 outputs per SIMD16 accumulator, one FMA per kernel tap, strided
/// taps (stride 2) deinterleaved from two loads. Planes are independent and each is summed
/// by one thread in a fixed tap order, so results do not depend on the thread count.

extension ConvGeometry {
    /// One input channel per group: the direct kernel applies.
    public var isDepthwise: Bool { group == inChannels && group > 0 && outChannels % group == 0 }

    /// Width of the padded plane: every output column's taps, rounded up to whole vectors.
    var depthwisePaddedWidth: Int {
        let columns = (outW + 15) / 16 * 16
        return Swift.max(width + padLeft, (columns - 1) * strideW + (kernelW - 1) * dilationW + 1) + 16 * strideW
    }

    var depthwisePaddedHeight: Int { Swift.max(height + padTop, (outH - 1) * strideH + (kernelH - 1) * dilationH + 1) }

    /// Scratch floats per thread: the padded plane plus slack for the last vector's loads.
    public var depthwiseScratchElements: Int { depthwisePaddedHeight * depthwisePaddedWidth + 32 * strideW + 64 }
}

/// conv2d(x[N, C, H, W], w[M, 1, kH, kW], bias[M]?) -> out[N, M, oH, oW] with group == C.
/// Chunk `c` of the planes uses the scratch at `scratch + c * scratchStride` (floats).
public func depthwiseConv2d(_ g: ConvGeometry, x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                            out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, scratchStride: Int,
                            parallelism: Parallelism = .serial) {
    let multiplier = g.outChannels / g.group
    let shared = Shared((x, w, bias, out, scratch))
    parallelism.forEach(g.batch * g.outChannels, cost: g.outH * g.outW * g.taps + g.height * g.width) { range, chunk in
        let (x, w, bias, out, scratch) = shared.value
        let padded = scratch + chunk * scratchStride
        var loaded = -1
        for unit in range {
            let (n, m) = unit.quotientAndRemainder(dividingBy: g.outChannels)
            let source = n * g.inChannels + m / multiplier
            if source != loaded {
                padPlane(g, x + source * g.height * g.width, padded)
                loaded = source
            }
            depthwisePlane(g, padded, w + m * g.taps, bias?[m] ?? 0, out + unit * g.outH * g.outW)
        }
    }
}

/// Copies one H x W plane into the zero-padded plane (pads on every side, slack zeroed).
func padPlane(_ g: ConvGeometry, _ plane: UnsafePointer<Float>, _ padded: UnsafeMutablePointer<Float>) {
    let pw = g.depthwisePaddedWidth
    padded.update(repeating: 0, count: g.depthwiseScratchElements)
    for y in 0..<g.height {
        (padded + (y + g.padTop) * pw + g.padLeft).update(from: plane + y * g.width, count: g.width)
    }
}

/// One output plane from its padded input plane.
func depthwisePlane(_ g: ConvGeometry, _ padded: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ bias: Float,
                    _ out: UnsafeMutablePointer<Float>) {
    let pw = g.depthwisePaddedWidth
    for oy in 0..<g.outH {
        let top = padded + oy * g.strideH * pw
        let row = out + oy * g.outW
        var ox = 0
        while ox < g.outW {
            var acc = F32x16(repeating: bias)
            for ky in 0..<g.kernelH {
                let line = top + ky * g.dilationH * pw + ox * g.strideW
                for kx in 0..<g.kernelW {
                    let tap = line + kx * g.dilationW
                    let v: F32x16
                    switch g.strideW {
                    case 1: v = loadF32x16(tap)
                    case 2: v = F32x16(lowHalf: loadF32x16(tap).evenHalf, highHalf: loadF32x16(tap + 16).evenHalf)
                    default:
                        var gathered = F32x16()
                        for l in 0..<16 { gathered[l] = tap[l * g.strideW] }
                        v = gathered
                    }
                    acc = acc.addingProduct(F32x16(repeating: w[ky * g.kernelW + kx]), v)
                }
            }
            let lanes = Swift.min(16, g.outW - ox)
            if lanes == 16 { storeF32x16(acc, row + ox) } else { for l in 0..<lanes { row[ox + l] = acc[l] } }
            ox += 16
        }
    }
}
