import LeptonTensor

/// Patterns the optimizer is meant to find: algebraic identities (simplify), constant-only
/// and param-only subexpressions (fold), duplicate expressions (cse) and dead branches (dce).
extension RandomGraphGenerator {
    /// x+0, x*1, x/1, --x, cast to the same dtype, identity, exact division, affine chains,
    /// transpose∘transpose, reshape chains, squeeze∘unsqueeze, no-op reshapes and expands.
    mutating func simplifyPattern() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint }) else { return false }
        let v = values[a]
        let x = ref(a)
        var shape = v.shape
        var scale = v.scale
        let text: String
        switch int(0...17) {
        case 0: text = chance(0.5) ? "\(x) + 0" : "0 + \(x)"
        case 1: text = chance(0.5) ? "\(x) * 1" : "1.0 * \(x)"
        case 2: text = chance(0.5) ? "\(x) - 0" : "\(x) / 1"
        case 3: text = chance(0.5) ? "-(-\(x))" : "neg(neg(\(x)))"
        case 4: text = "cast(\(x), to: \(v.dtype))"
        case 5: text = x  // `y = x`: an identity node
        case 6:
            let divisor = choose([0.5, 2, 4, 8, 3])
            text = "\(x) / \(divisor)"
            scale = v.scale / divisor
        case 7:
            text = "(\(x) * 2 + 1) * 0.5 - 0.25"
            scale = v.scale + 0.75
        case 8:
            text = "cast(cast(\(x), to: \(v.dtype == .f32 ? DType.f64 : .f32)), to: \(v.dtype))"
            guard v.dtype == .f32 else { return false }  // f64 -> f32 -> f64 rounds
        case 9:
            guard v.rank >= 2 else { return false }
            let p = permutation(v.rank), q = permutation(v.rank)
            shape = q.map { p.map { v.shape[$0] }[$0] }
            text = "transpose(transpose(\(x), perm: \(list(p))), perm: \(list(q)))"
        case 10:
            guard let (first, middle) = reshapeTarget(v.shape), let (second, final) = reshapeTarget(middle) else { return false }
            shape = final
            text = "reshape(reshape(\(x), shape: \(list(first))), shape: \(list(second)))"
        case 11:
            guard v.rank <= 4 else { return false }
            let axis = int(0...v.rank)
            text = "squeeze(unsqueeze(\(x), axes: [\(axis)]), axes: [\(axis)])"
        case 12:
            guard v.rank >= 1 else { return false }
            text = "reshape(\(x), shape: \(list(v.shape.map { $0.symbolic ? 0 : $0.size })))"
        case 13:
            guard v.rank == 2, !v.shape[1].symbolic else { return false }
            text = "flatten(\(x), axis: 1)"
        case 14:
            guard v.rank >= 1 else { return false }
            text = "expand(\(x), shape: \(list(v.shape.map { $0.symbolic ? 1 : $0.size })))"
        case 15:
            text = "\(x) * 0.5 * 2"
        case 16:
            text = "\(x) + \(x)"
            scale = 2 * v.scale
        default:
            guard v.rank >= 1 else { return false }
            text = "transpose(transpose(\(x), perm: \(list(Array((0..<v.rank).reversed())))))"
        }
        _ = emit1(text, GenValue(shape: shape, dtype: v.dtype, scale: scale, rich: v.rich && shape == v.shape))
        return true
    }

    /// Subexpressions of only literals and params: folding turns them into constants.
    mutating func foldPattern() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint }) else { return false }
        let v = values[a]
        let suffix = suffixShape(of: v.shape)
        let pShape = suffix.map { GenDim.fixed($0) }
        guard let shape = genBroadcast(v.shape, pShape) else { return false }
        let x = ref(a)
        let seeded = "normal(std: 0.5, seed: \(paramSeed()))"
        let initializer = suffix.isEmpty ? "constant(0.75)" : seeded
        let text: String
        switch int(0...6) {
        case 0:
            // Literal-only arithmetic is typed f32 (no peer to take a dtype from).
            guard v.dtype == .f32 else { return false }
            text = "\(x) * (0.5 + 0.25)"
        case 1:
            guard v.dtype == .f32 else { return false }
            text = "\(x) + exp(\(literalText(suffixShape(of: v.shape, maxCount: 16))))"
        case 2:
            text = "\(x) * (\(param(suffix, v.dtype, initializer)) * 2)"
        case 3:
            text = "\(x) + relu(\(param(suffix, v.dtype, initializer)) - \(param(suffix, v.dtype, "constant(0.25)")))"
        case 4:
            let flat = suffix.reduce(1, *)
            text = "\(x) + reshape(\(param([flat], v.dtype, "uniform(low: -1, high: 1, seed: \(paramSeed()))")), shape: \(list(suffix)))"
        case 5:
            guard suffix.count >= 2 else { return false }
            let p = param(suffix.reversed(), v.dtype, seeded)
            text = "\(x) + transpose(\(p), perm: \(list(Array((0..<suffix.count).reversed()))))"
        default:
            let p = param([3] + suffix, v.dtype, "uniform(low: -1, high: 1, seed: \(paramSeed()))")
            text = "\(x) * reduce_mean(\(p), axes: [0], keepdims: false)"
        }
        _ = emit1(text, GenValue(shape: shape, dtype: v.dtype, scale: v.scale * 3 + 3, rich: v.rich && shape == v.shape))
        return true
    }

    /// Repeats an earlier single-result statement word for word: CSE should merge the two.
    mutating func duplicate() -> Bool {
        let candidates = statements.filter { $0.targets.count == 1 && !values[$0.targets[0]].dead }
        guard !candidates.isEmpty else { return false }
        let original = choose(candidates)
        let copy = emit1(original.expression, values[original.targets[0]])
        values[copy].uses = 0
        if chance(0.6), values[copy].dtype.isFloatingPoint {
            let combined = "\(ref(original.targets[0])) \(chance(0.5) ? "+" : "*") \(ref(copy))"
            let v = values[copy]
            _ = emit1(combined, GenValue(shape: v.shape, dtype: v.dtype, scale: v.scale * max(2, v.scale), rich: v.rich))
        }
        return true
    }

    /// A few statements nothing reads: DCE removes them (and their params' uses).
    mutating func deadBranch() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint }) else { return false }
        let v = values[a]
        var made = [emit1("tanh(\(ref(a))) * 3", derived(v, shape: v.shape, scale: 3))]
        if chance(0.5), let k = v.shape.last, !k.symbolic, k.size <= 64 {
            let w = param([k.size, 4], v.dtype, "glorot(seed: \(paramSeed()))")
            made.append(emit1("matmul(\(ref(made[0])), \(w))", derived(v, shape: v.shape.dropLast() + [.fixed(4)], scale: 10)))
        }
        for id in made { values[id].dead = true }
        return true
    }

    func list(_ items: [Int]) -> String { "[" + items.map(String.init).joined(separator: ", ") + "]" }

    /// A random permutation of 0..<rank that is not the identity when rank >= 2.
    mutating func permutation(_ rank: Int) -> [Int] {
        var perm = Array(0..<rank)
        while rank >= 2, perm == Array(0..<rank) {
            for i in stride(from: rank - 1, to: 0, by: -1) { perm.swapAt(i, int(0...i)) }
        }
        return perm
    }
}
