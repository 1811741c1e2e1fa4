import LeptonIR
import LeptonONNX
import LeptonTensor

/// A case built as an `ONNXModel` with Lepton's own structures (what the generator builds with
/// onnx.helper), then taken through the encoder and decoder as a file would be.
extension ONNXOpCase {
    /// Why a case could not be built (as opposed to the importer giving a wrong answer).
    struct SetupError: Error, CustomStringConvertible {
        var description: String
    }

    var outputNames: [String] { (0..<outputCount).map { "y\($0)" } }

    /// The model; random inputs and constants take their values from `arrays`.
    func model(arrays: [String: Tensor]) throws -> ONNXModel {
        var model = ONNXModel()
        model.opsets = ["": opset ?? 17]
        model.producerName = "ONNXOpTests"
        model.graph.name = name
        model.graph.nodes = try graphNodes()
        for input in inputs where !input.isOmitted {
            let type = try Self.dataType(input.dtype ?? "float")
            let shape = input.shape ?? []
            if let values = input.values {
                model.graph.initializers.append(try Self.tensor(input.name, type, shape, values))
            } else if input.constant == true {
                // Raw little-endian bytes, as exporters store weights.
                let bytes = try array(input.name, in: arrays).littleEndianBytes
                model.graph.initializers.append(ONNXTensor(name: input.name, dataType: type, dims: shape.map(Int64.init), payload: .raw(bytes)))
            } else {
                let dims = shape.indices.map { k in
                    (input.dims?[k]).flatMap { $0 }.map(ONNXValueInfo.Dim.param) ?? .value(Int64(shape[k]))
                }
                model.graph.inputs.append(ONNXValueInfo(name: input.name, elementType: type, shape: dims))
            }
        }
        // Outputs by name only: the importer needs no declared types for them.
        model.graph.outputs = outputNames.map { name in
            var output = ONNXValueInfo()
            output.name = name
            return output
        }
        return model
    }

    /// The one node of an `op` case (reading every input, writing y0, y1, …), or `nodes`.
    private func graphNodes() throws -> [ONNXNode] {
        if let op { return [ONNXNode(op, inputs: inputs.map(\.name), outputs: outputNames, attributes: try Self.attributes(attributes))] }
        return try (nodes ?? []).map { node throws in
            ONNXNode(node.op, inputs: node.inputs, outputs: node.outputs, attributes: try Self.attributes(node.attributes))
        }
    }

    /// The graph inputs' values, by name.
    func feeds(arrays: [String: Tensor]) throws -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for input in inputs where !input.isOmitted && !input.isInitializer {
            feeds[input.name] = try array(input.name, in: arrays)
        }
        return feeds
    }

    /// The Lepton graph of the model after a round trip through ONNX bytes.
    func importedGraph(arrays: [String: Tensor]) throws -> Graph {
        let bytes = AlignedBytes(copying: try model(arrays: arrays).encoded())
        let path = "\(name).onnx"
        let decoded = try ONNXModel(decoding: bytes, path: path)
        return try ONNXFile.importGraph(decoded, bytes: bytes, path: path)
    }

    private func array(_ name: String, in arrays: [String: Tensor]) throws -> Tensor {
        guard let tensor = arrays[name] else {
            throw SetupError(description: "\(self.name).npz has no array '\(name)': rerun Tools/gen_onnx_goldens.py")
        }
        return tensor
    }

    private static func dataType(_ name: String) throws -> ONNXDataType {
        guard let type = ONNXDataType.allCases.first(where: { $0.name == name }) else {
            throw SetupError(description: "unknown dtype '\(name)'")
        }
        return type
    }

    /// A tensor of given values, in the typed field ONNX keeps for its element type.
    private static func tensor(_ name: String, _ type: ONNXDataType, _ shape: [Int], _ values: [Scalar]) throws -> ONNXTensor {
        let payload: ONNXTensor.Payload
        switch type {
        case .float: payload = .floats(values.map { Float($0.double) })
        case .double: payload = .doubles(values.map(\.double))
        case .int32, .bool: payload = .int32s(values.map(\.int))
        case .int64: payload = .int64s(values.map(\.int))
        default: throw SetupError(description: "no typed field for \(type.name) in these tests")
        }
        return ONNXTensor(name: name, dataType: type, dims: shape.map(Int64.init), payload: payload)
    }

    private static func attributes(_ given: [String: AttributeValue]?) throws -> [ONNXAttribute] {
        try (given ?? [:]).sorted { $0.key < $1.key }.map { name, value throws in ONNXAttribute(name, try attribute(name, value)) }
    }

    private static func attribute(_ name: String, _ value: AttributeValue) throws -> ONNXAttribute.Value {
        let kinds: [ONNXAttribute.Value?] = [
            value.int.map { .int($0) }, value.float.map { .float($0) }, value.ints.map { .ints($0) }, value.floats.map { .floats($0) },
            value.string.map { .string($0) }, value.strings.map { .strings($0) },
            try value.tensor.map { .tensor(try tensor(name, try dataType($0.dtype), $0.shape, $0.values)) },
        ]
        let given = kinds.compactMap { $0 }
        guard given.count == 1 else { throw SetupError(description: "attribute '\(name)' must have exactly one kind, has \(given.count)") }
        return given[0]
    }
}
