import Foundation
import LeptonTensor

/// Elementwise families: unary ops, broadcasting binary ops against values, params and
/// literals, and ops only applied to graph inputs (discontinuous ones).
///
/// Every op is applied where it is numerically tame: log/sqrt/rsqrt/reciprocal/div see
/// `abs(x) + c`, exp and pow only small values, so rtol 1e-4 compares results, not noise.
extension RandomGraphGenerator {
    mutating func unary() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint }) else { return false }
        let v = values[a]
        let x = ref(a)
        let s = v.scale
        let (text, scale): (String, Double) = switch int(0...17) {
        case 0: ("relu(\(x))", s)
        case 1: ("-\(x)", s)
        case 2: ("abs(\(x))", s)
        case 3: ("sigmoid(\(x))", 1)
        case 4: ("tanh(\(x))", 1)
        case 5: ("softplus(\(x))", s + 1)
        case 6: ("erf(\(x))", 1)
        case 7: (chance(0.5) ? "gelu(\(x))" : "gelu(\(x), approximate: tanh)", s)
        case 8: ("leaky_relu(\(x), alpha: \(choose([0.01, 0.1, 0.25])))", s)
        case 9: ("elu(\(x), alpha: \(choose([0.5, 1.0])))", s)
        case 10: ("clip(\(x), min: \(-niceNumber(positive: true)), max: \(niceNumber(positive: true)))", min(s, 3))
        case 11: ("clip(\(x), min: 0, max: 6)", min(s, 6))
        case 12: s <= 4 ? ("exp(\(x))", Foundation.exp(s)) : ("tanh(\(x))", 1)
        case 13: ("log(abs(\(x)) + 1)", Foundation.log(s + 1))
        case 14: ("sqrt(\(x) * \(x) + 1)", s + 1)
        case 15: ("rsqrt(abs(\(x)) + 1)", 1)
        case 16: ("reciprocal(abs(\(x)) + 0.5)", 2)
        default: s <= 8 ? ("pow(\(x), \(choose(["2", "3", "2.0"])))", s * s * s) : ("pow(abs(\(x)) + 1, 0.5)", s)
        }
        _ = emit1(text, GenValue(shape: v.shape, dtype: v.dtype, scale: scale, rich: v.rich))
        return true
    }

    /// `a op b` where b is another value, a new param or a literal, broadcasting both ways.
    mutating func binary() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint }) else { return false }
        let v = values[a]
        guard let partner = broadcastPartner(for: v) else { return false }
        guard let shape = genBroadcast(v.shape, partner.shape), genCount(shape) <= randomGraphElementLimit else { return false }
        let x = ref(a)
        let y = partner.text
        let (first, second) = chance(0.7) ? (x, y) : (y, x)
        let (text, scale): (String, Double) = switch int(0...6) {
        case 0, 1: ("\(first) + \(second)", v.scale + partner.scale)
        case 2: ("\(first) - \(second)", v.scale + partner.scale)
        case 3: ("\(first) * \(second)", v.scale * partner.scale)
        case 4: ("max(\(first), \(second))", max(v.scale, partner.scale))
        case 5: ("min(\(first), \(second))", max(v.scale, partner.scale))
        default:
            // Literals are never 0; other divisors keep away from it. (A literal inside abs()
            // would have no peer to take its dtype from.)
            partner.isLiteral ? ("\(x) / \(y)", v.scale * 4) : ("\(x) / (abs(\(y)) + 1)", v.scale)
        }
        _ = emit1(text, GenValue(shape: shape, dtype: v.dtype, scale: scale, rich: v.rich && shape == v.shape))
        return true
    }

    /// Another operand for a binary op on `v`: (text, shape, scale, whether it is a literal).
    mutating func broadcastPartner(for v: GenValue) -> (text: String, shape: [GenDim], scale: Double, isLiteral: Bool)? {
        switch int(0...4) {
        case 0, 1:
            let fits = { (c: GenValue) in
                c.dtype == v.dtype && genBroadcast(v.shape, c.shape).map { genCount($0) <= randomGraphElementLimit } == true
            }
            guard let b = pick(fits) else { return nil }
            return (ref(b), values[b].shape, values[b].scale, false)
        case 2:
            let shape = suffixShape(of: v.shape)
            // Seeded initializers need rank >= 1.
            let initializer = shape.isEmpty ? "constant(0.5)"
                : choose(["normal(std: 0.5, seed: \(paramSeed()))", "uniform(low: -1, high: 1, seed: \(paramSeed()))",
                          "constant(0.5)", "ones", "zeros"])
            return (param(shape, v.dtype, initializer), shape.map { .fixed($0) }, 1, false)
        case 3:
            let number = niceNumber()
            return ("\(number)", [], Swift.abs(number), true)
        default:
            let shape = suffixShape(of: v.shape, maxCount: 16)
            return (literalText(shape), shape.map { .fixed($0) }, 3, true)
        }
    }

    /// The trailing dims of `shape` (some set to 1; symbols always 1): a shape that
    /// broadcasts against it, for params and literals.
    mutating func suffixShape(of shape: [GenDim], maxCount: Int = randomGraphElementLimit) -> [Int] {
        guard !shape.isEmpty else { return [] }
        var result = shape.suffix(int(1...shape.count)).map { $0.symbolic || chance(0.35) ? 1 : $0.size }
        while result.reduce(1, *) > maxCount, let i = result.firstIndex(where: { $0 > 1 }) { result[i] = 1 }
        return result
    }

    /// A nested list literal of `shape` filled with nice numbers (a scalar for []).
    mutating func literalText(_ shape: [Int]) -> String {
        guard let first = shape.first else { return "\(niceNumber())" }
        var items: [String] = []
        for _ in 0..<first { items.append(literalText(Array(shape.dropFirst()))) }
        return "[" + items.joined(separator: ", ") + "]"
    }

    /// Discontinuous ops (floor, comparisons, argmax, where) on graph inputs only: inputs are
    /// bit-identical in every pipeline, so their results cannot flip.
    mutating func inputOnly() -> Bool {
        guard let i = pick({ $0.isInput }) else { return false }
        let v = values[i]
        let x = ref(i)
        switch int(0...4) {
        case 0:
            _ = emit1("floor(\(x) * 4) * 0.25", derived(v, shape: v.shape, scale: 1))
        case 1:
            _ = emit1("ceil(\(x) * 2)", derived(v, shape: v.shape, scale: 2))
        case 2:
            guard let b = pick({ c in c.dtype == v.dtype && genBroadcast(v.shape, c.shape).map { genCount($0) <= randomGraphElementLimit } == true }),
                  let shape = genBroadcast(v.shape, values[b].shape) else { return false }
            let other = chance(0.5) ? "\(niceNumber())" : ref(b)
            _ = emit1("where(gt(\(x), \(niceNumber() / 4)), \(ref(b)), \(other))", derived(values[b], shape: shape))
        case 3:
            guard v.rank >= 1 else { return false }
            let axis = int(0...(v.rank - 1))
            let keep = chance(0.5)
            var shape = v.shape
            if keep { shape[axis] = .fixed(1) } else { shape.remove(at: axis) }
            let arg = chance(0.5) ? "argmax" : "argmin"
            _ = emit1("cast(\(arg)(\(x), axis: \(axis - (chance(0.3) ? v.rank : 0)), keepdims: \(keep)), to: f32)",
                      derived(v, shape: shape, scale: Double(v.shape[axis].size)))
        default:
            _ = emit1("cast(and(gt(\(x), -0.5), lt(\(x), 0.5)), to: f32)", derived(v, shape: v.shape, scale: 1))
        }
        return true
    }

    /// f32 <-> f64 casts: later ops then run (and fold) in f64.
    mutating func castFamily() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint }) else { return false }
        var v = values[a]
        v.dtype = v.dtype == .f32 ? .f64 : .f32
        _ = emit1("cast(\(ref(a)), to: \(v.dtype))", derived(v, shape: v.shape, rich: v.rich))
        return true
    }
}

/// numpy broadcasting of generated shapes, as the shape rules do it (a symbol matches only
/// itself or a fixed 1); nil when they do not broadcast.
func genBroadcast(_ a: [GenDim], _ b: [GenDim]) -> [GenDim]? {
    let rank = max(a.count, b.count)
    var result: [GenDim] = []
    for i in 0..<rank {
        let x = i < rank - a.count ? GenDim.fixed(1) : a[i - (rank - a.count)]
        let y = i < rank - b.count ? GenDim.fixed(1) : b[i - (rank - b.count)]
        if x == y || y == .fixed(1) {
            result.append(x)
        } else if x == .fixed(1) {
            result.append(y)
        } else {
            return nil
        }
    }
    return result
}

/// Elements of a generated shape under the run's bindings.
func genCount(_ shape: [GenDim]) -> Int { shape.reduce(1) { $0 * $1.size } }
