/// Gradients of max_pool2d and avg_pool2d w.r.t. their input (NCHW). Each walks the windows
/// exactly as the forward kernel does (`Window2D.pool`, `windowTaps`), so padding, ceil_mode,
/// dilations and count_include_pad route each dy to the elements the forward read, with the
/// forward's divisor. Overlapping windows accumulate, window by window in output order.

/// max_pool2d_grad(x, dy): each dy element is added to the x element its window's max came
/// from: the first maximal position in row-major window order (the first NaN when there is
/// one, since the forward's max is then NaN). Padding never wins, so never gets gradient.
func maxPool2dGrad(_ x: Tensor, _ dy: Tensor, _ attributes: Attributes) -> Tensor {
    poolGradient(x, dy, attributes, rule: .maximum)
}

/// avg_pool2d_grad(x, dy): each dy element divided by its window's divisor (as avg_pool2d
/// counts it) and added to every x element of the window; x gives only the shape.
func avgPool2dGrad(_ x: Tensor, _ dy: Tensor, _ attributes: Attributes) -> Tensor {
    poolGradient(x, dy, attributes, rule: .average(includePad: attributes.bool("count_include_pad")))
}

private enum PoolRule {
    case maximum
    case average(includePad: Bool)
}

private func poolGradient(_ x: Tensor, _ dy: Tensor, _ attributes: Attributes, rule: PoolRule) -> Tensor {
    precondition(x.rank == 4 && dy.rank == 4, "pooling gradients take x[N, C, H, W] and dy[N, C, Ho, Wo]")
    let window = Window2D.pool(input: Array(x.shape[2...]), attributes)
    precondition(dy.shape == Array(x.shape[..<2]) + window.output, "dy \(dy.shape) is not the pooled shape of x \(x.shape)")
    switch (x.storage, dy.storage) {
    case (.f32(let a), .f32(let g)): return Tensor(shape: x.shape, scalars: poolGradient(a, g, x.shape, window, rule))
    case (.f64(let a), .f64(let g)): return Tensor(shape: x.shape, scalars: poolGradient(a, g, x.shape, window, rule))
    default: preconditionFailure("pooling gradients take floats of one dtype, got \(x.dtype) and \(dy.dtype)")
    }
}

private func poolGradient<T: FloatScalar>(_ x: [T], _ dy: [T], _ shape: [Int], _ window: Window2D, _ rule: PoolRule) -> [T] {
    let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
    let (oh, ow) = (window.output[0], window.output[1])
    var dx = Array(repeating: T.zero, count: x.count)
    var k = 0
    for plane in 0..<planes {
        let base = plane * h * w
        for oy in 0..<oh {
            let top = oy * window.strides[0] - window.padBegin[0]
            let rows = windowTaps(start: top, kernel: window.kernel[0], dilation: window.dilations[0], count: h,
                                  padEnd: window.padEnd[0])
            for ox in 0..<ow {
                let left = ox * window.strides[1] - window.padBegin[1]
                let columns = windowTaps(start: left, kernel: window.kernel[1], dilation: window.dilations[1], count: w,
                                         padEnd: window.padEnd[1])
                // Flat x offsets of the window's taps inside the input, in row-major window order.
                let taps = rows.taps.lazy.flatMap { ty in
                    columns.taps.lazy.map { tx in base + (top + ty * window.dilations[0]) * w + left + tx * window.dilations[1] }
                }
                let g = dy[k]
                k += 1
                switch rule {
                case .maximum:
                    var best: Int?
                    for i in taps {
                        guard let current = best else { best = i; continue }
                        if !x[current].isNaN && (x[i].isNaN || x[i] > x[current]) { best = i }
                    }
                    if let best { dx[best] += g }
                case .average(let includePad):
                    let divisor = includePad ? rows.padded * columns.padded : rows.taps.count * columns.taps.count
                    guard divisor > 0 else { continue }
                    let share = g / T(count: divisor)
                    for i in taps { dx[i] += share }
                }
            }
        }
    }
    return dx
}
