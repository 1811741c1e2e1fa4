import LeptonIR

/// A Lepton graph written as an ONNX model: the inverse of `ONNXImport`.
///
/// Graph inputs and outputs keep their names, element types and shapes (a symbolic dim
/// becomes a `dim_param` of the same name); params become initializers holding their
/// materialized values as little-endian `raw_data`; each node becomes one ONNX node, or a few
/// where ONNX has no single op (`rsqrt` is `Sqrt` then `Reciprocal`, `ne` is `Equal` then
/// `Not`). Attributes that ONNX takes as inputs since opset 13/18 (reshape's shape, squeeze
/// axes, slice bounds, pads, split sizes, reduce axes, clip bounds) become int64 or scalar
/// initializers named after the node's output.
///
/// The opset is the lowest that every op allows: 17 (LayerNormalization's), or 20 when the
/// graph has `gelu`. Ops ONNX lacks — compiler-made (`fused`, pre-packed weights), gradient
/// helpers and losses — are all listed in one error before anything is converted.
public struct ONNXExport {
    /// The opset chosen when no op needs a later one.
    public static let baseOpset: Int64 = 17
    /// The opsets an exported model may declare: from the base up to the last the importer reads.
    public static let supportedOpsets: ClosedRange<Int64> = baseOpset...ONNXImport.supportedOpsets.upperBound

    /// `graph` as an ONNX model, with `parameters` (in `graph.params` order) as its
    /// initializers. `opset` nil picks the lowest opset the graph's ops allow.
    public static func model(of graph: Graph, parameters: [Tensor], opset: Int64? = nil) throws(DiagnosticError) -> ONNXModel {
        precondition(parameters.count == graph.params.count, "one tensor per param: \(parameters.count) for \(graph.params.count) params")
        try checkEveryOpIsExportable(graph)
        var exporter = ONNXExport(graph: graph, opset: try chooseOpset(graph, asked: opset))
        exporter.exportGraph(parameters: parameters)
        var model = ONNXModel()
        model.irVersion = irVersion(for: exporter.opset)
        model.opsets = ["": exporter.opset]
        model.producerName = "lepton"
        model.graph = exporter.onnx
        return model
    }

    let graph: Graph
    let opset: Int64
    var onnx = ONNXGraph()
    /// The ONNX name of each Lepton value (indexed by ValueID).
    var names: [String] = []
    /// Every ONNX name given out (values, initializers, intermediate results).
    private var usedNames = UniqueNames()
    /// The node being converted (its results name the initializers it adds).
    var node: Node?

    private init(graph: Graph, opset: Int64) {
        self.graph = graph
        self.opset = opset
    }

    /// The IR version that goes with `opset`: the one of the ONNX release that introduced it
    /// (onnx.helper.VERSION_TABLE), so a runtime that reads the opset reads the file.
    static func irVersion(for opset: Int64) -> Int64 {
        switch opset {
        case ...18: 8
        case 19...20: 9
        case 21...22: 10
        case 23: 11
        case 24: 12
        case 25...27: 13
        default: 14
        }
    }

    private mutating func exportGraph(parameters: [Tensor]) {
        onnx.name = graph.name
        nameValues()
        for id in graph.inputs {
            onnx.inputs.append(valueInfo(id))
        }
        let outputs = Set(graph.outputs)
        for (param, tensor) in zip(graph.params, parameters) {
            let value = Self.tensor(tensor, named: names[param.value])
            guard outputs.contains(param.value) else {
                onnx.initializers.append(value)
                continue
            }
            // An ONNX output is a node's result: a param that is one is a Constant (which
            // imports back as the same param).
            onnx.nodes.append(ONNXNode("Constant", inputs: [], outputs: [value.name], name: value.name,
                                       attributes: [ONNXAttribute("value", .tensor(value))]))
        }
        for node in graph.nodes {
            self.node = node
            convert(node)
            onnx.valueInfo += node.outputs.filter { !outputs.contains($0) }.map(valueInfo)
        }
        self.node = nil
        exportOutputs()
    }

    /// Names every value: user names as they are, temporaries (`%3`) as `t3`; all unique.
    private mutating func nameValues() {
        names = graph.values.map(\.name)
        for id in graph.values.indices where !Graph.isTemporary(names[id]) {
            usedNames.reserve(names[id])
        }
        for id in graph.values.indices where Graph.isTemporary(names[id]) {
            names[id] = fresh("t" + names[id].dropFirst())
        }
    }

    /// The graph's outputs. ONNX outputs are distinct from the inputs and each other, so an
    /// output that is a graph input or listed twice gets its own name through an `Identity`.
    private mutating func exportOutputs() {
        var listed = Set<ValueID>()
        for id in graph.outputs {
            var info = valueInfo(id)
            if graph.inputs.contains(id) || !listed.insert(id).inserted {
                info.name = fresh(names[id] + "_out")
                onnx.nodes.append(ONNXNode("Identity", inputs: [names[id]], outputs: [info.name], name: info.name))
            }
            onnx.outputs.append(info)
        }
    }

    /// The element type and shape of value `id`, under its ONNX name.
    func valueInfo(_ id: ValueID) -> ONNXValueInfo {
        let type = graph.type(of: id)
        let shape: [ONNXValueInfo.Dim] = type.shape.map { dim in
            switch dim {
            case .fixed(let n): .value(Int64(n))
            case .symbol(let s): .param(s)
            }
        }
        return ONNXValueInfo(name: names[id], elementType: Self.dataType(type.dtype), shape: shape)
    }

    /// `base`, or `base_2`, `base_3`, … when taken; reserved from now on.
    mutating func fresh(_ base: String) -> String { usedNames.claim(base) }
}
