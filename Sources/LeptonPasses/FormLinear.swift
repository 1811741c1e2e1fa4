import LeptonIR

/// Turns a matmul by constant weights plus a bias into one `linear` op, the dense layer the
/// kernels (and `fuse-epilogue`, `prepack`) know how to run well: the bias is added in the
/// matmul's write-back instead of in a second pass over the result.
///
///     h = matmul(x, w)          // w: [K, N], known at compile time
///     y = add(h, b)             // b: [N] (or b + h)
///   ->
///     y = linear(x, w, b)
///
/// Also `add(linear(x, w), b)` (a linear without bias). Fires only when the matmul's result is
/// read by the add alone, w is a known rank-2 [K, N] weight, b has shape [N] (a known [1, …, N]
/// is reshaped to [N]), and the add's result type equals the matmul's (the bias only
/// broadcasts, never widens the result). Any x rank works: linear(x[..., K]) = matmul(x, w)
/// for a 2-D w, batch dims included.
extension Pass {
    public static let formLinear = Pass(
        name: "form-linear",
        summary: "matmul(x, w) + b with constant w [K, N] and b [N] -> linear(x, w, b)"
    ) { graph, context throws(DiagnosticError) in
        var changed = false
        while let match = try nextLinear(in: graph, context) {
            var addIndex = match.add
            let add = graph.nodes[addIndex]
            var bias = match.bias
            if let reshaped = match.reshapedBias {
                let before = graph.nodes.count
                bias = graph.addKnownValue(named: graph.name(of: match.bias), reshaped, before: addIndex,
                                           at: graph.values[match.bias].location)
                addIndex += graph.nodes.count - before
            }
            let layer = graph.nodes[match.layer]
            graph.nodes[addIndex] = Node(op: .linear, inputs: [layer.inputs[0], layer.inputs[1], bias], outputs: add.outputs,
                                         attributes: Op.linear.schema.defaults, location: layer.location)
            graph.removeNodes([match.layer], formerInputs: add.inputs)
            changed = true
        }
        return changed
    }
}

/// A matmul + add to rewrite: the add's and the matmul's node indices, the bias value, and
/// its [N] reshape when it was a known [1, …, N].
private struct LinearMatch {
    var add: Int
    var layer: Int
    var bias: ValueID
    var reshapedBias: Tensor?
}

/// The first add that forms a linear.
private func nextLinear(in graph: Graph, _ context: PassContext) throws(DiagnosticError) -> LinearMatch? {
    let index = GraphIndex(graph)
    for (i, add) in graph.nodes.enumerated() where add.op == .add {
        for side in 0..<2 {
            let (product, bias) = (add.inputs[side], add.inputs[1 - side])
            guard index.hasSingleUser(product), let p = index.producer[product] else { continue }
            let layer = graph.nodes[p]
            let isMatmul = layer.op == .matmul || (layer.op == .linear && layer.inputs.count == 2)
            guard isMatmul, layer.attributes["weight_layout"] == .string(""),
                  context.isKnown(layer.inputs[1], in: graph, index: index),
                  graph.type(of: layer.inputs[1]).rank == 2,
                  graph.type(of: add.outputs[0]) == graph.type(of: product),
                  let (vectorType, reshaped) = try vectorBias(bias, in: graph, index: index, context)
            else { continue }
            let types = [graph.type(of: layer.inputs[0]), graph.type(of: layer.inputs[1]), vectorType]
            guard (try? Op.linear.inferTypes(types, Op.linear.schema.defaults)) == [graph.type(of: add.outputs[0])] else { continue }
            return LinearMatch(add: i, layer: p, bias: bias, reshapedBias: reshaped)
        }
    }
    return nil
}

/// The [N] type of `bias`, and its reshaped value when it is a known [1, …, 1, N] rather than
/// a vector; nil when it is neither.
private func vectorBias(_ bias: ValueID, in graph: Graph, index: GraphIndex,
                        _ context: PassContext) throws(DiagnosticError) -> (TensorType, Tensor?)? {
    let type = graph.type(of: bias)
    guard type.rank > 1 else { return type.rank == 1 ? (type, nil) : nil }
    guard let last = type.shape.last, type.shape.dropLast().allSatisfy({ $0 == .fixed(1) }),
          let value = try context.knownValue(of: bias, in: graph, index: index)
    else { return nil }
    return (TensorType(type.dtype, [last]), value.reshaped([value.count]))
}
