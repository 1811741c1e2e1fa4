import LeptonIR

// Algebraic rules. Each keeps results exact — bit for bit, except where noted for the sign
// of a zero — because the optimizer may only change results by float reassociation. So no
// `x * 0 -> 0` or `x - x -> 0` for floats (inf and NaN give NaN), only for integers.

extension SimplifyRules {
    /// `x + 0 -> x`, `0 + x -> x` when broadcasting the zero does not change x's shape
    /// (`x: [N, 1] + zeros[4]` is [N, 4]: not an identity). For floats this maps a `-0.0` x
    /// to itself where IEEE gives `+0.0` — equal values; only the sign of a zero differs.
    static let addZero = RewriteRule("add-zero") { site in
        guard site.node.op == .add else { return nil }
        return site.operand(equalTo: site.resultType, otherIsAll: 0, positions: [0, 1]).map(Rewrite.replace)
    }

    /// `x - 0 -> x` (exact, -0.0 included, for a +0.0 zero; see add-zero for a -0.0 one).
    static let subZero = RewriteRule("sub-zero") { site in
        guard site.node.op == .sub else { return nil }
        return site.operand(equalTo: site.resultType, otherIsAll: 0, positions: [0]).map(Rewrite.replace)
    }

    /// `x * 1 -> x`, `1 * x -> x` (exact), when the shape is unchanged.
    static let mulOne = RewriteRule("mul-one") { site in
        guard site.node.op == .mul else { return nil }
        return site.operand(equalTo: site.resultType, otherIsAll: 1, positions: [0, 1]).map(Rewrite.replace)
    }

    /// `x / 1 -> x` (exact), when the shape is unchanged.
    static let divOne = RewriteRule("div-one") { site in
        guard site.node.op == .div else { return nil }
        return site.operand(equalTo: site.resultType, otherIsAll: 1, positions: [0]).map(Rewrite.replace)
    }

    /// Integer `x * 0 -> zeros` of the result's (fixed) shape. Not for floats: inf * 0 is NaN.
    static let mulZeroInteger = RewriteRule("mul-zero-int") { site in
        guard site.node.op == .mul, site.resultType.dtype.isInteger, let shape = site.resultType.fixedShape,
              site.node.inputs.contains(where: { site.constant($0)?.isAll(0) == true }) else { return nil }
        return Rewrite(nodes: [.constant(Tensor.zeros(site.resultType.dtype, shape: shape))], result: .new(0))
    }

    /// Integer `x - x -> zeros` of the result's (fixed) shape. Not for floats: inf - inf is NaN.
    static let subSelfInteger = RewriteRule("sub-self-int") { site in
        guard site.node.op == .sub, site.node.inputs[0] == site.node.inputs[1], site.resultType.dtype.isInteger,
              let shape = site.resultType.fixedShape else { return nil }
        return Rewrite(nodes: [.constant(Tensor.zeros(site.resultType.dtype, shape: shape))], result: .new(0))
    }

    /// `x / c -> x * (1/c)` for a float constant c whose every element is a power of two: then
    /// 1/c is exact and both sides are the same correctly rounded x·2^-k.
    static let divByPowerOfTwo = RewriteRule("div-pow2") { site in
        guard site.node.op == .div, let c = site.constant(site.node.inputs[1]),
              let reciprocal = c.exactReciprocal() else { return nil }
        return Rewrite(nodes: [.constant(reciprocal), .init(.mul, [.value(site.node.inputs[0]), .new(0)])], result: .new(1))
    }

    /// `neg(neg(x)) -> x` and `not(not(x)) -> x` (exact; integer negation wraps both ways).
    static let doubleNegation = RewriteRule("double-negation") { site in
        guard [.neg, .not].contains(site.node.op), let inner = site.producer(of: site.node.inputs[0]),
              inner.op == site.node.op else { return nil }
        return .replace(with: inner.inputs[0])
    }

    /// `f(f(x)) -> f(x)` for idempotent relu, abs, floor, ceil; and `abs(neg(x)) -> abs(x)`.
    static let idempotent = RewriteRule("idempotent") { site in
        let op = site.node.op
        guard [.relu, .abs, .floor, .ceil].contains(op), let inner = site.producer(of: site.node.inputs[0]) else { return nil }
        if inner.op == op { return .replace(with: site.node.inputs[0]) }
        if op == .abs, inner.op == .neg { return .node(.abs, [inner.inputs[0]]) }
        return nil
    }

    /// A constant whose elements are all equal, read by a binary elementwise op, becomes a
    /// scalar constant when broadcasting the scalar gives the same result type: kernels then
    /// broadcast one number instead of streaming a tensor.
    static let splatToScalar = RewriteRule("splat-to-scalar") { site in
        let binary: Set<Op> = [.add, .sub, .mul, .div, .pow, .max, .min, .eq, .ne, .lt, .le, .gt, .ge, .and, .or, .xor]
        guard binary.contains(site.node.op) else { return nil }
        for (position, operand) in site.node.inputs.enumerated() {
            guard let c = site.constant(operand), c.count > 1, let scalar = c.splatScalar() else { continue }
            var inputs = site.node.inputs.map(Rewrite.Operand.value)
            inputs[position] = .new(0)
            return Rewrite(nodes: [.constant(scalar), .init(site.node.op, inputs)], result: .new(1))
        }
        return nil
    }
}

extension RewriteSite {
    /// The operand at one of `positions` whose type is `type`, when the other operand is a
    /// constant with every element equal to `value`.
    func operand(equalTo type: TensorType, otherIsAll value: Double, positions: [Int]) -> ValueID? {
        let inputs = node.inputs
        for position in positions {
            let x = inputs[position], other = inputs[1 - position]
            if self.type(x) == type, constant(other)?.isAll(value) == true { return x }
        }
        return nil
    }
}

extension Tensor {
    /// Every element equals `value` (compared as Double; -0.0 == 0.0, NaN never matches).
    func isAll(_ value: Double) -> Bool { count > 0 && doubles.allSatisfy { $0 == value } }

    /// The one scalar of a tensor whose elements are all bitwise equal.
    func splatScalar() -> Tensor? {
        guard count > 0, self == Tensor(shape: shape, storage: Tensor.Storage.splat(storage, count: count)) else { return nil }
        return Tensor(shape: [], storage: Tensor.Storage.splat(storage, count: 1))
    }

    /// 1/c elementwise when every element is a power of two with an exact, normal reciprocal.
    func exactReciprocal() -> Tensor? {
        func exact<T: BinaryFloatingPoint>(_ values: [T]) -> [T]? {
            let result = values.map { 1 / $0 }
            let ok = zip(values, result).allSatisfy { v, r in
                v.isNormal && r.isNormal && v.significandBitPattern == 0 && r * v == 1
            }
            return ok ? result : nil
        }
        switch storage {
        case .f32(let a): return exact(a).map { Tensor(shape: shape, storage: .f32($0)) }
        case .f64(let a): return exact(a).map { Tensor(shape: shape, storage: .f64($0)) }
        default: return nil
        }
    }
}

extension Tensor.Storage {
    /// `count` copies of the first element.
    static func splat(_ storage: Tensor.Storage, count: Int) -> Tensor.Storage {
        switch storage {
        case .f32(let a): .f32(Array(repeating: a[0], count: count))
        case .f64(let a): .f64(Array(repeating: a[0], count: count))
        case .i32(let a): .i32(Array(repeating: a[0], count: count))
        case .i64(let a): .i64(Array(repeating: a[0], count: count))
        case .bool(let a): .bool(Array(repeating: a[0], count: count))
        }
    }
}
