import Testing
@testable import LeptonReference

/// The gradient kernels against the forward reference ops they differentiate. For random
/// x, v and dy (f64), the forward op's directional derivative along v, paired with dy, must
/// equal v paired with the gradient (the adjoint identity):
///
///     <f(x + ε·v) − f(x − ε·v), dy> / 2ε  ≈  <v, grad(x, dy)>
///
/// The two sides come from separately written kernels (the forward ones long tested against
/// numpy), so agreement on windows with padding, ceil_mode, dilation and groups is what makes
/// the gradient kernels trustworthy. The pooling ops and conv2d (in its weight) are linear or
/// piecewise linear, so central differences are exact up to rounding: the tolerance is tight.
@Suite struct ReferenceAdjointTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var gradient: Op
        var x: [Int]
        var attributes: [String: Attribute]
        var testDescription: String { "\(gradient) x\(x) \(attributes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })" }
    }

    static let poolCases: [Case] = [
        Case(gradient: .max_pool2d_grad, x: [2, 2, 5, 5], attributes: ["kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]),
        Case(gradient: .max_pool2d_grad, x: [1, 2, 6, 7], attributes: ["kernel": .ints([3, 2]), "strides": .ints([2, 2]),
                                                                       "pads": .ints([1, 0, 1, 1]), "ceil_mode": .bool(true)]),
        Case(gradient: .max_pool2d_grad, x: [1, 1, 7, 6], attributes: ["kernel": .ints([2, 3]), "dilations": .ints([2, 2]),
                                                                       "strides": .ints([1, 2]), "pads": .ints([1, 1, 0, 2])]),
        Case(gradient: .max_pool2d_grad, x: [1, 1, 5, 6], attributes: ["kernel": .ints([3, 3]), "strides": .ints([2, 2]),
                                                                       "padding": .choice("same")]),
        Case(gradient: .avg_pool2d_grad, x: [2, 2, 5, 5], attributes: ["kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1])]),
        Case(gradient: .avg_pool2d_grad, x: [2, 2, 5, 5], attributes: ["kernel": .ints([3, 3]), "pads": .ints([1, 1, 1, 1]),
                                                                       "count_include_pad": .bool(true)]),
        Case(gradient: .avg_pool2d_grad, x: [1, 2, 6, 7], attributes: ["kernel": .ints([3, 2]), "strides": .ints([2, 2]),
                                                                       "pads": .ints([1, 0, 1, 1]), "ceil_mode": .bool(true),
                                                                       "count_include_pad": .bool(true)]),
        Case(gradient: .avg_pool2d_grad, x: [1, 1, 4, 4], attributes: ["kernel": .ints([3, 3]), "strides": .ints([2, 2]),
                                                                       "pads": .ints([1, 1, 1, 1]), "ceil_mode": .bool(true)]),
        Case(gradient: .avg_pool2d_grad, x: [1, 1, 5, 6], attributes: ["kernel": .ints([2, 3]), "strides": .ints([2, 2]),
                                                                       "padding": .choice("same_lower"), "count_include_pad": .bool(true)]),
        Case(gradient: .avg_pool2d_grad, x: [1, 1, 5, 5], attributes: ["kernel": .ints([2, 2]), "padding": .choice("valid")]),
    ]

    @Test(arguments: poolCases)
    func poolGradientIsAdjoint(_ c: Case) throws {
        let forward: Op = c.gradient == .max_pool2d_grad ? .max_pool2d : .avg_pool2d
        let (x, v) = (randomF64(c.x, seed: 1), randomF64(c.x, seed: 2))
        let pooled = try evaluate1(forward, [x], c.attributes)
        let dy = randomF64(pooled.shape, seed: 3)
        let f = { (t: Tensor) throws -> Tensor in try evaluate1(forward, [t], c.attributes) }
        let derivative = try directionalDerivative(f, at: x, along: v, pairedWith: dy)
        let gradient = try evaluate1(c.gradient, [x, dy], c.attributes)
        expectAdjoint(derivative, dot(v, gradient))
    }

    struct ConvCase: Sendable, CustomTestStringConvertible {
        var x: [Int]
        var w: [Int]
        var attributes: [String: Attribute]
        var testDescription: String { "x\(x) w\(w) \(attributes.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" })" }
    }

    static let convCases: [ConvCase] = [
        ConvCase(x: [2, 4, 7, 7], w: [6, 2, 2, 2], attributes: ["strides": .ints([2, 2]), "pads": .ints([1, 1, 1, 1]),
                                                               "dilations": .ints([2, 2]), "group": .int(2)]),
        ConvCase(x: [1, 3, 5, 5], w: [2, 3, 3, 3], attributes: ["pads": .ints([1, 1, 1, 1])]),
        ConvCase(x: [2, 2, 6, 5], w: [4, 1, 3, 2], attributes: ["strides": .ints([1, 2]), "pads": .ints([0, 1, 2, 0]),
                                                               "dilations": .ints([1, 2]), "group": .int(2)]),
        ConvCase(x: [1, 6, 4, 4], w: [3, 2, 1, 1], attributes: ["strides": .ints([3, 3]), "group": .int(3)]),
    ]

    /// conv2d is linear in w: vary w, not x.
    @Test(arguments: convCases)
    func convWeightGradientIsAdjoint(_ c: ConvCase) throws {
        let x = randomF64(c.x, seed: 4)
        let (w, v) = (randomF64(c.w, seed: 5), randomF64(c.w, seed: 6))
        let output = try evaluate1(.conv2d, [x, w], c.attributes)
        let dy = randomF64(output.shape, seed: 7)
        let f = { (weight: Tensor) throws -> Tensor in try evaluate1(.conv2d, [x, weight], c.attributes) }
        let derivative = try directionalDerivative(f, at: w, along: v, pairedWith: dy)
        var attributes = c.attributes
        attributes["kernel"] = .ints(Array(c.w[2...]))
        let gradient = try evaluate1(.conv2d_weight_grad, [x, dy], attributes)
        #expect(gradient.shape == c.w)
        expectAdjoint(derivative, dot(v, gradient))
    }

    struct ScatterCase: Sendable, CustomTestStringConvertible {
        var shape: [Int]
        var indices: Tensor
        var axis: Int
        var testDescription: String { "data\(shape) indices \(indices) axis \(axis)" }
    }

    static let scatterCases: [ScatterCase] = [
        ScatterCase(shape: [5, 3], indices: i64([3, 2], [0, -1, 4, 0, 2, -5]), axis: 0),
        ScatterCase(shape: [2, 4, 3], indices: i32([5], [3, 1, -1, 3, 0]), axis: 1),
        ScatterCase(shape: [2, 4, 3], indices: i64([2, 2], [2, 2, -3, 0]), axis: -1),
        ScatterCase(shape: [4], indices: i64([], [-2]), axis: 0),
    ]

    /// gather and scatter_add are each other's adjoints: <gather(data, i), u> = <data, scatter_add(0, i, u)>,
    /// with repeated and negative indices.
    @Test(arguments: scatterCases)
    func scatterAddIsAdjointOfGather(_ c: ScatterCase) throws {
        let data = randomF64(c.shape, seed: 8)
        let gathered = try evaluate1(.gather, [data, c.indices], ["axis": .int(c.axis)])
        let u = randomF64(gathered.shape, seed: 9)
        let zeros = f64(c.shape, Array(repeating: 0, count: c.shape.reduce(1, *)))
        let scattered = try evaluate1(.scatter_add, [zeros, c.indices, u], ["axis": .int(c.axis)])
        expectAdjoint(dot(gathered, u), dot(data, scattered))
    }

    /// <f(x + ε·v) − f(x − ε·v), dy> / 2ε
    private func directionalDerivative(_ f: (Tensor) throws -> Tensor, at x: Tensor, along v: Tensor,
                                       pairedWith dy: Tensor) throws -> Double {
        let epsilon = 1e-6
        let shifted = { (sign: Double) in f64(x.shape, zip(x.doubles, v.doubles).map { $0 + sign * epsilon * $1 }) }
        let (up, down) = (try f(shifted(1)), try f(shifted(-1)))
        return zip(zip(up.doubles, down.doubles), dy.doubles).reduce(0) { $0 + ($1.0.0 - $1.0.1) * $1.1 } / (2 * epsilon)
    }

    private func dot(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape, "dot of \(a.shape) and \(b.shape)")
        return zip(a.doubles, b.doubles).reduce(0) { $0 + $1.0 * $1.1 }
    }

    private func expectAdjoint(_ lhs: Double, _ rhs: Double, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(rhs != 0, "a zero gradient pairing proves nothing", sourceLocation: sourceLocation)
        #expect(abs(lhs - rhs) <= 1e-7 * max(1, abs(rhs)), "\(lhs) vs \(rhs)", sourceLocation: sourceLocation)
    }
}
