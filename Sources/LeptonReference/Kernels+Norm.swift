/// Normalizations and normalized exponentials, in the input float type.
///
/// Means and variances are two-pass (mean first, then squared deviations), summed in order;
/// against numpy float32 expect ~1e-6 · sqrt(n) relative.

/// softmax / log_softmax along `axis`, shifted by the row maximum so large inputs never
/// overflow: e^(x − max) / Σ e^(x − max), and (x − max) − log Σ e^(x − max).
func softmax(_ x: Tensor, axis requested: Int, log: Bool) -> Tensor {
    let axis = normalized(axis: requested, rank: x.rank)
    let dim = x.shape.isEmpty ? 1 : x.shape[axis]
    let inner = x.shape.isEmpty ? 1 : product(x.shape[(axis + 1)...])
    switch x.storage {
    case .f32(let a): return Tensor(shape: x.shape, scalars: softmax(a, dim: dim, inner: inner, log: log))
    case .f64(let a): return Tensor(shape: x.shape, scalars: softmax(a, dim: dim, inner: inner, log: log))
    default: preconditionFailure("softmax takes floats, got \(x.dtype)")
    }
}

private func softmax<T: FloatScalar>(_ x: [T], dim: Int, inner: Int, log: Bool) -> [T] {
    var out = x
    guard dim > 0 && inner > 0 else { return out }
    for o in 0..<(x.count / (dim * inner)) {
        for i in 0..<inner {
            let base = o * dim * inner + i
            var peak = -T.infinity
            for j in 0..<dim { peak = T.larger(peak, x[base + j * inner]) }
            // An all −∞ row has no finite maximum; shifting by 0 keeps it NaN-free like numpy.
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
    return out
}

/// batch_norm(x[N, C, ...], scale, bias, mean, var): per channel (axis 1),
/// (x − mean) / sqrt(var + epsilon) · scale + bias.
func batchNorm(_ x: Tensor, _ scale: Tensor, _ bias: Tensor, _ mean: Tensor, _ variance: Tensor, epsilon: Double) -> Tensor {
    precondition(x.rank >= 2, "batch_norm takes x[N, C, ...]")
    let channels = x.shape[1], plane = product(x.shape[2...])
    func run<T: FloatScalar>(_ a: [T]) -> Tensor {
        let (s, b, m, v) = (scale.array(T.self), bias.array(T.self), mean.array(T.self), variance.array(T.self))
        let eps = T(attribute: epsilon)
        let std = (0..<channels).map { (v[$0] + eps).squareRoot() }
        let out = a.indices.map { i in
            let c = (i / plane) % channels
            return (a[i] - m[c]) / std[c] * s[c] + b[c]
        }
        return Tensor(shape: x.shape, scalars: out)
    }
    switch x.storage {
    case .f32(let a): return run(a)
    case .f64(let a): return run(a)
    default: preconditionFailure("batch_norm takes floats, got \(x.dtype)")
    }
}

/// layer_norm: normalizes each row of the dims from `axis` on, then scale (and bias), which
/// have the shape of those dims.
func layerNorm(_ x: Tensor, _ scale: Tensor, _ bias: Tensor?, axis requested: Int, epsilon: Double) -> Tensor {
    let axis = normalized(axis: requested, rank: x.rank)
    let row = product(x.shape[axis...])
    return standardize(x, scale, bias, row: row, epsilon: epsilon) { i in i % row }
}

/// instance_norm(x[N, C, ...], scale[C], bias[C]): normalizes each (n, c) plane.
func instanceNorm(_ x: Tensor, _ scale: Tensor, _ bias: Tensor, epsilon: Double) -> Tensor {
    precondition(x.rank >= 2, "instance_norm takes x[N, C, ...]")
    let channels = x.shape[1], plane = product(x.shape[2...])
    return standardize(x, scale, bias, row: plane, epsilon: epsilon) { i in (i / plane) % channels }
}

/// (x − mean) / sqrt(variance + epsilon) · scale[p(i)] + bias[p(i)] over contiguous rows of
/// `row` elements, where p maps a flat index to its scale/bias entry.
private func standardize(_ x: Tensor, _ scale: Tensor, _ bias: Tensor?, row: Int, epsilon: Double,
                         parameter: (Int) -> Int) -> Tensor {
    switch x.storage {
    case .f32(let a):
        Tensor(shape: x.shape, scalars: standardize(a, scale.array(Float.self), bias?.array(Float.self), row, Float(epsilon), parameter))
    case .f64(let a):
        Tensor(shape: x.shape, scalars: standardize(a, scale.array(Double.self), bias?.array(Double.self), row, epsilon, parameter))
    default:
        preconditionFailure("normalization takes floats, got \(x.dtype)")
    }
}

private func standardize<T: FloatScalar>(_ x: [T], _ scale: [T], _ bias: [T]?, _ row: Int, _ epsilon: T,
                                         _ parameter: (Int) -> Int) -> [T] {
    guard row > 0 else { return x }
    var out = x
    for start in stride(from: 0, to: x.count, by: row) {
        var sum = T.zero
        for i in start..<(start + row) { sum += x[i] }
        let mean = sum / T(row)
        var squares = T.zero
        for i in start..<(start + row) { squares += (x[i] - mean) * (x[i] - mean) }
        let std = (squares / T(row) + epsilon).squareRoot()
        for i in start..<(start + row) {
            let p = parameter(i)
            out[i] = (x[i] - mean) / std * scale[p] + (bias?[p] ?? 0)
        }
    }
    return out
}
