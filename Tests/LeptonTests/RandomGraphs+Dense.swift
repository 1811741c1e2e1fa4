import Foundation
import LeptonTensor

/// Dense layers: matmul (+ bias add), linear, gemm (transposes, alpha, beta, broadcast C),
/// matmul by a transposed param (folds), by a vector, and x·xᵀ; then maybe an activation,
/// a residual add, batch_norm or layer_norm: the shapes inference folding and epilogue fusion
/// look for.
extension RandomGraphGenerator {
    mutating func dense() -> Bool {
        let fits = { (v: GenValue) in
            v.dtype.isFloatingPoint && v.rank >= 1 && v.shape.last.map { !$0.symbolic && $0.size <= 64 } == true
        }
        guard let a = pick(fits) else { return false }
        let v = values[a]
        let k = v.shape[v.rank - 1].size
        let rows = v.count / k
        let maxN = min(16, randomGraphElementLimit / max(rows, 1))
        guard maxN >= 1 else { return false }
        let n = int(min(2, maxN)...maxN)
        let x = ref(a)
        let w = { (shape: [Int], g: inout RandomGraphGenerator) in g.param(shape, v.dtype, "glorot(seed: \(g.paramSeed()))") }
        let b = { (g: inout RandomGraphGenerator) in g.param([n], v.dtype, "normal(std: 0.2, seed: \(g.paramSeed()))") }
        var shape = Array(v.shape.dropLast()) + [GenDim.fixed(n)]
        var scale = v.scale * 2.5 + 0.5
        var rich = true  // the last axis is the weights' output features
        var text: String
        switch int(0...6) {
        case 0: text = "matmul(\(x), \(w([k, n], &self)))"
        case 1: text = "matmul(\(x), \(w([k, n], &self))) + \(b(&self))"
        case 2: text = chance(0.7) ? "linear(\(x), \(w([k, n], &self)), \(b(&self)))" : "linear(\(x), \(w([k, n], &self)))"
        case 3:
            guard v.rank == 2, let (gemmText, gemmShape) = gemm(x, v, n) else { return false }
            (text, shape) = (gemmText, gemmShape)
        case 4: text = "matmul(\(x), transpose(\(w([n, k], &self)), perm: [1, 0]))"
        case 5:
            guard v.rank >= 2 else { return false }
            text = "matmul(\(x), \(param([k], v.dtype, "uniform(low: -0.5, high: 0.5, seed: \(paramSeed()))")))"
            shape = Array(v.shape.dropLast())
            scale = v.scale * Double(k) * 0.5
            rich = false
        default:
            guard v.rank >= 2, v.count / k * v.shape[v.rank - 2].size <= randomGraphElementLimit else { return false }
            var perm = Array(0..<v.rank)
            perm.swapAt(v.rank - 1, v.rank - 2)
            text = "matmul(\(x), transpose(\(x), perm: \(list(perm))))"
            shape = Array(v.shape.dropLast()) + [v.shape[v.rank - 2]]
            scale = v.scale * v.scale * Double(k)
            rich = false
        }
        let h = emit1(text, GenValue(shape: shape, dtype: v.dtype, scale: scale, rich: rich))
        epilogue(h)
        return true
    }

    /// gemm on a 2-D value: A or Aᵀ, B stored [K, N] or [N, K], alpha, beta, a C that
    /// broadcasts to [M, N] (or none).
    private mutating func gemm(_ x: String, _ v: GenValue, _ n: Int) -> (String, [GenDim])? {
        let transA = !v.hasSymbol && chance(0.3)
        let (k, m) = transA ? (v.shape[0].size, v.shape[1]) : (v.shape[1].size, v.shape[0])
        guard m.size * n <= randomGraphElementLimit, k <= 64 else { return nil }
        let transB = chance(0.5)
        var text = "gemm(\(x), \(param(transB ? [n, k] : [k, n], v.dtype, "glorot(seed: \(paramSeed()))"))"
        let cShapes: [[Int]] = m.symbolic ? [[n], [1, n]] : [[n], [1, n], [m.size, n], [m.size, 1]]
        if chance(0.8) {
            let c = choose(cShapes)
            text += ", \(param(c, v.dtype, "normal(std: 0.2, seed: \(paramSeed()))"))"
        }
        if chance(0.4) { text += ", alpha: \(niceNumber(positive: true))" }
        if chance(0.4) { text += ", beta: \(niceNumber())" }
        if transA { text += ", trans_a: true" }
        if transB { text += ", trans_b: true" }
        return (text + ")", [m, .fixed(n)])
    }

    /// What may follow a dense or conv result `h`: an activation, a residual add of a value
    /// of the same shape, a batch_norm (channels on axis 1) or a layer_norm.
    mutating func epilogue(_ h: Int) {
        var last = h
        let v = values[h]
        if chance(0.3), v.rank >= 2, !v.shape[1].symbolic, v.shape[1].size <= 32 {
            last = emit1("batch_norm(\(ref(last)), \(batchNormParams(v.shape[1].size, v.dtype)))",
                         GenValue(shape: v.shape, dtype: v.dtype, scale: v.scale * 1.5 + 1, rich: v.rich))
        }
        if chance(0.5) {
            let x = ref(last)
            let activation = choose(["relu(\(x))", "clip(\(x), min: 0, max: 6)", "sigmoid(\(x))", "tanh(\(x))",
                                     "gelu(\(x))", "leaky_relu(\(x), alpha: 0.1)", "elu(\(x))", "clip(\(x), min: -1, max: 1)"])
            last = emit1(activation, values[last])
            values[last].uses = 0
        }
        if chance(0.3), let r = pick({ $0.shape == v.shape && $0.dtype == v.dtype }), r != last {
            let sum = values[last].scale + values[r].scale
            last = emit1("\(ref(last)) + \(ref(r))", GenValue(shape: v.shape, dtype: v.dtype, scale: sum, rich: v.rich))
        }
        if chance(0.25), v.rich, let width = v.shape.last, !width.symbolic, width.size >= 2 {
            let g = param([width.size], v.dtype, "normal(mean: 1, std: 0.2, seed: \(paramSeed()))")
            let bias = chance(0.7) ? ", \(param([width.size], v.dtype, "normal(std: 0.2, seed: \(paramSeed()))"))" : ""
            _ = emit1("layer_norm(\(ref(last)), \(g)\(bias), axis: -1, epsilon: \(choose(["1e-5", "0.001"])))",
                      GenValue(shape: v.shape, dtype: v.dtype, scale: 5, rich: true))
        }
    }

    /// `scale, bias, mean, var` params of a batch_norm over `channels`, as operand text.
    mutating func batchNormParams(_ channels: Int, _ dtype: DType) -> String {
        let gamma = param([channels], dtype, "normal(mean: 1, std: 0.2, seed: \(paramSeed()))")
        let beta = param([channels], dtype, "normal(std: 0.2, seed: \(paramSeed()))")
        let mean = param([channels], dtype, "normal(std: 0.2, seed: \(paramSeed()))")
        let variance = param([channels], dtype, "uniform(low: 0.5, high: 1.5, seed: \(paramSeed()))")
        return "\(gamma), \(beta), \(mean), \(variance)"
    }
}
