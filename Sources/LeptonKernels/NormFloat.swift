/// f32 softmax, layer/instance/batch norm rows on SIMD16 lanes (the generic versions in
/// Norm.swift get specialized in the runtime module, built without AVX-512, and call libm's
/// expf per element). Sums run in 16 lane-wise partial sums, added across lanes in a fixed
/// order at the end: a row's result depends only on its length, never on the thread count
/// (rows are still split whole over threads). Tails load zero-padded lanes (−inf for maxima
/// and exponentials), so they add nothing.

/// Lanes 0..<16 of v summed pairwise in a fixed order.
@inline(__always) func laneSum(_ v: F32x16) -> Float {
    let a = v.lowHalf + v.highHalf
    let b = a.lowHalf + a.highHalf
    let c = b.lowHalf + b.highHalf
    return c[0] + c[1]
}

/// `lanes` floats from p, `fill` in the other lanes.
@inline(__always) func loadLanes(_ p: UnsafePointer<Float>, _ lanes: Int, fill: Float) -> F32x16 {
    if lanes == 16 { return loadF32x16(p) }
    var v = F32x16(repeating: fill)
    for l in 0..<lanes { v[l] = p[l] }
    return v
}

/// Mean and sqrt(variance + ε) of n contiguous floats, two-pass like the reference.
@inline(__always) func vectorMoments(_ x: UnsafePointer<Float>, _ n: Int, _ eps: Float) -> (mean: Float, std: Float) {
    var acc = F32x16()
    var j = 0
    while j < n {
        acc += loadLanes(x + j, Swift.min(16, n - j))
        j += 16
    }
    let mean = laneSum(acc) / Float(n)
    var squares = F32x16()
    j = 0
    while j < n {
        let lanes = Swift.min(16, n - j)
        let d = loadLanes(x + j, lanes, fill: mean) - mean
        squares += d * d
        j += 16
    }
    return (mean, (laneSum(squares) / Float(n) + eps).squareRoot())
}

/// out[j] = (x[j] − mean) / std · scale[j or shared] + bias[...] over n floats.
@inline(__always) func normalizeRow(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, mean: Float, std: Float,
                                    scale: (Int, Int) -> F32x16, bias: (Int, Int) -> F32x16) {
    var j = 0
    while j < n {
        let lanes = Swift.min(16, n - j)
        let y = (loadLanes(x + j, lanes) - mean) / std * scale(j, lanes) + bias(j, lanes)
        storeLanes(y, out + j, lanes)
        j += 16
    }
}

@usableFromInline func layerNormFloat(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Range<Int>, row: Int,
                                      scale: UnsafePointer<Float>, bias: UnsafePointer<Float>?, epsilon: Float) {
    for r in rows {
        let (source, target) = (x + r * row, out + r * row)
        let (mean, std) = vectorMoments(source, row, epsilon)
        normalizeRow(source, target, row, mean: mean, std: std, scale: { loadLanes(scale + $0, $1) },
                     bias: { j, lanes in bias.map { loadLanes($0 + j, lanes) } ?? F32x16() })
    }
}

@usableFromInline func instanceNormFloat(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, planes: Range<Int>, channels: Int,
                                         plane: Int, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float) {
    for p in planes {
        let (source, target) = (x + p * plane, out + p * plane)
        let (mean, std) = vectorMoments(source, plane, epsilon)
        let (s, b) = (F32x16(repeating: scale[p % channels]), F32x16(repeating: bias[p % channels]))
        normalizeRow(source, target, plane, mean: mean, std: std, scale: { _, _ in s }, bias: { _, _ in b })
    }
}

@usableFromInline func batchNormFloat(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, planes: Range<Int>, channels: Int,
                                      plane: Int, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                      variance: UnsafePointer<Float>, epsilon: Float) {
    for p in planes {
        let c = p % channels
        let std = (variance[c] + epsilon).squareRoot()
        let (s, b) = (F32x16(repeating: scale[c]), F32x16(repeating: bias[c]))
        normalizeRow(x + p * plane, out + p * plane, plane, mean: mean[c], std: std, scale: { _, _ in s }, bias: { _, _ in b })
    }
}

/// softmax / log_softmax of contiguous rows of `dim` floats (the reference's rules: shift by
/// the maximum, or by 0 when it is ±inf; NaN anywhere makes the row NaN through the sum).
@usableFromInline func softmaxRowsFloat(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Range<Int>, dim: Int, log: Bool) {
    for r in rows {
        let (source, target) = (x + r * dim, out + r * dim)
        var peaks = F32x16(repeating: -.infinity)
        var nan = false
        var j = 0
        while j < dim {
            let v = loadLanes(source + j, Swift.min(16, dim - j), fill: -.infinity)
            peaks.replace(with: v, where: v .> peaks)
            nan = nan || any(v .!= v)
            j += 16
        }
        var peak = nan ? Float.nan : peaks.max()
        if !peak.isFinite && !peak.isNaN { peak = 0 }
        var sums = F32x16()
        j = 0
        while j < dim {
            let lanes = Swift.min(16, dim - j)
            let e = vexp(loadLanes(source + j, lanes, fill: -.infinity) - peak)
            sums += e
            if !log { storeLanes(e, target + j, lanes) }    // e, divided by the sum below
            j += 16
        }
        let sum = laneSum(sums)
        j = 0
        if log {
            let logSum = vectorScalar(.log, sum)
            while j < dim {
                let lanes = Swift.min(16, dim - j)
                storeLanes(loadLanes(source + j, lanes) - peak - logSum, target + j, lanes)
                j += 16
            }
        } else {
            while j < dim {
                let lanes = Swift.min(16, dim - j)
                storeLanes(loadLanes(target + j, lanes) / sum, target + j, lanes)
                j += 16
            }
        }
    }
}
