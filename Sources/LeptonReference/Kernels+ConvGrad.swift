/// conv2d_weight_grad: the gradient of conv2d w.r.t. its weight (NCHW, explicit pads). conv2d's
/// gradient w.r.t. its input is conv_transpose2d, which exists already; this is the other half.
///
///     dW[o, c, i, j] = Σ_n,y,x dy[n, o, y, x] · x[n, g·C/group + c, y·s_h + i·d_h − pad_top, x·s_w + j·d_w − pad_left]
///
/// with g = o's group and x zero outside the image. The loops mirror the reference conv2d's
/// (kernel tap outermost, valid output rows and columns precomputed, so no padding check in
/// the inner loop); each weight sums over (n, y, x) in order.

/// conv2d_weight_grad(x[N, C, H, W], dy[N, O, Ho, Wo]) -> [O, C/group, kH, kW]
func conv2dWeightGrad(_ x: Tensor, _ dy: Tensor, _ attributes: Attributes) -> Tensor {
    precondition(x.rank == 4 && dy.rank == 4, "conv2d_weight_grad takes x[N, C, H, W] and dy[N, O, Ho, Wo]")
    let kernel = attributes.ints("kernel")
    let window = Window2D.conv(input: Array(x.shape[2...]), kernel: kernel, attributes)
    precondition(Array(dy.shape[2...]) == window.output, "dy \(dy.shape) is not conv2d's output shape for x \(x.shape)")
    let group = attributes.int("group")
    switch (x.storage, dy.storage) {
    case (.f32(let a), .f32(let g)): return weightGradient(a, x.shape, g, dy.shape, kernel, group, window)
    case (.f64(let a), .f64(let g)): return weightGradient(a, x.shape, g, dy.shape, kernel, group, window)
    default: preconditionFailure("conv2d_weight_grad takes floats of one dtype, got \(x.dtype) and \(dy.dtype)")
    }
}

private func weightGradient<T: FloatScalar>(_ x: [T], _ xShape: [Int], _ dy: [T], _ dyShape: [Int], _ kernel: [Int],
                                            _ group: Int, _ window: Window2D) -> Tensor {
    let (n, c, h, wd) = (xShape[0], xShape[1], xShape[2], xShape[3])
    let (m, oh, ow) = (dyShape[1], dyShape[2], dyShape[3])
    let (kh, kw) = (kernel[0], kernel[1])
    let (sh, sw) = (window.strides[0], window.strides[1])
    precondition(group > 0 && c % group == 0 && m % group == 0, "conv2d_weight_grad channels do not match group")
    let (groupChannels, outputsPerGroup) = (c / group, m / group)
    var dw = Array(repeating: T.zero, count: m * groupChannels * kh * kw)
    for oc in 0..<m {
        for ic in 0..<groupChannels {
            let channel = (oc / outputsPerGroup) * groupChannels + ic
            for ky in 0..<kh {
                let rowOffset = ky * window.dilations[0] - window.padBegin[0]
                let rows = Window2D.validRange(offset: rowOffset, stride: sh, inputCount: h, outputCount: oh)
                for kx in 0..<kw {
                    let columnOffset = kx * window.dilations[1] - window.padBegin[1]
                    let columns = Window2D.validRange(offset: columnOffset, stride: sw, inputCount: wd, outputCount: ow)
                    var sum = T.zero
                    for batch in 0..<n {
                        let inputPlane = (batch * c + channel) * h * wd
                        let gradientPlane = (batch * m + oc) * oh * ow
                        for oy in rows {
                            let source = inputPlane + (oy * sh + rowOffset) * wd + columnOffset
                            let gradient = gradientPlane + oy * ow
                            for ox in columns { sum += dy[gradient + ox] * x[source + ox * sw] }
                        }
                    }
                    dw[((oc * groupChannels + ic) * kh + ky) * kw + kx] = sum
                }
            }
        }
    }
    return Tensor(shape: [m, groupChannels, kh, kw], scalars: dw)
}
