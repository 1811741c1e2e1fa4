import Foundation
import LeptonIR
import LeptonTensor

/// Convolutions (groups, depthwise, strides, dilations, explicit/same/valid padding, a pad in
/// front, bias as operand or as an add), conv_transpose2d, pooling, reductions, softmax and
/// layer_norm.
extension RandomGraphGenerator {
    mutating func conv() -> Bool {
        let fits = { (v: GenValue) in
            v.dtype.isFloatingPoint && v.rank == 4 && !v.shape[1...].contains { $0.symbolic } && v.shape[1].size <= 16
        }
        guard let a = pick(fits) else { return false }
        if chance(0.15) { return convTranspose(a) }
        let v = values[a]
        let c = v.shape[1].size
        let group = chance(0.7) ? 1 : chance(0.6) ? c : choose((1...c).filter { c % $0 == 0 })
        let m = group == 1 ? int(1...8) : group * int(1...2)
        let kernel = chance(0.8) ? Array(repeating: choose([1, 2, 3]), count: 2) : [choose([1, 3]), choose([1, 2, 3])]
        let stride = choose([1, 1, 2])
        let dilation = chance(0.85) ? 1 : 2
        var input = ref(a)
        var spatial = [v.shape[2].size, v.shape[3].size]
        if chance(0.2) {
            // A zero pad in front of the conv: folded into the conv's pads.
            let pads = (0..<4).map { _ in int(0...2) }
            input = "pad(\(input), pads: [0, 0, \(pads[0]), \(pads[1]), 0, 0, \(pads[2]), \(pads[3])])"
            spatial = [spatial[0] + pads[0] + pads[2], spatial[1] + pads[1] + pads[3]]
        }
        let (padText, out, _) = window(spatial, kernel: kernel, strides: [stride, stride], dilations: [dilation, dilation])
        let shape = [v.shape[0], .fixed(m)] + out.map { GenDim.fixed($0) }
        guard out.allSatisfy({ $0 >= 1 }), genCount(shape) <= randomGraphElementLimit else { return false }
        let w = param([m, c / group] + kernel, v.dtype, "he(seed: \(paramSeed()))")
        let bias = chance(0.4) ? ", \(param([m], v.dtype, "normal(std: 0.2, seed: \(paramSeed()))"))" : ""
        var attributes = padText
        if stride != 1 { attributes += ", strides: [\(stride), \(stride)]" }
        if dilation != 1 { attributes += ", dilations: [\(dilation), \(dilation)]" }
        if group != 1 { attributes += ", group: \(group)" }
        var h = emit1("conv2d(\(input), \(w)\(bias)\(attributes))", GenValue(shape: shape, dtype: v.dtype, scale: v.scale * 3 + 0.5, rich: v.rich))
        if bias.isEmpty, chance(0.3) {
            let b = param([m, 1, 1], v.dtype, "normal(std: 0.2, seed: \(paramSeed()))")
            h = emit1("\(ref(h)) + \(b)", values[h])
        }
        epilogue(h)
        return true
    }

    /// Pads text for a conv or pool window over `spatial` and the output sizes: explicit
    /// (possibly asymmetric) pads, `same`, `same_lower` or `valid`.
    private mutating func window(_ spatial: [Int], kernel: [Int], strides: [Int], dilations: [Int],
                                 ceilMode: Bool = false) -> (String, [Int], [Int]) {
        let mode = choose(["explicit", "explicit", "explicit", "same", "same_lower", "valid"])
        var pads = [0, 0, 0, 0]
        if mode == "explicit" {
            pads = (0..<4).map { i in int(0...(kernel[i % 2] - 1)) }
        }
        let text = mode == "explicit" ? (pads == [0, 0, 0, 0] ? "" : ", pads: \(list(pads))") : ", padding: \(mode)"
        var begins: [Int] = []
        let out = (0..<2).map { i in
            let (begin, end) = resolvePadPair(input: spatial[i], kernel: kernel[i], stride: strides[i], dilation: dilations[i],
                                              padBegin: pads[i], padEnd: pads[i + 2], padding: mode)
            begins.append(begin)
            return pooled(spatial[i], kernel[i], strides[i], dilations[i], begin, end, ceil: ceilMode && mode == "explicit")
        }
        return (text, out, begins)
    }

    /// Whether each of `out` windows covers at least one input element (not only padding).
    private func everyWindowTouchesInput(_ input: Int, _ out: Int, _ kernel: Int, _ stride: Int, _ dilation: Int, _ begin: Int) -> Bool {
        (0..<out).allSatisfy { o in
            (0..<kernel).contains { j in (0..<input).contains(o * stride - begin + j * dilation) }
        }
    }

    /// floor((padded - extent) / stride) + 1, or the ceil form dropping a last window that
    /// would start in the end padding (PyTorch/ONNX).
    private func pooled(_ input: Int, _ kernel: Int, _ stride: Int, _ dilation: Int, _ begin: Int, _ end: Int, ceil: Bool) -> Int {
        let span = input + begin + end - ((kernel - 1) * dilation + 1)
        guard span >= 0 else { return 0 }
        var out = (ceil ? (span + stride - 1) / stride : span / stride) + 1
        if ceil, (out - 1) * stride >= input + begin { out -= 1 }
        return out
    }

    private mutating func convTranspose(_ a: Int) -> Bool {
        let v = values[a]
        let c = v.shape[1].size, m = int(1...6), k = choose([1, 2, 3]), stride = choose([1, 2])
        let pads = (0..<4).map { _ in int(0...(k - 1)) }
        let outputPadding = stride > 1 && chance(0.5) ? 1 : 0
        let out = (0..<2).map { i in stride * (v.shape[2 + i].size - 1) + outputPadding + k - pads[i] - pads[i + 2] }
        let shape = [v.shape[0], .fixed(m)] + out.map { GenDim.fixed($0) }
        guard out.allSatisfy({ $0 >= 1 }), genCount(shape) <= randomGraphElementLimit else { return false }
        let w = param([c, m, k, k], v.dtype, "he(seed: \(paramSeed()))")
        let bias = chance(0.5) ? ", \(param([m], v.dtype, "normal(std: 0.2, seed: \(paramSeed()))"))" : ""
        var attributes = ", strides: [\(stride), \(stride)], pads: \(list(pads))"
        if outputPadding > 0 { attributes += ", output_padding: [1, 1]" }
        let h = emit1("conv_transpose2d(\(ref(a)), \(w)\(bias)\(attributes))",
                      GenValue(shape: shape, dtype: v.dtype, scale: v.scale * 4 + 0.5, rich: v.rich))
        epilogue(h)
        return true
    }

    mutating func pool() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint && $0.rank == 4 && !$0.shape[2].symbolic && !$0.shape[3].symbolic }) else { return false }
        let v = values[a]
        if chance(0.25) {
            return emitPool("global_avg_pool(\(ref(a)))", v, [1, 1])
        }
        let isMax = chance(0.5)
        let kernel = chance(0.8) ? Array(repeating: choose([1, 2, 3]), count: 2) : [choose([1, 2]), choose([2, 3])]
        let stride = choose([1, 2, 2])
        let dilation = isMax && chance(0.15) ? 2 : 1
        let ceilMode = chance(0.3)
        let (padText, out, pads) = window([v.shape[2].size, v.shape[3].size], kernel: kernel, strides: [stride, stride],
                                          dilations: [dilation, dilation], ceilMode: ceilMode)
        guard out.allSatisfy({ $0 >= 1 }) else { return false }
        for i in 0..<2 where !everyWindowTouchesInput(v.shape[2 + i].size, out[i], kernel[i], stride, dilation, pads[i]) {
            return false  // a window of padding only: -inf (max) or 0/0 (avg)
        }
        var attributes = "kernel: \(list(kernel))\(padText)"
        if stride != 1 { attributes += ", strides: [\(stride), \(stride)]" }
        if dilation != 1 { attributes += ", dilations: [\(dilation), \(dilation)]" }
        if ceilMode { attributes += ", ceil_mode: true" }
        if !isMax, chance(0.4) { attributes += ", count_include_pad: true" }
        return emitPool("\(isMax ? "max_pool2d" : "avg_pool2d")(\(ref(a)), \(attributes))", v, out)
    }

    private mutating func emitPool(_ text: String, _ v: GenValue, _ out: [Int]) -> Bool {
        _ = emit1(text, derived(v, shape: [v.shape[0], v.shape[1]] + out.map { .fixed($0) }))
        return true
    }

    /// reduce_* over random axes (all when none given), keepdims either way.
    mutating func reduce() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint && $0.rank >= 1 }) else { return false }
        let v = values[a]
        let all = chance(0.15)
        let axes = all ? Array(v.shape.indices) : Array(Set((0..<int(1...2)).map { _ in int(0...(v.rank - 1)) })).sorted()
        let keep = chance(0.5)
        let reduced = axes.map { v.shape[$0].size }.reduce(1, *)
        var op = choose(["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod"])
        if op == "reduce_prod", reduced > 4 || v.scale > 3 { op = "reduce_mean" }
        let scale = op == "reduce_sum" ? v.scale * Double(reduced) : op == "reduce_prod" ? pow(v.scale, Double(reduced)) : v.scale
        let shape = v.shape.indices.compactMap { axes.contains($0) ? (keep ? GenDim.fixed(1) : nil) : v.shape[$0] }
        let written = axes.map { chance(0.3) ? $0 - v.rank : $0 }
        let axesText = all && chance(0.5) ? "" : ", axes: \(list(written))"
        _ = emit1("\(op)(\(ref(a))\(axesText), keepdims: \(keep))", derived(v, shape: shape, scale: scale))
        return true
    }

    /// softmax / log_softmax on any axis, layer_norm on a value varying along its last axes.
    mutating func normalize() -> Bool {
        guard let a = pick({ $0.dtype.isFloatingPoint && $0.rank >= 1 }) else { return false }
        let v = values[a]
        let axis = int(-v.rank...(v.rank - 1))
        if v.rich, chance(0.4) {
            let from = chance(0.7) ? v.rank - 1 : max(0, v.rank - 2)
            let normalized = Array(v.shape[from...])
            guard !normalized.contains(where: \.symbolic), genCount(normalized) >= 2 else { return false }
            let sizes = normalized.map(\.size)
            let g = param(sizes, v.dtype, "normal(mean: 1, std: 0.2, seed: \(paramSeed()))")
            let bias = chance(0.7) ? ", \(param(sizes, v.dtype, "normal(std: 0.2, seed: \(paramSeed()))"))" : ""
            _ = emit1("layer_norm(\(ref(a)), \(g)\(bias), axis: \(from - (chance(0.5) ? v.rank : 0)))",
                      GenValue(shape: v.shape, dtype: v.dtype, scale: 5, rich: true))
            return true
        }
        let log = chance(0.3)
        let scale = log ? 2 * v.scale + 4 : 1
        _ = emit1("\(log ? "log_softmax" : "softmax")(\(ref(a)), axis: \(axis))", derived(v, shape: v.shape, scale: scale))
        return true
    }
}
