// How many floating-point operations a node performs: what `lepton bench` divides by the
// latency to report GFLOP/s. An estimate by fixed conventions, not a count of instructions:
// a multiply-add is 2, every other arithmetic op on an element is 1, data movement is 0.
// Measure it on the graph as written (-O0), so that -O0 and -O2 rates share one numerator
// and a fusion that removes work shows up as time saved, not as fewer flops.

extension Op {
    /// The floating-point operations of one application of the op, from its operands' and
    /// results' concrete shapes and its attributes. `fused` counts 0 here: its work is in its
    /// region (`Graph.flopCount` adds it up).
    ///
    /// Conventions: matmul/gemm/linear 2·M·N·K (+ M·N for a bias); conv 2·N·Cout·Ho·Wo·(Cin/group)·kh·kw
    /// (+ one per output for a bias); LSTM/GRU their gate GEMMs plus about one op per gate
    /// element; elementwise 1 per result element; batch_norm 2, softmax 3, layer/instance norm
    /// 5 per element; reductions and pooling 1 per element read; movement, casts and constants 0.
    /// Training ops: scatter_add 1 per update; one_hot 0; a pooling gradient 1 per dy element
    /// per window tap; conv2d_weight_grad 2·N·Cout·Ho·Wo·(Cin/group)·kh·kw (conv2d's multiply-adds);
    /// per input element cross_entropy 3 (a log_softmax), binary_cross_entropy 7, mse 3.
    /// Weights are read in the op's standard layout: count graphs before `prepack` (conv's
    /// `weight_layout` changes w's shape).
    public func flops(inputs: [[Int]], outputs: [[Int]], attributes: Attributes) -> Int {
        let result = outputs.first.map(elements) ?? 0
        let input = inputs.first.map(elements) ?? 0
        switch self {
        case .identity, .cast, .constant, .fused,
             .reshape, .transpose, .flatten, .squeeze, .unsqueeze, .concat, .split, .slice, .gather,
             .expand, .pad, .tile:
            return 0
        case .exp, .log, .sqrt, .rsqrt, .reciprocal, .sigmoid, .tanh, .softplus, .erf, .gelu,
             .leaky_relu, .elu, .floor, .ceil, .neg, .abs, .relu, .clip,
             .add, .sub, .mul, .div, .pow, .max, .min, .eq, .ne, .lt, .le, .gt, .ge,
             .and, .or, .xor, .not, .where:
            return result
        case .matmul:
            let a = inputs[0]
            return 2 * result * (a.last ?? 1)
        case .gemm:
            let a = inputs[0]
            guard a.count == 2 else { return 0 }
            let k = attributes.bool("trans_a") ? a[0] : a[1]
            return 2 * result * k + (inputs.count > 2 ? result : 0)
        case .linear:
            return 2 * result * (inputs[0].last ?? 1) + (inputs.count > 2 ? result : 0)
        case .conv2d:
            guard inputs.count > 1 else { return 0 }
            let w = inputs[1]  // [Cout, Cin/group, kh, kw]
            return 2 * result * w.dropFirst().reduce(1, *) + (inputs.count > 2 ? result : 0)
        case .conv_transpose2d:
            guard inputs.count > 1 else { return 0 }
            let w = inputs[1]  // [Cin, Cout/group, kh, kw]: every input pixel scatters a kernel
            return 2 * input * w.dropFirst().reduce(1, *) + (inputs.count > 2 ? result : 0)
        case .max_pool2d, .avg_pool2d:
            let kernel = attributes.ints("kernel")
            return result * kernel.reduce(1, *)
        case .global_avg_pool, .reduce_sum, .reduce_mean, .reduce_max, .reduce_min, .reduce_prod, .argmax, .argmin:
            return input
        case .batch_norm:
            return 2 * result
        case .layer_norm, .instance_norm:
            return 5 * result
        case .softmax, .log_softmax:
            return 3 * result
        case .scatter_add:
            return inputs.count > 2 ? elements(inputs[2]) : 0
        case .one_hot:
            return 0
        case .max_pool2d_grad, .avg_pool2d_grad:
            guard inputs.count > 1 else { return 0 }
            return elements(inputs[1]) * attributes.ints("kernel").reduce(1, *)
        case .conv2d_weight_grad:
            // Each dy element meets every (Cin/group, kh, kw) tap of its weight row: result / Cout.
            guard inputs.count > 1, let channels = inputs[1].dropFirst().first, channels > 0 else { return 0 }
            return 2 * elements(inputs[1]) * (result / channels)
        case .cross_entropy, .mse:
            return 3 * input
        case .binary_cross_entropy:
            return 7 * input
        case .lstm:
            return recurrentFlops(inputs, attributes, gates: 4, elementwisePerUnit: 13)
        case .gru:
            return recurrentFlops(inputs, attributes, gates: 3, elementwisePerUnit: 10)
        }
    }

    /// x[seq, batch, in] through `gates` gate GEMMs per step and direction (input and recurrent:
    /// 2·batch·gates·H·(in + H)), plus per hidden unit the bias adds, gate activations and
    /// state updates (LSTM: 4 bias, 5 activations, 4 for c and h; GRU: 3, 3, 4).
    private func recurrentFlops(_ inputs: [[Int]], _ attributes: Attributes, gates: Int, elementwisePerUnit: Int) -> Int {
        let x = inputs[0]
        guard x.count == 3 else { return 0 }
        let (steps, batch, features) = (x[0], x[1], x[2])
        let hidden = attributes.int("hidden_size")
        let directions = attributes.choice("direction") == "bidirectional" ? 2 : 1
        let perStep = 2 * batch * gates * hidden * (features + hidden) + elementwisePerUnit * batch * hidden
        return directions * steps * perStep
    }

    private func elements(_ shape: [Int]) -> Int { shape.reduce(1, *) }
}

extension Graph {
    /// The estimated floating-point operations of one run (`Op.flops` summed over the nodes,
    /// fused regions included), with symbolic dimensions at `sizes` (unbound ones count 1).
    public func flopCount(sizes: [String: Int]) -> Int {
        nodes.reduce(0) { total, node in
            let shapes = { (ids: [ValueID]) in ids.map { self.type(of: $0).shape.map { $0.size(sizes) } } }
            let own = node.op.flops(inputs: shapes(node.inputs), outputs: shapes(node.outputs), attributes: node.attributes)
            return total + own + node.regions.reduce(0) { $0 + $1.flopCount(sizes: sizes) }
        }
    }
}

private extension Dim {
    func size(_ sizes: [String: Int]) -> Int {
        switch self {
        case .fixed(let n): n
        case .symbol(let name): sizes[name] ?? 1
        }
    }
}
