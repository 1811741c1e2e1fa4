import LeptonIR

/// Folds an inference batch_norm into the conv or dense layer before it: batch norm is a
/// per-channel affine map y·s + (bias − mean·s) with s = scale / sqrt(var + epsilon), and the
/// layer is linear in its weights, so scaling the weights of output channel c by s[c] and
/// setting the bias to (b − mean)·s + bias gives the same result with one op instead of two.
///
///     c = conv2d(x, w, b)                        y = conv2d(x, w', b')
///     y = batch_norm(c, scale, bias, mean, var)  with w' = w · s[:, None, None, None]
///                                                     b' = (b − mean) · s + bias
///
/// batch_norm normalizes axis 1, so the channel must be the layer's output-channel axis:
/// conv2d (w[M, C/g, kH, kW]: axis 0 of w), conv_transpose2d (w[C, M/g, kH, kW]: output
/// channel (c / (C/g))·(M/g) + j), and rank-2 results of linear, matmul (→ linear) and gemm
/// (B scaled along N; C must be per-column or absent, and becomes beta = 1, C' = (beta·C −
/// mean)·s + bias). A rank-3 linear [B, T, N] normalizes T, not N: left alone. The layer's
/// result must be read only by the batch_norm, and every weight, bias and statistic must be
/// known at compile time (constants, or params when frozen). New weights are `.tensor` params
/// named `<w>_bn` and `<b>_bn` (or `<w>_bn_bias`).
extension Pass {
    public static let foldBatchNorm = Pass(
        name: "fold-batch-norm",
        summary: "folds inference batch_norm into the weights and bias of the conv/gemm/linear/matmul before it"
    ) { graph, context throws(DiagnosticError) in
        var changed = false
        var start = 0
        while let (index, replacement) = try nextBatchNormFold(in: &graph, from: start, context) {
            let bn = graph.nodes[index]
            guard let anchor = GraphIndex(graph).producer[bn.inputs[0]] else { preconditionFailure("folded batch_norm without producer") }
            graph.nodes[index] = replacement
            graph.removeNodes([anchor], formerInputs: bn.inputs + graph.nodes[anchor].inputs)
            start = index - 1
            changed = true
        }
        return changed
    }
}

/// The first batch_norm at or after `start` that folds, with the node replacing it (new
/// params are already added to `graph`).
private func nextBatchNormFold(in graph: inout Graph, from start: Int, _ context: PassContext) throws(DiagnosticError) -> (Int, Node)? {
    let index = GraphIndex(graph)
    for i in min(max(start, 0), graph.nodes.count)..<graph.nodes.count where graph.nodes[i].op == .batch_norm {
        let bn = graph.nodes[i]
        guard index.hasSingleUser(bn.inputs[0]), let anchorIndex = index.producer[bn.inputs[0]] else { continue }
        guard bn.inputs[1...].allSatisfy({ context.isKnown($0, in: graph, index: index) }) else { continue }
        var stats: [[Double]] = []
        for id in bn.inputs[1...] { stats.append(try context.knownValue(of: id, in: graph, index: index)?.doubles ?? []) }
        let epsilon = bn.attributes.float("epsilon")
        let s = zip(stats[0], stats[3]).map { $0 / ($1 + epsilon).squareRoot() }
        let shift = (0..<s.count).map { stats[1][$0] - stats[2][$0] * s[$0] }
        var candidate = graph
        guard let node = try foldedLayer(graph.nodes[anchorIndex], scale: s, shift: shift, into: &candidate,
                                         index: index, context),
              (try? node.op.inferTypes(node.inputs.map(candidate.type(of:)), node.attributes)) == [graph.type(of: bn.outputs[0])]
        else { continue }
        var replacement = node
        replacement.outputs = bn.outputs
        graph = candidate
        return (i, replacement)
    }
    return nil
}

/// The anchor layer with per-output-channel `scale` applied to its weights and `shift` added
/// to its bias; nil when the layer or its operands do not allow it.
private func foldedLayer(_ layer: Node, scale s: [Double], shift: [Double], into graph: inout Graph,
                         index: GraphIndex, _ context: PassContext) throws(DiagnosticError) -> Node? {
    func known(_ i: Int) throws(DiagnosticError) -> Tensor? {
        i < layer.inputs.count ? try context.knownValue(of: layer.inputs[i], in: graph, index: index) : nil
    }
    // Packed weights (`prepack`) are not in the layout the channel arithmetic below assumes.
    guard layer.attributes["weight_layout"] ?? .string("") == .string(""),
          let w = try known(1), w.dtype.isFloatingPoint, w.rank >= 2 else { return nil }
    let hasBias = layer.inputs.count > 2
    let b = try known(2)
    guard !hasBias || b != nil else { return nil }
    var node = layer
    let weight: Tensor, biasScale: Double, bias: [Double]?
    switch layer.op {
    case .conv2d:
        guard w.shape[0] == s.count else { return nil }
        let block = w.count / w.shape[0]
        weight = w.scaled { s[$0 / block] }
        (biasScale, bias) = (1, b?.doubles)
    case .conv_transpose2d:
        let group = layer.attributes.int("group"), perGroupIn = w.shape[0] / group, perGroupOut = w.shape[1]
        guard perGroupOut * group == s.count else { return nil }
        let plane = w.count / (w.shape[0] * w.shape[1])
        weight = w.scaled { i in
            let (c, j) = (i / (plane * perGroupOut), (i / plane) % perGroupOut)
            return s[(c / perGroupIn) * perGroupOut + j]
        }
        (biasScale, bias) = (1, b?.doubles)
    case .linear, .matmul:
        guard graph.type(of: layer.outputs[0]).rank == 2, w.rank == 2, w.shape[1] == s.count else { return nil }
        weight = w.scaled { s[$0 % w.shape[1]] }
        (biasScale, bias) = (1, b?.doubles)
        node.op = .linear
        node.attributes = Op.linear.schema.defaults
    case .gemm:
        guard let (scaledB, beta, c) = gemmFold(layer, w, b, s) else { return nil }
        (weight, biasScale, bias) = (scaledB, beta, c)
        node.attributes["beta"] = .float(1)
    default:
        return nil
    }
    let newBias = (0..<s.count).map { biasValue(bias, $0) * biasScale * s[$0] + shift[$0] }
    let wName = graph.name(of: layer.inputs[1])
    let bName = hasBias ? graph.name(of: layer.inputs[2]) + "_bn" : wName + "_bn_bias"
    let newW = graph.addTensorParam(named: wName + "_bn", weight, at: layer.location)
    let newB = graph.addTensorParam(named: bName, .floats(newBias, shape: [s.count], dtype: w.dtype), at: layer.location)
    node.inputs = [layer.inputs[0], newW, newB]
    return node
}

/// Entry `c` of a per-channel bias, where a single value (a scalar gemm C) stands for all.
private func biasValue(_ bias: [Double]?, _ c: Int) -> Double {
    guard let bias else { return 0 }
    return bias.count == 1 ? bias[0] : bias[c]
}

/// gemm: B scaled along N, and C (scaled by beta) when it is per-column ([], [1], [N], [1, N]).
private func gemmFold(_ gemm: Node, _ b: Tensor, _ c: Tensor?, _ s: [Double]) -> (Tensor, Double, [Double]?)? {
    let transB = gemm.attributes.bool("trans_b")
    let n = transB ? b.shape[0] : b.shape[1]
    guard n == s.count else { return nil }
    if let c {
        let perColumn = c.shape.dropLast().allSatisfy { $0 == 1 } && (c.shape.last ?? 1 == 1 || c.shape.last == n)
        guard perColumn else { return nil }
    }
    let scaled = b.scaled { i in transB ? s[i / b.shape[1]] : s[i % b.shape[1]] }
    return (scaled, gemm.attributes.float("beta"), c?.doubles)
}
