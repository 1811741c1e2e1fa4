/// Gradients of max_pool2d and avg_pool2d w.r.t. their input (NCHW): dx is zeroed, then each
/// dy element is added to the elements its window read, windows in output order, exactly as
/// the reference does (so the sums are the same bits). Windows are walked with the forward
/// kernels' `taps`, so pads, ceil_mode, dilations and count_include_pad route the gradient
/// where the forward read. Planes are independent and split whole over the threads.

/// max_pool2d_grad in f32: each dy element goes to its window's first maximal tap in
/// row-major window order (the first NaN when there is one); padding never receives any.
public func maxPool2dGrad(_ g: PoolGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                          parallelism: Parallelism) {
    PoolGradient(g: g, x: x, dy: dy, dx: dx, includePad: false).run(parallelism) { context, lower, upper, _ in
        context.assumingMemoryBound(to: PoolGradient<Float>.self).pointee.planes(lower..<upper)
    }
}

/// max_pool2d_grad in f64.
public func maxPool2dGrad(_ g: PoolGeometry, x: UnsafePointer<Double>, dy: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>,
                          parallelism: Parallelism) {
    PoolGradient(g: g, x: x, dy: dy, dx: dx, includePad: false).run(parallelism) { context, lower, upper, _ in
        context.assumingMemoryBound(to: PoolGradient<Double>.self).pointee.planes(lower..<upper)
    }
}

/// avg_pool2d_grad in f32: each dy element divided by its window's divisor (taps inside the
/// input, or with `includePad` inside the padded input) and added to each tap inside the input.
public func avgPool2dGrad(_ g: PoolGeometry, includePad: Bool, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>,
                          parallelism: Parallelism) {
    PoolGradient(g: g, x: nil, dy: dy, dx: dx, includePad: includePad).run(parallelism) { context, lower, upper, _ in
        context.assumingMemoryBound(to: PoolGradient<Float>.self).pointee.planes(lower..<upper)
    }
}

/// avg_pool2d_grad in f64.
public func avgPool2dGrad(_ g: PoolGeometry, includePad: Bool, dy: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>,
                          parallelism: Parallelism) {
    PoolGradient(g: g, x: nil, dy: dy, dx: dx, includePad: includePad).run(parallelism) { context, lower, upper, _ in
        context.assumingMemoryBound(to: PoolGradient<Double>.self).pointee.planes(lower..<upper)
    }
}

/// One pooling-gradient call, handed to the threads as a pointer (no closure to allocate).
struct PoolGradient<T: KernelFloat> {
    let g: PoolGeometry
    /// The forward input, which decides the tap that won: max_pool2d_grad's; nil for avg_pool2d_grad.
    let x: UnsafePointer<T>?
    let dy: UnsafePointer<T>, dx: UnsafeMutablePointer<T>
    let includePad: Bool

    func run(_ parallelism: Parallelism, _ chunk: Parallelism.ChunkFunction) {
        var state = self
        let cost = g.outH * g.outW * g.kernel.reduce(1, *) + g.height * g.width
        withUnsafeMutablePointer(to: &state) { parallelism.forEach(g.planes, cost: cost, context: UnsafeMutableRawPointer($0), chunk) }
    }

    func planes(_ planes: Range<Int>) {
        let (h, w, outH, outW) = (g.height, g.width, g.outH, g.outW)
        let (kernelH, kernelW, strideH, strideW) = (g.kernel[0], g.kernel[1], g.strides[0], g.strides[1])
        let (dilationH, dilationW, padTop, padLeft) = (g.dilations[0], g.dilations[1], g.padBegin[0], g.padBegin[1])
        let (padBottom, padRight) = (g.padEnd[0], g.padEnd[1])
        for plane in planes {
            let target = dx + plane * h * w
            target.update(repeating: T.zero, count: h * w)
            let image = x.map { $0 + plane * h * w }
            var gradient = dy + plane * outH * outW
            for oy in 0..<outH {
                let top = oy * strideH - padTop
                let rows = windowTaps(start: top, kernel: kernelH, dilation: dilationH, count: h, padEnd: padBottom)
                for ox in 0..<outW {
                    let left = ox * strideW - padLeft
                    let columns = windowTaps(start: left, kernel: kernelW, dilation: dilationW, count: w, padEnd: padRight)
                    let origin = top * w + left
                    let (rowStep, columnStep) = (dilationH * w, dilationW)
                    if let image {
                        if !rows.taps.isEmpty && !columns.taps.isEmpty {
                            // The first maximal tap, NaN beating everything (the forward's max is then
                            // NaN). Integer masks, not branches: random data mispredicted them at
                            // every other tap (3x the time of a 2x2 window).
                            var best = origin + rows.taps.lowerBound * rowStep + columns.taps.lowerBound * columnStep
                            for ty in rows.taps {
                                let line = origin + ty * rowStep
                                for tx in columns.taps {
                                    let i = line + tx * columnStep
                                    let (value, largest) = (image[i], image[best])
                                    let wins = (value > largest ? 1 : 0) | ((value.isNaN ? 1 : 0) & (largest.isNaN ? 0 : 1))
                                    best ^= (best ^ i) & (0 &- wins)
                                }
                            }
                            target[best] += gradient.pointee
                        }
                    } else {
                        let divisor = includePad ? rows.padded * columns.padded : rows.taps.count * columns.taps.count
                        if divisor > 0 {
                            let share = gradient.pointee / T(count: divisor)
                            for ty in rows.taps {
                                for tx in columns.taps { target[origin + ty * rowStep + tx * columnStep] += share }
                            }
                        }
                    }
                    gradient += 1
                }
            }
        }
    }
}

/// `taps` without its divisions when the window is not dilated (every avg_pool2d, most
/// max_pool2d): three divisions per output position were most of a 2x2 pool's gradient.
@inline(__always) func windowTaps(start: Int, kernel: Int, dilation: Int, count: Int, padEnd: Int) -> (taps: Range<Int>, padded: Int) {
    guard dilation == 1 else { return taps(start: start, kernel: kernel, dilation: dilation, count: count, padEnd: padEnd) }
    let low = Swift.max(0, -start), high = Swift.min(kernel, count - start)
    return (low..<Swift.max(low, high), Swift.max(0, Swift.min(kernel, count + padEnd - start)))
}
