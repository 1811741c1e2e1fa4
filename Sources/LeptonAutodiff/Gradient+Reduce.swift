import LeptonIR

/// Gradients of reductions and normalized exponentials.

/// The reduced axes of a reduction node, normalized (all axes when the list is empty).
private func reducedAxes(_ rule: GradientRule, rank: Int) -> [Int] {
    let axes = rule.attributes.ints("axes")
    return axes.isEmpty ? Array(0..<rank) : axes.map { $0 < 0 ? $0 + rank : $0 }.sorted()
}

/// `value` (a reduction's result or its adjoint) with the reduced dims back as size 1, then
/// broadcast to the operand's shape.
private func spread(_ value: ValueID, over axes: [Int], to shape: [Int], _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    var kept = shape
    for axis in axes { kept[axis] = 1 }
    return try b.expand(b.reshape(value, kept), shape)
}

/// sum: g spread back; mean: also divided by the count; max/min: g goes to the elements equal
/// to the result, shared evenly among ties (PyTorch's amax/amin); prod: g·y/x.
func reductionGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let x = rule.x, shape = b.shape(x), dtype = b.dtype(x)
    let axes = reducedAxes(rule, rank: shape.count)
    let g = try spread(rule.gradient, over: axes, to: shape, &b)
    switch rule.op {
    case .reduce_sum:
        return g
    case .reduce_mean:
        let count = axes.map { shape[$0] }.reduce(1, *)
        return try b(.mul, g, b.scalar(1 / Double(max(count, 1)), dtype))
    case .reduce_max, .reduce_min:
        let y = try spread(rule.y, over: axes, to: shape, &b)
        let hits = try b(.cast, b(.eq, x, y), attributes: ["to": .dtype(dtype)])
        let ties = try b(.reduce_sum, hits, attributes: ["axes": .ints(axes), "keepdims": .bool(true)])
        return try b(.div, b(.mul, g, hits), b.expand(ties, shape))
    case .reduce_prod:
        let y = try spread(rule.y, over: axes, to: shape, &b)
        return try b(.div, b(.mul, g, y), x)
    default:
        throw GradientError("internal: \(rule.op) is not a reduction")
    }
}

/// softmax: y·(g − Σ g·y); log_softmax: g − softmax(x)·Σ g, sums along the axis.
func softmaxGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let y = rule.y, g = rule.gradient, shape = b.shape(y)
    let axis = rule.attributes.int("axis") < 0 ? rule.attributes.int("axis") + shape.count : rule.attributes.int("axis")
    func sumAlongAxis(_ v: ValueID) throws(GradientError) -> ValueID {
        try b.expand(b(.reduce_sum, v, attributes: ["axes": .ints([axis]), "keepdims": .bool(true)]), shape)
    }
    if rule.op == .softmax {
        return try b(.mul, y, b(.sub, g, sumAlongAxis(b(.mul, g, y))))
    }
    return try b(.sub, g, b(.mul, b(.exp, y), sumAlongAxis(g)))
}
