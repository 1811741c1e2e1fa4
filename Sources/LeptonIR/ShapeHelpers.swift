// Shape arithmetic shared by the shape rules and the kernels, so a kernel's loop bounds and
// the type checker's output shapes come from one formula. Kernels call these with concrete
// sizes that the shape rule has already accepted (so nothing here overflows or divides by 0).

/// `axis` in [-rank, rank) made non-negative (numpy/ONNX: -1 is the last dimension).
public func normalizeAxis(_ axis: Int, rank: Int) throws(ShapeError) -> Int {
    guard axis >= -rank, axis < rank else {
        throw ShapeError("axis \(axis) is out of range for rank \(rank)" + axisRangeText(rank))
    }
    return axis < 0 ? axis + rank : axis
}

/// Explicit pads [x1_begin, x2_begin, …, x1_end, x2_end] for a conv or pooling window over
/// spatial sizes `input`. `padding` is `explicit` (returns `pads`), `valid` (all zero),
/// `same` (ONNX SAME_UPPER: the odd pad goes at the end) or `same_lower` (at the beginning).
/// SAME total pad = max(0, (ceil(in / stride) - 1) * stride + (k - 1) * dilation + 1 - in).
public func resolvePads(input: [Int], kernel: [Int], strides: [Int], dilations: [Int], pads: [Int],
                        padding: String) -> [Int] {
    let n = input.count
    var begins: [Int] = []
    var ends: [Int] = []
    for i in 0..<n {
        let (b, e) = resolvePadPair(input: input[i], kernel: kernel[i], stride: strides[i], dilation: dilations[i],
                                    padBegin: pads[i], padEnd: pads[i + n], padding: padding)
        begins.append(b)
        ends.append(e)
    }
    return begins + ends
}

/// One spatial dimension of `resolvePads`.
public func resolvePadPair(input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int,
                           padding: String) -> (begin: Int, end: Int) {
    switch padding {
    case "valid":
        return (0, 0)
    case "same", "same_lower":
        let out = ceilDivide(input, stride)
        let total = Swift.max(0, (out - 1) * stride + dilatedKernel(kernel, dilation) - input)
        let small = total / 2
        return padding == "same" ? (small, total - small) : (total - small, small)
    default:
        return (padBegin, padEnd)
    }
}

/// (k - 1) * dilation + 1: the extent a dilated kernel covers.
public func dilatedKernel(_ kernel: Int, _ dilation: Int) -> Int {
    (kernel - 1) * dilation + 1
}

/// Output size of a conv or pooling window along one dimension, with explicit (resolved) pads:
/// floor((in + pads - dilated kernel) / stride) + 1, or ceil(…) + 1 with `ceilMode`, where (as
/// in PyTorch and ONNX) a last window that would start inside the end padding is dropped.
/// A result below 1 means the window does not fit; the shape rules reject it.
public func pooledSize(input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int,
                       ceilMode: Bool) -> Int {
    let span = input + padBegin + padEnd - dilatedKernel(kernel, dilation)
    guard span >= 0 else { return 0 }
    var out = (ceilMode ? ceilDivide(span, stride) : span / stride) + 1
    if ceilMode, (out - 1) * stride >= input + padBegin { out -= 1 }
    return out
}

/// Output sizes and explicit pads of a 2-D (or n-D) conv or pooling window, as the shape rule
/// computes them: pads resolved by `resolvePads`, then `pooledSize` (ceil_mode only applies
/// to explicit pads; the same modes always give ceil(in / stride)).
public func windowOutput(input: [Int], kernel: [Int], strides: [Int], dilations: [Int], pads: [Int],
                         padding: String, ceilMode: Bool) -> (output: [Int], pads: [Int]) {
    let resolved = resolvePads(input: input, kernel: kernel, strides: strides, dilations: dilations, pads: pads,
                               padding: padding)
    let n = input.count
    var output: [Int] = []
    for i in 0..<n {
        output.append(pooledSize(input: input[i], kernel: kernel[i], stride: strides[i], dilation: dilations[i],
                                 padBegin: resolved[i], padEnd: resolved[i + n],
                                 ceilMode: ceilMode && padding == "explicit"))
    }
    return (output, resolved)
}

/// Explicit pads [x1_begin, x2_begin, x1_end, x2_end] of a transposed convolution. For the same
/// modes the output is in * stride and total pad = stride * (in - 1) + output_padding +
/// dilated kernel - in * stride (ONNX ConvTranspose: `same` puts the odd pad at the end).
public func resolveTransposePads(input: [Int], kernel: [Int], strides: [Int], dilations: [Int],
                                 outputPadding: [Int], pads: [Int], padding: String) -> [Int] {
    let n = input.count
    switch padding {
    case "valid":
        return Array(repeating: 0, count: 2 * n)
    case "same", "same_lower":
        var begins: [Int] = []
        var ends: [Int] = []
        for i in 0..<n {
            let total = outputPadding[i] + dilatedKernel(kernel[i], dilations[i]) - strides[i]
            let small = total / 2
            begins.append(padding == "same" ? small : total - small)
            ends.append(padding == "same" ? total - small : small)
        }
        return begins + ends
    default:
        return pads
    }
}

/// Output size of a transposed convolution along one dimension:
/// stride * (in - 1) + output_padding + dilated kernel - pad_begin - pad_end.
public func transposedSize(input: Int, kernel: Int, stride: Int, dilation: Int, padBegin: Int, padEnd: Int,
                           outputPadding: Int) -> Int {
    stride * (input - 1) + outputPadding + dilatedKernel(kernel, dilation) - padBegin - padEnd
}

/// ONNX Slice along one dimension of `size`: negative start/end count from the end, then
/// clamp to [0, size] (step > 0) or [-1, size - 1] (step < 0). Returns the first index and
/// how many elements are taken (`start + i * step` for i in 0..<count). `step` must not be 0.
public func sliceRange(start: Int, end: Int, step: Int, size: Int) -> (start: Int, count: Int) {
    var s = start < 0 ? start &+ size : start
    var e = end < 0 ? end &+ size : end
    if step > 0 {
        s = Swift.min(Swift.max(s, 0), size)
        e = Swift.min(Swift.max(e, 0), size)
        return (s, e > s ? (e - s - 1) / step + 1 : 0)
    }
    s = Swift.min(Swift.max(s, 0), size - 1)
    e = Swift.min(Swift.max(e, -1), size - 1)
    guard s > e else { return (s, 0) }
    return (s, Int((UInt(s - e) - 1) / step.magnitude) + 1)
}

/// ceil(a / b) for b > 0, without overflowing.
func ceilDivide(_ a: Int, _ b: Int) -> Int {
    let (q, r) = a.quotientAndRemainder(dividingBy: b)
    return r > 0 ? q + 1 : q
}
