import LeptonIR

/// Gradients of the normalizations, in closed form.
///
/// All three are y = x̂·scale + bias with x̂ = (x − μ)·rstd and rstd = 1/sqrt(σ² + ε), and
/// differ in where μ and σ² come from:
/// - batch_norm (inference form) reads them as operands, so y is affine in x and every
///   adjoint is a per-channel product or a sum over all but the channel axis;
/// - layer_norm and instance_norm compute them from x (the biased variance, ε inside the
///   root, as `Kernels+Norm.swift` does), which gives the usual
///       dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)),   ĝ = g·scale,
///   with means over the normalized dims.
/// Closed form rather than `gradientThroughDecomposition`: a few ops per rule instead of the
/// backward of mean, sub, square, mean, add, rsqrt with their broadcasts, and x̂ is formed
/// once, the same way the forward forms it.
func normalizationGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    switch rule.op {
    case .batch_norm:
        return try batchNormGradient(rule, &b)
    case .layer_norm:
        return try layerNormGradient(rule, &b)
    case .instance_norm:
        return try instanceNormGradient(rule, &b)
    default:
        throw GradientError("internal: \(rule.op) is not a normalization")
    }
}

/// The shape a per-channel [C] vector takes to broadcast against x[N, C, ...]: [C, 1, ...].
private func channelView(_ shape: [Int]) -> [Int] {
    [shape[1]] + Array(repeating: 1, count: shape.count - 2)
}

/// Every axis of x[N, C, ...] but the channel axis.
private func allButChannel(rank: Int) -> [Int] {
    [0] + Array(2..<rank)
}

private func sum(_ v: ValueID, axes: [Int], keepdims: Bool, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    try b(.reduce_sum, v, attributes: ["axes": .ints(axes), "keepdims": .bool(keepdims)])
}

/// y = (x − mean)·s + bias with s = scale·rstd per channel:
/// dx = g·s, dbias = Σg, dmean = −Σ g·s, dscale = rstd·Σ g·(x − mean),
/// dvar = −½·scale·rstd³·Σ g·(x − mean)   (d rstd/d var = −½ rstd³).
private func batchNormGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let x = rule.x, g = rule.gradient, inputs = rule.node.inputs
    let (scale, mean, variance) = (inputs[1], inputs[3], inputs[4])
    let view = channelView(b.shape(x)), axes = allButChannel(rank: b.rank(x)), dtype = b.dtype(x)
    let rstd = try b(.rsqrt, b(.add, variance, b.scalar(rule.attributes.float("epsilon"), dtype)))
    var adjoints = [ValueID?](repeating: nil, count: inputs.count)
    if rule.needs(0) || rule.needs(3) {
        let dx = try b(.mul, g, b.reshape(b(.mul, scale, rstd), view))
        if rule.needs(0) { adjoints[0] = dx }
        if rule.needs(3) { adjoints[3] = try b(.neg, sum(dx, axes: axes, keepdims: false, &b)) }
    }
    if rule.needs(1) || rule.needs(4) {
        let centred = try b(.sub, x, b.reshape(mean, view))
        let gCentred = try sum(b(.mul, g, centred), axes: axes, keepdims: false, &b)
        if rule.needs(1) { adjoints[1] = try b(.mul, gCentred, rstd) }
        if rule.needs(4) {
            let rstd3 = try b(.mul, rstd, b(.mul, rstd, rstd))
            let slope = try b(.mul, b(.mul, scale, rstd3), b.scalar(-0.5, dtype))
            adjoints[4] = try b(.mul, gCentred, slope)
        }
    }
    if rule.needs(2) { adjoints[2] = try sum(g, axes: axes, keepdims: false, &b) }
    return adjoints
}

/// layer_norm over the dims from `axis` on; scale and bias have exactly those dims, so they
/// broadcast against x as they are and their adjoints sum away the leading dims.
private func layerNormGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let x = rule.x, g = rule.gradient, scale = rule.node.inputs[1], rank = b.rank(x)
    let requested = rule.attributes.int("axis")
    let axes = Array((requested < 0 ? requested + rank : requested)..<rank)
    let (xHat, rstd) = try standardized(x, over: axes, epsilon: rule.attributes.float("epsilon"), &b)
    var adjoints = [ValueID?](repeating: nil, count: rule.node.inputs.count)
    if rule.needs(0) { adjoints[0] = try standardizedInputGradient(b(.mul, g, scale), xHat, rstd, over: axes, &b) }
    if rule.needs(1) { adjoints[1] = try b.sumToShape(b(.mul, g, xHat), b.shape(scale)) }
    if let bias = rule.operand(2), rule.needs(2) { adjoints[2] = try b.sumToShape(g, b.shape(bias)) }
    return adjoints
}

/// instance_norm over the spatial dims of each (n, c); scale and bias are per channel.
private func instanceNormGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let x = rule.x, g = rule.gradient, scale = rule.node.inputs[1]
    let spatial = Array(2..<b.rank(x)), channels = allButChannel(rank: b.rank(x))
    let (xHat, rstd) = try standardized(x, over: spatial, epsilon: rule.attributes.float("epsilon"), &b)
    var adjoints = [ValueID?](repeating: nil, count: rule.node.inputs.count)
    if rule.needs(0) {
        let scaled = try b(.mul, g, b.reshape(scale, channelView(b.shape(x))))
        adjoints[0] = try standardizedInputGradient(scaled, xHat, rstd, over: spatial, &b)
    }
    if rule.needs(1) { adjoints[1] = try sum(b(.mul, g, xHat), axes: channels, keepdims: false, &b) }
    if rule.needs(2) { adjoints[2] = try sum(g, axes: channels, keepdims: false, &b) }
    return adjoints
}

/// x̂ = (x − μ)·rstd and rstd (size 1 along `axes`), with μ and the biased variance over
/// `axes` and ε inside the root, as the forward kernel computes them.
private func standardized(_ x: ValueID, over axes: [Int], epsilon: Double,
                          _ b: inout GradientBuilder) throws(GradientError) -> (xHat: ValueID, rstd: ValueID) {
    func mean(_ v: ValueID) throws(GradientError) -> ValueID {
        try b(.reduce_mean, v, attributes: ["axes": .ints(axes), "keepdims": .bool(true)])
    }
    let centred = try b(.sub, x, mean(x))
    let rstd = try b(.rsqrt, b(.add, mean(b(.mul, centred, centred)), b.scalar(epsilon, b.dtype(x))))
    return (try b(.mul, centred, rstd), rstd)
}

/// dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) for x̂ standardized over `axes`, ĝ = ∂loss/∂x̂.
private func standardizedInputGradient(_ gHat: ValueID, _ xHat: ValueID, _ rstd: ValueID, over axes: [Int],
                                       _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    func mean(_ v: ValueID) throws(GradientError) -> ValueID {
        try b(.reduce_mean, v, attributes: ["axes": .ints(axes), "keepdims": .bool(true)])
    }
    let projection = try b(.mul, xHat, mean(b(.mul, gHat, xHat)))
    return try b(.mul, rstd, b(.sub, b(.sub, gHat, mean(gHat)), projection))
}
