/// Pooling over NCHW planes (ONNX MaxPool, AveragePool, GlobalAveragePool).

/// max_pool2d: the largest element of each window, ignoring padding (NaN wins, as numpy max).
func maxPool2d(_ x: Tensor, _ attributes: Attributes) -> Tensor {
    precondition(x.rank == 4, "max_pool2d takes x[N, C, H, W]")
    let window = Window2D.pool(input: Array(x.shape[2...]), attributes)
    switch x.storage {
    case .f32(let a): return pool(a, x.shape, window, average: false, includePad: false)
    case .f64(let a): return pool(a, x.shape, window, average: false, includePad: false)
    case .i32(let a): return pool(a, x.shape, window, average: false, includePad: false)
    case .i64(let a): return pool(a, x.shape, window, average: false, includePad: false)
    case .bool: preconditionFailure("max_pool2d takes numbers, got bool")
    }
}

/// avg_pool2d: the mean of each window. The divisor counts the window's elements inside the
/// input, or with count_include_pad also those in the padding (but never positions past the
/// end padding that ceil_mode windows reach), as ONNX Runtime and PyTorch do.
func avgPool2d(_ x: Tensor, _ attributes: Attributes) -> Tensor {
    precondition(x.rank == 4, "avg_pool2d takes x[N, C, H, W]")
    let window = Window2D.pool(input: Array(x.shape[2...]), attributes)
    let includePad = attributes.bool("count_include_pad")
    switch x.storage {
    case .f32(let a): return pool(a, x.shape, window, average: true, includePad: includePad)
    case .f64(let a): return pool(a, x.shape, window, average: true, includePad: includePad)
    case .i32(let a): return pool(a, x.shape, window, average: true, includePad: includePad)
    case .i64(let a): return pool(a, x.shape, window, average: true, includePad: includePad)
    case .bool: preconditionFailure("avg_pool2d takes numbers, got bool")
    }
}

private func pool<T: ArithmeticScalar>(_ x: [T], _ shape: [Int], _ window: Window2D, average: Bool, includePad: Bool) -> Tensor {
    let (planes, h, w) = (shape[0] * shape[1], shape[2], shape[3])
    let (oh, ow) = (window.output[0], window.output[1])
    var out: [T] = []
    out.reserveCapacity(planes * oh * ow)
    for plane in 0..<planes {
        let base = plane * h * w
        for oy in 0..<oh {
            let rows = windowTaps(start: oy * window.strides[0] - window.padBegin[0], kernel: window.kernel[0],
                                  dilation: window.dilations[0], count: h, padEnd: window.padEnd[0])
            for ox in 0..<ow {
                let columns = windowTaps(start: ox * window.strides[1] - window.padBegin[1], kernel: window.kernel[1],
                                         dilation: window.dilations[1], count: w, padEnd: window.padEnd[1])
                var accumulator = average ? T.zero : T.lowest
                for ty in rows.taps {
                    let iy = oy * window.strides[0] - window.padBegin[0] + ty * window.dilations[0]
                    for tx in columns.taps {
                        let value = x[base + iy * w + ox * window.strides[1] - window.padBegin[1] + tx * window.dilations[1]]
                        accumulator = average ? T.add(accumulator, value) : T.larger(accumulator, value)
                    }
                }
                if average {
                    let divisor = includePad ? rows.padded * columns.padded : rows.taps.count * columns.taps.count
                    accumulator = T.divide(accumulator, T(count: divisor)) ?? T.zero
                }
                out.append(accumulator)
            }
        }
    }
    return Tensor(shape: [shape[0], shape[1], oh, ow], scalars: out)
}

/// Which taps of a window starting at input position `start` land inside the input, and how
/// many taps land inside the padded input (the count_include_pad divisor along this axis).
/// The pooling gradients walk their windows with it too, so they route each dy exactly where
/// the forward pooling read from.
func windowTaps(start: Int, kernel: Int, dilation: Int, count: Int, padEnd: Int) -> (taps: Range<Int>, padded: Int) {
    let taps = Window2D.validRange(offset: start, stride: dilation, inputCount: count, outputCount: kernel)
    let padded = Swift.min(kernel, ceilDivide(count + padEnd - start, dilation))
    return (taps, Swift.max(0, padded))
}

/// global_avg_pool: the mean over every axis after the first two, kept as size 1.
func globalAvgPool(_ x: Tensor) -> Tensor {
    precondition(x.rank >= 2, "global_avg_pool takes x[N, C, ...]")
    guard x.rank > 2 else { return x }
    var shape = x.shape
    for axis in 2..<x.rank { shape[axis] = 1 }
    return reduce(.reduce_mean, x, axes: Array(2..<x.rank), keepdims: true).reshaped(shape)
}
