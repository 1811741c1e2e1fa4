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

/// Calls body(j, 16) for each whole vector of 0..<n, then body(j, lanes) once for the tail:
/// the hot loop has only full loads (a lane count in it made LLVM split the vectors).
@inline(__always) func forEachVector(_ n: Int, _ body: (Int, Int) -> Void) {
    let full = n / 16 * 16
    var j = 0
    while j < full {
        body(j, 16)
        j += 16
    }
    if full < n { body(full, n - full) }
}

/// Mean and sqrt(variance + ε) of n contiguous floats, two-pass like the reference.
@inline(__always) func vectorMoments(_ x: UnsafePointer<Float>, _ n: Int, _ eps: Float) -> (mean: Float, std: Float) {
    var acc = F32x16()
    forEachVector(n) { j, lanes in acc += lanes == 16 ? loadF32x16(x + j) : loadLanes(x + j, lanes) }
    let mean = laneSum(acc) / Float(n)
    var squares = F32x16()
    forEachVector(n) { j, lanes in
        let d = (lanes == 16 ? loadF32x16(x + j) : loadLanes(x + j, lanes, fill: mean)) - mean
        squares += d * d
    }
    return (mean, (laneSum(squares) / Float(n) + eps).squareRoot())
}

/// out[j] = (x[j] − mean) / std · scale + bias over n floats; `affine` gives scale and bias
/// for the lanes starting at j.
@inline(__always) func normalizeRow(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, mean: Float, std: Float,
                                    _ affine: (Int, Int) -> (F32x16, F32x16)) {
    forEachVector(n) { j, lanes in
        let (s, b) = affine(j, lanes)
        if lanes == 16 {
            storeF32x16((loadF32x16(x + j) - mean) / std * s + b, out + j)
        } else {
            storeLanes((loadLanes(x + j, lanes) - mean) / std * s + b, out + j, lanes)
        }
    }
}

@usableFromInline func layerNormFloat(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Range<Int>, row: Int,
                                      scale: UnsafePointer<Float>, bias: UnsafePointer<Float>?, epsilon: Float) {
    for r in rows {
        let (source, target) = (x + r * row, out + r * row)
        let (mean, std) = vectorMoments(source, row, epsilon)
        if let bias {
            normalizeRow(source, target, row, mean: mean, std: std) { j, lanes in
                lanes == 16 ? (loadF32x16(scale + j), loadF32x16(bias + j)) : (loadLanes(scale + j, lanes), loadLanes(bias + j, lanes))
            }
        } else {
            normalizeRow(source, target, row, mean: mean, std: std) { j, lanes in
                (lanes == 16 ? loadF32x16(scale + j) : loadLanes(scale + j, lanes), F32x16())
            }
        }
    }
}

@usableFromInline func instanceNormFloat(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, planes: Range<Int>, channels: Int,
                                         plane: Int, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, epsilon: Float) {
    for p in planes {
        let (source, target) = (x + p * plane, out + p * plane)
        let (mean, std) = vectorMoments(source, plane, epsilon)
        let (s, b) = (F32x16(repeating: scale[p % channels]), F32x16(repeating: bias[p % channels]))
        normalizeRow(source, target, plane, mean: mean, std: std) { _, _ in (s, b) }
    }
}

@usableFromInline func batchNormFloat(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, planes: Range<Int>, channels: Int,
                                      plane: Int, scale: UnsafePointer<Float>, bias: UnsafePointer<Float>, mean: UnsafePointer<Float>,
                                      variance: UnsafePointer<Float>, epsilon: Float) {
    for p in planes {
        let c = p % channels
        let std = (variance[c] + epsilon).squareRoot()
        let (s, b) = (F32x16(repeating: scale[c]), F32x16(repeating: bias[c]))
        normalizeRow(x + p * plane, out + p * plane, plane, mean: mean[c], std: std) { _, _ in (s, b) }
    }
}

/// softmax / log_softmax of contiguous rows of `dim` floats (the reference's rules: shift by
/// the maximum, or by 0 when it is ±inf; NaN anywhere makes the row NaN through the sum).
@usableFromInline func softmaxRowsFloat(x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, rows: Range<Int>, dim: Int, log: Bool) {
    for r in rows {
        let (source, target) = (x + r * dim, out + r * dim)
        @inline(__always) func load(_ j: Int, _ lanes: Int) -> F32x16 {
            lanes == 16 ? loadF32x16(source + j) : loadLanes(source + j, lanes, fill: -.infinity)
        }
        var peaks = F32x16(repeating: -.infinity)
        var nan = false
        forEachVector(dim) { j, lanes in
            let v = load(j, lanes)
            peaks.replace(with: v, where: v .> peaks)
            nan = nan || any(v .!= v)
        }
        var peak = nan ? Float.nan : peaks.max()
        if !peak.isFinite && !peak.isNaN { peak = 0 }
        var sums = F32x16()
        forEachVector(dim) { j, lanes in
            let e = vexp(load(j, lanes) - peak)
            sums += e
            if !log { lanes == 16 ? storeF32x16(e, target + j) : storeLanes(e, target + j, lanes) }    // e, divided by the sum below
        }
        let sum = laneSum(sums)
        if log {
            let logSum = vectorScalar(.log, sum)
            forEachVector(dim) { j, lanes in
                let y = load(j, lanes) - peak - logSum
                lanes == 16 ? storeF32x16(y, target + j) : storeLanes(y, target + j, lanes)
            }
        } else {
            forEachVector(dim) { j, lanes in
                lanes == 16 ? storeF32x16(loadF32x16(target + j) / sum, target + j)
                            : storeLanes(loadLanes(target + j, lanes) / sum, target + j, lanes)
            }
        }
    }
}

/// One f32 norm or softmax over rows (or planes) split across threads without a closure
/// (`Parallelism.forEach(_:cost:context:_:)`): the steady-state path allocates nothing.
@usableFromInline struct NormJob {
    @usableFromInline enum Kind { case layer, instance, batch, softmax, logSoftmax }
    @usableFromInline var kind: Kind
    @usableFromInline var x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    /// Elements per row (layer norm, softmax) or plane (instance and batch norm).
    @usableFromInline var size: Int, channels: Int = 1
    @usableFromInline var scale: UnsafePointer<Float>? = nil, bias: UnsafePointer<Float>? = nil
    @usableFromInline var mean: UnsafePointer<Float>? = nil, variance: UnsafePointer<Float>? = nil
    @usableFromInline var epsilon: Float = 0

    @usableFromInline init(_ kind: Kind, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, size: Int) {
        (self.kind, self.x, self.out, self.size) = (kind, x, out, size)
    }

    func run(_ rows: Range<Int>) {
        switch kind {
        case .layer:
            guard let scale else { return }
            layerNormFloat(x: x, out: out, rows: rows, row: size, scale: scale, bias: bias, epsilon: epsilon)
        case .instance:
            guard let scale, let bias else { return }
            instanceNormFloat(x: x, out: out, planes: rows, channels: channels, plane: size, scale: scale, bias: bias, epsilon: epsilon)
        case .batch:
            guard let scale, let bias, let mean, let variance else { return }
            batchNormFloat(x: x, out: out, planes: rows, channels: channels, plane: size, scale: scale, bias: bias, mean: mean,
                           variance: variance, epsilon: epsilon)
        case .softmax, .logSoftmax:
            softmaxRowsFloat(x: x, out: out, rows: rows, dim: size, log: kind == .logSoftmax)
        }
    }

    /// Runs rows 0..<count, split over `parallelism` at `cost` per row.
    @usableFromInline func run(_ count: Int, cost: Int, parallelism: Parallelism) {
        var job = self
        withUnsafeMutablePointer(to: &job) { job in
            parallelism.forEach(count, cost: cost, context: UnsafeMutableRawPointer(job)) { context, lower, upper, _ in
                context.assumingMemoryBound(to: NormJob.self).pointee.run(lower..<upper)
            }
        }
    }
}
