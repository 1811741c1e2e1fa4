import Foundation
import LeptonIR

/// Gradients of elementwise ops. Where a derivative is undefined at a point (relu and abs at
/// 0, clip at its bounds) the choice matches PyTorch's, so results can be compared with it.

/// Unary float and numeric ops: g · f'(x), written with the result y where that is cheaper.
func unaryGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let x = rule.x, y = rule.y, g = rule.gradient
    let dtype = b.dtype(x)
    func constant(_ value: Double) throws(GradientError) -> ValueID { try b.scalar(value, dtype) }
    switch rule.op {
    case .exp:
        return try b(.mul, g, y)
    case .log:
        return try b(.div, g, x)
    case .sqrt:  // g / (2·y)
        return try b(.div, g, b(.mul, y, constant(2)))
    case .rsqrt:  // −½ · x^(−3/2) = −½ · y / x
        return try b(.mul, g, b(.div, b(.mul, y, constant(-0.5)), x))
    case .reciprocal:  // −y²
        return try b(.neg, b(.mul, g, b(.mul, y, y)))
    case .sigmoid:  // y · (1 − y)
        return try b(.mul, g, b(.mul, y, b(.sub, constant(1), y)))
    case .tanh:  // 1 − y²
        return try b(.mul, g, b(.sub, constant(1), b(.mul, y, y)))
    case .softplus:  // sigmoid(x)
        return try b(.mul, g, b(.sigmoid, x))
    case .erf:  // 2/√π · e^(−x²)
        let slope = try b(.exp, b(.neg, b(.mul, x, x)))
        return try b(.mul, g, b(.mul, slope, constant(2 / Double.pi.squareRoot())))
    case .gelu:
        return try b(.mul, g, geluDerivative(x, tanhForm: rule.attributes["approximate"] == .choice("tanh"), &b))
    case .leaky_relu:  // 1 where x ≥ 0 (the forward's own branch), else alpha
        let alpha = try constant(rule.attributes.float("alpha"))
        return try b(.where, b(.ge, x, constant(0)), g, b(.mul, g, alpha))
    case .elu:  // 1 where x > 0, else alpha·e^x = y + alpha
        let alpha = try constant(rule.attributes.float("alpha"))
        return try b(.where, b(.gt, x, constant(0)), g, b(.mul, g, b(.add, y, alpha)))
    case .neg:
        return try b(.neg, g)
    case .abs:  // sign(x), 0 at 0
        let zero = try constant(0)
        return try b(.where, b(.gt, x, zero), g, b(.where, b(.lt, x, zero), b(.neg, g), zero))
    case .relu:  // 1 where x > 0
        return try b(.where, b(.gt, x, constant(0)), g, constant(0))
    case .clip:  // 1 inside [min, max], bounds included
        let inside = try b(.and, b(.ge, x, constant(rule.attributes.float("min"))), b(.le, x, constant(rule.attributes.float("max"))))
        return try b(.where, inside, g, constant(0))
    case .identity:
        return g
    default:
        throw GradientError("internal: \(rule.op) is not a unary elementwise op")
    }
}

/// d/dx of x·Φ(x), exactly or in the tanh form the forward used.
private func geluDerivative(_ x: ValueID, tanhForm: Bool, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let dtype = b.dtype(x)
    func constant(_ value: Double) throws(GradientError) -> ValueID { try b.scalar(value, dtype) }
    if tanhForm {
        // y = ½x(1 + t), t = tanh(u), u = √(2/π)(x + 0.044715x³):
        // y' = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)
        let c = (2 / Double.pi).squareRoot()
        let x2 = try b(.mul, x, x)
        let u = try b(.mul, b(.add, x, b(.mul, b(.mul, x2, x), constant(0.044715))), constant(c))
        let t = try b(.tanh, u)
        let du = try b(.mul, b(.add, constant(1), b(.mul, x2, constant(3 * 0.044715))), constant(c))
        let left = try b(.mul, b(.add, constant(1), t), constant(0.5))
        let right = try b(.mul, b(.mul, b(.mul, x, constant(0.5)), b(.sub, constant(1), b(.mul, t, t))), du)
        return try b(.add, left, right)
    }
    // Φ(x) + x·φ(x), Φ(x) = ½(1 + erf(x/√2)), φ(x) = e^(−x²/2)/√(2π)
    let cdf = try b(.mul, b(.add, constant(1), b(.erf, b(.mul, x, constant(1 / 2.0.squareRoot())))), constant(0.5))
    let pdf = try b(.mul, b(.exp, b(.mul, b(.mul, x, x), constant(-0.5))), constant(1 / (2 * Double.pi).squareRoot()))
    return try b(.add, cdf, b(.mul, x, pdf))
}

/// Float-to-float casts pass the gradient back in the operand's dtype. A cast from an integer
/// or bool is where a path from a trained value loses its gradient (argmax, comparisons): that
/// is an error, not a silent zero.
func castGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID? {
    let from = b.dtype(rule.x)
    guard from.isFloatingPoint else {
        guard rule.needs(0) else { return nil }
        // Name the op where the gradient stops: the producer of the integer value.
        if let producer = b.graph.nodes.first(where: { $0.outputs.contains(rule.x) }) {
            throw GradientError("the loss depends on trained params through \(producer.op), whose \(b.type(rule.x)) result has no gradient",
                                at: producer.location)
        }
        throw GradientError("cannot differentiate through cast from \(from): the value has no gradient")
    }
    return from == b.dtype(rule.gradient) ? rule.gradient : try b(.cast, rule.gradient, attributes: ["to": .dtype(from)])
}

/// Broadcasting binary ops: each operand's adjoint is summed back to its own shape.
func binaryGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let x = rule.node.inputs[0], y = rule.node.inputs[1], g = rule.gradient, out = rule.y
    let dtype = b.dtype(x)
    func constant(_ value: Double) throws(GradientError) -> ValueID { try b.scalar(value, dtype) }
    var dx: ValueID?, dy: ValueID?
    switch rule.op {
    case .add:
        dx = g
        dy = g
    case .sub:
        dx = g
        if rule.needs(1) { dy = try b(.neg, g) }
    case .mul:
        if rule.needs(0) { dx = try b(.mul, g, y) }
        if rule.needs(1) { dy = try b(.mul, g, x) }
    case .div:  // d/dx = 1/y, d/dy = −x/y² = −out/y
        if rule.needs(0) { dx = try b(.div, g, y) }
        if rule.needs(1) { dy = try b(.neg, b(.div, b(.mul, g, out), y)) }
    case .pow:  // d/dx = y·x^(y−1); d/dy = out·ln x where x > 0, else 0 (as PyTorch)
        if rule.needs(0) { dx = try b(.mul, g, b(.mul, y, b(.pow, x, b(.sub, y, constant(1))))) }
        if rule.needs(1) {
            let zero = try constant(0)
            let positive = try b(.gt, x, zero)
            let safeLog = try b(.log, b(.where, positive, x, constant(1)))
            dy = try b(.where, positive, b(.mul, g, b(.mul, out, safeLog)), zero)
        }
    case .max, .min:  // the larger (smaller) operand takes g; ties split it evenly, as PyTorch
        let zero = try constant(0)
        let half = try b(.mul, g, constant(0.5))
        let tie = try b(.eq, x, y)
        let xWins = try b(rule.op == .max ? .gt : .lt, x, y)
        if rule.needs(0) { dx = try b(.where, xWins, g, b(.where, tie, half, zero)) }
        if rule.needs(1) { dy = try b(.where, xWins, zero, b(.where, tie, half, g)) }
    default:
        throw GradientError("internal: \(rule.op) is not a binary arithmetic op")
    }
    return [try dx.map { v throws(GradientError) in try b.sumToShape(b.expand(v, b.shape(out)), b.shape(x)) },
            try dy.map { v throws(GradientError) in try b.sumToShape(b.expand(v, b.shape(out)), b.shape(y)) }]
}

/// where(cond, x, y): each branch takes g where it was chosen. The condition gets none.
func whereGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let cond = rule.node.inputs[0], x = rule.node.inputs[1], y = rule.node.inputs[2], g = rule.gradient
    let zero = try b.scalar(0, b.dtype(g))
    var dx: ValueID?, dy: ValueID?
    if rule.needs(1) { dx = try b.sumToShape(b(.where, cond, g, zero), b.shape(x)) }
    if rule.needs(2) { dy = try b.sumToShape(b(.where, cond, zero, g), b.shape(y)) }
    return [nil, dx, dy]
}
