import LeptonTensor

/// Shape and data-movement families: reshape (with 0 and -1), transpose, flatten,
/// squeeze/unsqueeze, concat, slice, pad, expand, tile, split and gather. Axes that hold the
/// symbol N are left alone where the shape rules need known sizes.
extension RandomGraphGenerator {
    mutating func shapeOp() -> Bool {
        guard let a = pick({ $0.rank >= 1 }) else { return false }
        let v = values[a]
        switch int(0...10) {
        case 0, 1:
            guard let (target, shape) = reshapeTarget(v.shape) else { return false }
            return move("reshape(\(ref(a)), shape: \(list(target)))", a, shape)
        case 2:
            guard v.rank >= 2 else { return false }
            let perm = permutation(v.rank)
            return move("transpose(\(ref(a)), perm: \(list(perm)))", a, perm.map { v.shape[$0] })
        case 3: return flatten(a)
        case 4:
            guard v.rank <= 4 else { return false }
            let axis = int(0...v.rank)
            var shape = v.shape
            shape.insert(.fixed(1), at: axis)
            return move("unsqueeze(\(ref(a)), axes: [\(axis)])", a, shape)
        case 5:
            let ones = v.shape.indices.filter { v.shape[$0] == .fixed(1) }
            guard !ones.isEmpty else { return false }
            let axes = chance(0.3) ? ones : [choose(ones)]
            // No axes: only when no symbol could be bound to 1 at run time (the shape rule
            // keeps a symbol, the kernel would drop it: see the final report).
            let text = axes == ones && !v.hasSymbol && chance(0.5) ? "squeeze(\(ref(a)))" : "squeeze(\(ref(a)), axes: \(list(axes)))"
            return move(text, a, v.shape.indices.filter { !axes.contains($0) }.map { v.shape[$0] })
        case 6: return concat(a)
        case 7: return slice(a)
        case 8: return pad(a)
        case 9: return expandOrTile(a)
        default: return split(a)
        }
    }

    /// Emits a data-movement statement: same dtype and scale, new shape.
    private mutating func move(_ text: String, _ a: Int, _ shape: [GenDim]) -> Bool {
        guard genCount(shape) <= randomGraphElementLimit else { return false }
        _ = emit1(text, derived(values[a], shape: shape))
        return true
    }

    /// A `reshape` target for `shape`, using 0 (copy) for the dims up to the last symbol (or
    /// one -1 standing for the symbol) and random factors of the known rest, one maybe -1.
    mutating func reshapeTarget(_ shape: [GenDim]) -> (attribute: [Int], shape: [GenDim])? {
        let symbols = shape.indices.filter { shape[$0].symbolic }
        if symbols.count == 1, chance(0.4) {
            // [-1, factors of every known size]: the -1 is inferred as the symbol.
            let known = shape.filter { !$0.symbolic }.reduce(1) { $0 * $1.size }
            let factors = factorize(known, parts: int(1...3))
            return ([-1] + factors, [shape[symbols[0]]] + factors.map { .fixed($0) })
        }
        let prefix = (symbols.last.map { $0 + 1 }) ?? 0
        let rest = shape[prefix...].reduce(1) { $0 * $1.size }
        let factors = factorize(rest, parts: int(1...3))
        var attribute = Array(repeating: 0, count: prefix) + factors
        for i in prefix..<attribute.count where i < shape.count && shape[i].size == attribute[i] && chance(0.3) {
            attribute[i] = 0
        }
        if chance(0.4), let i = (prefix..<attribute.count).randomElementIndex(using: &self) { attribute[i] = -1 }
        return (attribute, Array(shape[..<prefix]) + factors.map { .fixed($0) })
    }

    /// `n` as a product of `parts` random factors.
    mutating func factorize(_ n: Int, parts: Int) -> [Int] {
        var rest = n
        var factors: [Int] = []
        for _ in 1..<parts {
            let divisors = (1...max(1, rest)).filter { rest % $0 == 0 }
            let d = choose(divisors)
            factors.append(d)
            rest /= d
        }
        return factors + [rest]
    }

    private mutating func flatten(_ a: Int) -> Bool {
        let v = values[a]
        let axis = int(0...v.rank)
        var result: [GenDim] = []
        for part in [Array(v.shape[..<axis]), Array(v.shape[axis...])] {
            let symbols = part.filter(\.symbolic)
            let known = part.filter { !$0.symbolic }.reduce(1) { $0 * $1.size }
            if symbols.isEmpty {
                result.append(.fixed(known))
            } else if symbols.count == 1, known == 1 {
                result.append(symbols[0])
            } else {
                return false
            }
        }
        let written = chance(0.3) && axis > 0 && axis < v.rank ? axis - v.rank : axis
        return move("flatten(\(ref(a)), axis: \(written))", a, result)
    }

    private mutating func concat(_ a: Int) -> Bool {
        let v = values[a]
        let axes = v.shape.indices.filter { !v.shape[$0].symbolic }
        guard !axes.isEmpty else { return false }
        let axis = choose(axes)
        let matches = { (c: GenValue) in
            c.dtype == v.dtype && c.rank == v.rank && !c.shape[axis].symbolic
                && c.shape.indices.allSatisfy { $0 == axis || c.shape[$0] == v.shape[$0] }
        }
        var operands = [ref(a)]
        var size = v.shape[axis].size
        for _ in 0..<int(1...2) {
            if let b = pick(matches), chance(0.7) {
                operands.append(ref(b))
                size += values[b].shape[axis].size
            } else {
                operands.append(chance(0.5) ? operands[0] : "relu(\(operands[0]))")
                size += v.shape[axis].size
            }
        }
        var shape = v.shape
        shape[axis] = .fixed(size)
        let written = chance(0.3) ? axis - v.rank : axis
        return move("concat(\(operands.joined(separator: ", ")), axis: \(written))", a, shape)
    }

    /// ONNX Slice with clamping, negative indices and steps.
    private mutating func slice(_ a: Int) -> Bool {
        let v = values[a]
        let candidates = v.shape.indices.filter { !v.shape[$0].symbolic && v.shape[$0].size >= 2 }
        guard !candidates.isEmpty else { return false }
        let axes = Array(Set((0..<int(1...2)).map { _ in choose(candidates) })).sorted()
        var starts: [Int] = [], ends: [Int] = [], steps: [Int] = []
        var shape = v.shape
        for axis in axes {
            let d = v.shape[axis].size
            let step = choose([1, 1, 1, 2, -1, -2])
            let start = step > 0 ? int(0...(d - 1)) : int(1...(d - 1))
            var end = step > 0 ? int((start + 1)...d) : int(-1...(start - 1))
            if end == d, chance(0.5) { end = 1000 }  // clamped
            if end == -1 { end = -1000 }              // clamped to before the first element
            let size = step > 0 ? (end.clamped(0, d) - start + step - 1) / step
                                : (start - end.clamped(-1, d - 1) - step - 1) / -step
            guard size >= 1 else { return false }
            starts.append(start >= 1 && chance(0.3) ? start - d : start)
            ends.append(end)
            steps.append(step)
            shape[axis] = .fixed(size)
        }
        let stepText = steps.allSatisfy { $0 == 1 } && chance(0.5) ? "" : ", steps: \(list(steps))"
        return move("slice(\(ref(a)), starts: \(list(starts)), ends: \(list(ends)), axes: \(list(axes))\(stepText))", a, shape)
    }

    private mutating func pad(_ a: Int) -> Bool {
        let v = values[a]
        let mode = choose(["constant", "constant", "reflect", "edge"])
        var begins = Array(repeating: 0, count: v.rank), ends = begins
        var shape = v.shape
        for axis in v.shape.indices where !v.shape[axis].symbolic && chance(0.6) {
            let limit = mode == "reflect" ? min(2, v.shape[axis].size - 1) : 2
            guard limit >= 1 else { continue }
            begins[axis] = int(0...limit)
            ends[axis] = int(0...limit)
            shape[axis].size += begins[axis] + ends[axis]
        }
        guard (begins + ends).contains(where: { $0 > 0 }) else { return false }
        let value = mode == "constant" && chance(0.5) ? ", value: \(niceNumber())" : ""
        return move("pad(\(ref(a)), pads: \(list(begins + ends)), mode: \(mode)\(value))", a, shape)
    }

    private mutating func expandOrTile(_ a: Int) -> Bool {
        let v = values[a]
        if chance(0.5) {
            var target = v.shape.map { $0.symbolic || $0.size != 1 || chance(0.3) ? 1 : int(2...3) }
            var shape = v.shape.enumerated().map { target[$0.offset] > 1 ? GenDim.fixed(target[$0.offset]) : $0.element }
            if v.rank < 4, chance(0.5) {
                let lead = int(2...3)
                target.insert(lead, at: 0)
                shape.insert(.fixed(lead), at: 0)
            }
            return move("expand(\(ref(a)), shape: \(list(target)))", a, shape)
        }
        let repeats = v.shape.map { $0.symbolic || chance(0.5) ? 1 : int(1...3) }
        let shape = zip(v.shape, repeats).map { GenDim(size: $0.size * $1, symbolic: $0.symbolic) }
        return move("tile(\(ref(a)), repeats: \(list(repeats)))", a, shape)
    }

    private mutating func split(_ a: Int) -> Bool {
        let v = values[a]
        let axes = v.shape.indices.filter { !v.shape[$0].symbolic && v.shape[$0].size >= 2 }
        guard !axes.isEmpty else { return false }
        let axis = choose(axes)
        let d = v.shape[axis].size
        var sizes: [Int]
        var attribute: String
        let divisors = (2...d).filter { d % $0 == 0 && $0 <= 3 }
        if !divisors.isEmpty, chance(0.4) {
            let parts = choose(divisors)
            sizes = Array(repeating: d / parts, count: parts)
            attribute = "parts: \(parts)"
        } else {
            let first = int(1...(d - 1))
            sizes = [first, d - first]
            attribute = "sizes: \(list(sizes))"
        }
        let results = sizes.map { size -> GenValue in
            var shape = v.shape
            shape[axis] = .fixed(size)
            return derived(v, shape: shape)
        }
        _ = emit("split(\(ref(a)), axis: \(axis), \(attribute))", results)
        return true
    }

    /// gather with literal indices (negative ones too), from a value or from a param (an
    /// embedding lookup that folds to a constant).
    mutating func gather() -> Bool {
        if chance(0.25) {
            let rows = int(3...8), width = int(2...6)
            let table = param([rows, width], .f32, "normal(std: 0.5, seed: \(paramSeed()))")
            let indices = (0..<int(1...4)).map { _ in int(-rows...(rows - 1)) }
            _ = emit1("gather(\(table), \(list(indices)), axis: 0)",
                      GenValue(shape: [.fixed(indices.count), .fixed(width)], dtype: .f32, scale: 2))
            return true
        }
        guard let a = pick({ v in v.shape.contains { !$0.symbolic && $0.size >= 2 } }) else { return false }
        let v = values[a]
        let axis = choose(v.shape.indices.filter { !v.shape[$0].symbolic && v.shape[$0].size >= 2 })
        let d = v.shape[axis].size
        let indexShape = choose([[], [int(1...4)], [2, int(1...3)]])
        let flat = (0..<indexShape.reduce(1, *)).map { _ in int(-d...(d - 1)) }
        var literal = indexShape.isEmpty ? "\(flat[0])" : list(flat)
        if indexShape.count == 2 {
            let half = indexShape[1]
            literal = "[\(list(Array(flat[..<half]))), \(list(Array(flat[half...])))]"
        }
        let shape = Array(v.shape[..<axis]) + indexShape.map { .fixed($0) } + Array(v.shape[(axis + 1)...])
        let written = chance(0.3) ? axis - v.rank : axis
        return move("gather(\(ref(a)), \(literal), axis: \(written))", a, shape)
    }
}

private extension Int {
    func clamped(_ low: Int, _ high: Int) -> Int { Swift.min(Swift.max(self, low), high) }
}

private extension Range<Int> {
    /// A random index of this range, drawn from the generator (nil when empty).
    func randomElementIndex(using generator: inout RandomGraphGenerator) -> Int? {
        isEmpty ? nil : generator.int(lowerBound...(upperBound - 1))
    }
}
