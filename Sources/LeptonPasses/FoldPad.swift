import LeptonIR

/// Folds a zero pad of H and W into the conv2d that reads it: conv2d's own pads are implicit
/// zeros, so padding the input first and then convolving is the same as convolving with the
/// pads summed, minus one op and one padded copy of the activation.
///
///     p = pad(x, pads: [0, 0, 1, 2, 0, 0, 1, 2])       y = conv2d(x, w, pads: [2, 3, 2, 3])
///     y = conv2d(p, w, pads: [1, 1, 1, 1])
///
/// Only `mode: constant` with `value: 0`, on a rank-4 input, with zero pads on N and C and
/// non-negative pads on H and W (negative pads crop), into a conv2d with `padding: explicit`
/// (same/valid compute their own pads). Pads are [n, c, h, w begins, then ends]; conv pads
/// [top, left, bottom, right]. The pad may have other readers: they keep it, the conv just
/// stops reading it (dce removes it when the conv was the last reader).
extension Pass {
    public static let foldPad = Pass(
        name: "fold-pad",
        summary: "folds a zero pad of H/W into the pads of the conv2d that reads it"
    ) { graph, _ throws(DiagnosticError) in
        var foldedPads: Set<Int> = []
        let index = GraphIndex(graph)
        for i in graph.nodes.indices where graph.nodes[i].op == .conv2d {
            let conv = graph.nodes[i]
            guard conv.attributes.choice("padding") == "explicit",
                  let padNode = index.producer(of: conv.inputs[0], is: .pad, in: graph),
                  let extra = spatialZeroPads(padNode, rank: graph.type(of: padNode.inputs[0]).rank)
            else { continue }
            var folded = conv
            folded.inputs[0] = padNode.inputs[0]
            let pads = conv.attributes.ints("pads")
            folded.attributes["pads"] = .ints(zip(pads, extra).map(+))
            let inputTypes = folded.inputs.map(graph.type(of:))
            guard (try? folded.op.inferTypes(inputTypes, folded.attributes)) == [graph.type(of: conv.outputs[0])] else { continue }
            graph.nodes[i] = folded
            if let padIndex = index.producer[conv.inputs[0]] { foldedPads.insert(padIndex) }
        }
        // A folded pad nothing reads anymore goes now.
        let after = GraphIndex(graph)
        graph.removeNodes(foldedPads.filter { after.users[graph.nodes[$0].outputs[0]].isEmpty && !after.isGraphOutput[graph.nodes[$0].outputs[0]] })
        return !foldedPads.isEmpty
    }
}

/// The pad's [top, left, bottom, right] when it is a constant-zero, non-negative pad of
/// dims 2 and 3 of a rank-4 tensor; nil otherwise.
private func spatialZeroPads(_ pad: Node, rank: Int) -> [Int]? {
    let pads = pad.attributes.ints("pads")
    guard rank == 4, pads.count == 8, pad.attributes.choice("mode") == "constant",
          pad.attributes.float("value") == 0,
          pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0,
          pads.allSatisfy({ $0 >= 0 })
    else { return nil }
    return [pads[2], pads[3], pads[6], pads[7]]
}
