/// f32 max_pool2d on SIMD16 lanes of output columns: each plane is copied into a −inf padded
/// plane (DepthwiseConv.swift's layout), so every window is read without bounds checks.
/// NaN wins as in the reference (a lane that has seen NaN keeps it). Planes are split whole
/// over threads, so results do not depend on the thread count.

extension PoolGeometry {
    /// The padded-plane layout, as a depthwise conv with the same window.
    var paddedLayout: ConvGeometry {
        ConvGeometry(batch: 1, inChannels: planes, height: height, width: width, outChannels: planes, kernelH: kernel[0],
                     kernelW: kernel[1], outH: outH, outW: outW, strides: strides, dilations: dilations, padTop: padBegin[0],
                     padLeft: padBegin[1], group: planes)
    }

    /// Scratch floats per thread for `maxPool2dFloat`.
    public var maxPoolScratchElements: Int { paddedLayout.depthwiseScratchElements }
}

public func maxPool2dFloat(_ pool: PoolGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                           scratch: UnsafeMutablePointer<Float>, scratchStride: Int, parallelism: Parallelism = .serial) {
    let g = pool.paddedLayout
    // Through a C function and a pointer: a capturing closure would allocate per run.
    var state = (g: g, x: x, out: out, scratch: scratch, scratchStride: scratchStride)
    typealias State = (g: ConvGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                       scratchStride: Int)
    withUnsafeMutablePointer(to: &state) { state in
        parallelism.forEach(pool.planes, cost: g.outH * g.outW * g.taps / 4 + g.height * g.width,
                            context: UnsafeMutableRawPointer(state)) { context, lower, upper, chunk in
            let state = context.assumingMemoryBound(to: State.self).pointee
            maxPoolPlanes(state.g, state.x, state.out, padded: state.scratch + chunk * state.scratchStride, planes: lower..<upper)
        }
    }
}

/// Max-pools planes `planes` through the padded scratch plane `padded`.
func maxPoolPlanes(_ g: ConvGeometry, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, padded: UnsafeMutablePointer<Float>,
                   planes: Range<Int>) {
    for p in planes {
        padPlane(g, x + p * g.height * g.width, padded, fill: -.infinity)
        switch g.strideW {
        case 1: maxPoolPlane(g, padded, out + p * g.outH * g.outW) { loadF32x16($0) }
        case 2: maxPoolPlane(g, padded, out + p * g.outH * g.outW) {
            F32x16(lowHalf: loadF32x16($0).evenHalf, highHalf: loadF32x16($0 + 16).evenHalf)
        }
        default:
            let s = g.strideW
            maxPoolPlane(g, padded, out + p * g.outH * g.outW) { tap in
                var gathered = F32x16()
                for l in 0..<16 { gathered[l] = tap[l * s] }
                return gathered
            }
        }
    }
}

@inline(__always) func maxPoolPlane(_ g: ConvGeometry, _ padded: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                                    _ load: (UnsafePointer<Float>) -> F32x16) {
    let pw = g.depthwisePaddedWidth
    for oy in 0..<g.outH {
        let top = padded + oy * g.strideH * pw
        let row = out + oy * g.outW
        var ox = 0
        while ox < g.outW {
            var acc = F32x16(repeating: -.infinity)
            for ky in 0..<g.kernelH {
                let line = top + ky * g.dilationH * pw + ox * g.strideW
                for kx in 0..<g.kernelW {
                    let v = load(line + kx * g.dilationW)
                    acc.replace(with: v, where: (v .> acc) .| (v .!= v))
                }
            }
            let lanes = Swift.min(16, g.outW - ox)
            if lanes == 16 { storeF32x16(acc, row + ox) } else { storeLanes(acc, row + ox, lanes) }
            ox += 16
        }
    }
}
