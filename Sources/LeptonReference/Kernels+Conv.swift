/// conv2d and conv_transpose2d, direct loops (NCHW, ONNX Conv / ConvTranspose).
///
/// Both loop over (kernel tap, output row) and run the innermost loop over a precomputed valid
/// column range, so no padding check sits in the inner loop. Sums run over (channel, ky, kx)
/// in order, then the bias is added; f32 agrees with a numpy einsum to ~1e-6 · sqrt(C·kH·kW).

/// conv2d(x[N, C, H, W], w[M, C/group, kH, kW], b[M]?) -> [N, M, oH, oW]
func conv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ attributes: Attributes) -> Tensor {
    precondition(x.rank == 4 && w.rank == 4, "conv2d takes x[N, C, H, W] and w[M, C/group, kH, kW]")
    let window = Window2D.conv(input: Array(x.shape[2...]), kernel: Array(w.shape[2...]), attributes)
    let group = attributes.int("group")
    switch (x.storage, w.storage) {
    case (.f32(let a), .f32(let k)): return conv2d(a, x.shape, k, w.shape, b?.array(Float.self), group, window)
    case (.f64(let a), .f64(let k)): return conv2d(a, x.shape, k, w.shape, b?.array(Double.self), group, window)
    case (.i32(let a), .i32(let k)): return conv2d(a, x.shape, k, w.shape, b?.array(Int32.self), group, window)
    case (.i64(let a), .i64(let k)): return conv2d(a, x.shape, k, w.shape, b?.array(Int64.self), group, window)
    default: preconditionFailure("conv2d takes numeric tensors of one dtype, got \(x.dtype) and \(w.dtype)")
    }
}

private func conv2d<T: ArithmeticScalar>(_ x: [T], _ xShape: [Int], _ w: [T], _ wShape: [Int], _ b: [T]?,
                                         _ group: Int, _ window: Window2D) -> Tensor {
    let (n, c, h, wd) = (xShape[0], xShape[1], xShape[2], xShape[3])
    let (m, groupChannels, kh, kw) = (wShape[0], wShape[1], wShape[2], wShape[3])
    let (oh, ow) = (window.output[0], window.output[1])
    let (sh, sw) = (window.strides[0], window.strides[1])
    precondition(group > 0 && c == groupChannels * group && m % group == 0, "conv2d channels do not match group")
    let outputsPerGroup = m / group
    var out = Array(repeating: T.zero, count: n * m * oh * ow)
    for batch in 0..<n {
        for oc in 0..<m {
            let plane = (batch * m + oc) * oh * ow
            for ic in 0..<groupChannels {
                let inputPlane = (batch * c + (oc / outputsPerGroup) * groupChannels + ic) * h * wd
                for ky in 0..<kh {
                    let rowOffset = ky * window.dilations[0] - window.padBegin[0]
                    let rows = Window2D.validRange(offset: rowOffset, stride: sh, inputCount: h, outputCount: oh)
                    for kx in 0..<kw {
                        let weight = w[((oc * groupChannels + ic) * kh + ky) * kw + kx]
                        let columnOffset = kx * window.dilations[1] - window.padBegin[1]
                        let columns = Window2D.validRange(offset: columnOffset, stride: sw, inputCount: wd, outputCount: ow)
                        for oy in rows {
                            let source = inputPlane + (oy * sh + rowOffset) * wd + columnOffset
                            let target = plane + oy * ow
                            for ox in columns { out[target + ox] = T.add(out[target + ox], T.multiply(weight, x[source + ox * sw])) }
                        }
                    }
                }
            }
            if let b { for i in plane..<(plane + oh * ow) { out[i] = T.add(out[i], b[oc]) } }
        }
    }
    return Tensor(shape: [n, m, oh, ow], scalars: out)
}

/// conv_transpose2d(x[N, C, H, W], w[C, M/group, kH, kW], b[M]?) -> [N, M, oH, oW]: every
/// input element scatters x·w into the output window it would have been computed from.
func convTranspose2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ attributes: Attributes) -> Tensor {
    precondition(x.rank == 4 && w.rank == 4, "conv_transpose2d takes x[N, C, H, W] and w[C, M/group, kH, kW]")
    let window = Window2D.transposed(input: Array(x.shape[2...]), kernel: Array(w.shape[2...]), attributes)
    let group = attributes.int("group")
    switch (x.storage, w.storage) {
    case (.f32(let a), .f32(let k)): return convTranspose2d(a, x.shape, k, w.shape, b?.array(Float.self), group, window)
    case (.f64(let a), .f64(let k)): return convTranspose2d(a, x.shape, k, w.shape, b?.array(Double.self), group, window)
    case (.i32(let a), .i32(let k)): return convTranspose2d(a, x.shape, k, w.shape, b?.array(Int32.self), group, window)
    case (.i64(let a), .i64(let k)): return convTranspose2d(a, x.shape, k, w.shape, b?.array(Int64.self), group, window)
    default: preconditionFailure("conv_transpose2d takes numeric tensors of one dtype, got \(x.dtype) and \(w.dtype)")
    }
}

private func convTranspose2d<T: ArithmeticScalar>(_ x: [T], _ xShape: [Int], _ w: [T], _ wShape: [Int], _ b: [T]?,
                                                  _ group: Int, _ window: Window2D) -> Tensor {
    let (n, c, h, wd) = (xShape[0], xShape[1], xShape[2], xShape[3])
    let (outputsPerGroup, kh, kw) = (wShape[1], wShape[2], wShape[3])
    let (oh, ow) = (window.output[0], window.output[1])
    let (sh, sw) = (window.strides[0], window.strides[1])
    precondition(group > 0 && c % group == 0 && wShape[0] == c, "conv_transpose2d channels do not match group")
    let m = outputsPerGroup * group, inputsPerGroup = c / group
    var out = Array(repeating: T.zero, count: n * m * oh * ow)
    for batch in 0..<n {
        for ic in 0..<c {
            let inputPlane = (batch * c + ic) * h * wd
            for local in 0..<outputsPerGroup {
                let oc = (ic / inputsPerGroup) * outputsPerGroup + local
                let plane = (batch * m + oc) * oh * ow
                for ky in 0..<kh {
                    let rowOffset = ky * window.dilations[0] - window.padBegin[0]
                    // Input rows iy whose output row iy·stride + rowOffset exists.
                    let rows = Window2D.validRange(offset: rowOffset, stride: sh, inputCount: oh, outputCount: h)
                    for kx in 0..<kw {
                        let weight = w[((ic * outputsPerGroup + local) * kh + ky) * kw + kx]
                        let columnOffset = kx * window.dilations[1] - window.padBegin[1]
                        let columns = Window2D.validRange(offset: columnOffset, stride: sw, inputCount: ow, outputCount: wd)
                        for iy in rows {
                            let target = plane + (iy * sh + rowOffset) * ow + columnOffset
                            let source = inputPlane + iy * wd
                            for ix in columns { out[target + ix * sw] = T.add(out[target + ix * sw], T.multiply(weight, x[source + ix])) }
                        }
                    }
                }
            }
        }
    }
    if let b {
        for i in out.indices { out[i] = T.add(out[i], b[(i / (oh * ow)) % m]) }
    }
    return Tensor(shape: [n, m, oh, ow], scalars: out)
}
