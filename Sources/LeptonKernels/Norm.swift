/// Normalizations and normalized exponentials, in the input float type. Means and variances
/// are two-pass like the reference (f32 runs the SIMD16 rows of NormFloat.swift, summing in
/// 16 lanes; other types sum in order). Outputs may alias inputs exactly.
/// Rows (planes, lines) are independent and each is normalized by one thread, so they are
/// split over `parallelism`'s threads without changing a bit of the result.

/// batch_norm over x[N, C, plane]: (x − mean[c]) / sqrt(var[c] + ε) · scale[c] + bias[c].
@inlinable public func batchNorm<T: KernelFloat>(x: UnsafePointer<T>, out: UnsafeMutablePointer<T>, batch: Int, channels: Int, plane: Int,
                                      scale: UnsafePointer<T>, bias: UnsafePointer<T>, mean: UnsafePointer<T>,
                                      variance: UnsafePointer<T>, epsilon: Double, parallelism: Parallelism = .serial) {
    if T.self == Float.self {
        var job = NormJob(.batch, x: cast(x), out: cast(out), size: plane)
        (job.channels, job.scale, job.bias, job.mean, job.variance) = (channels, cast(scale), cast(bias), cast(mean), cast(variance))
        job.epsilon = Float(epsilon)
        return job.run(batch * channels, cost: plane * 2, parallelism: parallelism)
    }
    let eps = T(epsilon)
    let shared = Shared((x, out, scale, bias, mean, variance))
    parallelism.forEach(batch * channels, cost: plane * 2) { range, _ in
        let (x, out, scale, bias, mean, variance) = shared.value
        for p in range {
            let c = p % channels
            let std = (variance[c] + eps).squareRoot()
            let (s, b, m) = (scale[c], bias[c], mean[c])
            let base = p * plane
            for i in base..<(base + plane) { out[i] = (x[i] - m) / std * s + b }
        }
    }
}

/// Mean and standard deviation of `count` contiguous elements.
@inline(__always)
@inlinable func moments<T: KernelFloat>(_ x: UnsafePointer<T>, _ count: Int, _ eps: T) -> (mean: T, std: T) {
    var sum = T.zero
    for i in 0..<count { sum += x[i] }
    let mean = sum / T(count)
    var squares = T.zero
    for i in 0..<count { squares += (x[i] - mean) * (x[i] - mean) }
    return (mean, (squares / T(count) + eps).squareRoot())
}

/// layer_norm over `rows` rows of `row` elements; scale/bias have `row` elements.
@inlinable public func layerNorm<T: KernelFloat>(x: UnsafePointer<T>, out: UnsafeMutablePointer<T>, rows: Int, row: Int,
                                      scale: UnsafePointer<T>, bias: UnsafePointer<T>?, epsilon: Double,
                                      parallelism: Parallelism = .serial) {
    guard row > 0 else { return }
    if T.self == Float.self {
        var job = NormJob(.layer, x: cast(x), out: cast(out), size: row)
        (job.scale, job.bias, job.epsilon) = (cast(scale), bias.map(cast), Float(epsilon))
        return job.run(rows, cost: row * 4, parallelism: parallelism)
    }
    let shared = Shared((x, out, scale, bias))
    parallelism.forEach(rows, cost: row * 4) { range, _ in
        let (x, out, scale, bias) = shared.value
        for r in range {
            let (source, target) = (x + r * row, out + r * row)
            let (mean, std) = moments(source, row, T(epsilon))
            for j in 0..<row { target[j] = (source[j] - mean) / std * scale[j] + (bias?[j] ?? 0) }
        }
    }
}

/// instance_norm over x[N, C, plane]: each (n, c) plane normalized, then scale[c], bias[c].
@inlinable public func instanceNorm<T: KernelFloat>(x: UnsafePointer<T>, out: UnsafeMutablePointer<T>, batch: Int, channels: Int,
                                         plane: Int, scale: UnsafePointer<T>, bias: UnsafePointer<T>, epsilon: Double,
                                         parallelism: Parallelism = .serial) {
    guard plane > 0 else { return }
    if T.self == Float.self {
        var job = NormJob(.instance, x: cast(x), out: cast(out), size: plane)
        (job.channels, job.scale, job.bias, job.epsilon) = (channels, cast(scale), cast(bias), Float(epsilon))
        return job.run(batch * channels, cost: plane * 4, parallelism: parallelism)
    }
    let shared = Shared((x, out, scale, bias))
    parallelism.forEach(batch * channels, cost: plane * 4) { range, _ in
        let (x, out, scale, bias) = shared.value
        for p in range {
            let (source, target) = (x + p * plane, out + p * plane)
            let (mean, std) = moments(source, plane, T(epsilon))
            let c = p % channels
            for j in 0..<plane { target[j] = (source[j] - mean) / std * scale[c] + bias[c] }
        }
    }
}

/// softmax / log_softmax over x[outer, dim, inner] along the middle axis, shifted by the
/// maximum so nothing overflows (an all −∞ line shifts by 0, as the reference does).
@inlinable public func softmax<T: KernelFloat>(x: UnsafePointer<T>, out: UnsafeMutablePointer<T>, outer: Int, dim: Int, inner: Int, log: Bool,
                                    parallelism: Parallelism = .serial) {
    guard dim > 0 && inner > 0 else { return }
    if T.self == Float.self && inner == 1 {
        return NormJob(log ? .logSoftmax : .softmax, x: cast(x), out: cast(out), size: dim).run(outer, cost: dim * 2, parallelism: parallelism)
    }
    let shared = Shared((x, out))
    parallelism.forEach(outer * inner, cost: dim * 8) { range, _ in
        softmaxLines(x: shared.value.0, out: shared.value.1, lines: range, dim: dim, inner: inner, log: log)
    }
}

/// softmax over the lines `lines` (line o·inner + i starts at o·dim·inner + i, stride inner).
@inlinable func softmaxLines<T: KernelFloat>(x: UnsafePointer<T>, out: UnsafeMutablePointer<T>, lines: Range<Int>,
                                                               dim: Int, inner: Int, log: Bool) {
    for line in lines {
        let (o, i) = line.quotientAndRemainder(dividingBy: inner)
        let base = o * dim * inner + i
        var peak = -T.infinity
        for j in 0..<dim { peak = T.larger(peak, x[base + j * inner]) }
        if !peak.isFinite && !peak.isNaN { peak = 0 }
        var sum = T.zero
        for j in 0..<dim { sum += T.exp(x[base + j * inner] - peak) }
        let logSum = T.log(sum)
        for j in 0..<dim {
            let shifted = x[base + j * inner] - peak
            out[base + j * inner] = log ? shifted - logSum : T.exp(shifted) / sum
        }
    }
}

/// A pointer to T as a pointer to Float, for the f32 paths (callers check T is Float).
@inline(__always) @inlinable func cast<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> { UnsafePointer(OpaquePointer(p)) }
@inline(__always) @inlinable func cast<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutablePointer(OpaquePointer(p))
}
