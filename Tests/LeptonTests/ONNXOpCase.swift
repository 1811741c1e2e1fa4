import Foundation
import LeptonTensor
import Testing

/// One case of Fixtures/onnx_ops/cases.json: a one-node (or small) ONNX model, its inputs and
/// how many outputs it has. The format is documented in Tools/gen_onnx_goldens.py, which writes
/// each case's `<name>.npz`: the random inputs under their names, the expected outputs as
/// `y0`, `y1`, …
struct ONNXOpCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    /// A one-node model's op type (else `nodes`).
    var op: String?
    var nodes: [Node]?
    var opset: Int64?
    var attributes: [String: AttributeValue]?
    var inputs: [Input]
    var outputs: Int?
    var rtol: Double?
    var atol: Double?
    /// Part of the message the importer must refuse the model with.
    var error: String?
    var note: String?

    struct Node: Decodable, Sendable {
        var op: String
        var inputs: [String]
        var outputs: [String]
        var attributes: [String: AttributeValue]?
    }

    struct Input: Decodable, Sendable {
        var name: String
        var dtype: String?
        var shape: [Int]?
        /// A constant initializer's values (nil: random, from the case's .npz).
        var values: [Scalar]?
        /// A random constant initializer (else a graph input).
        var constant: Bool?
        /// Dim names of a graph input, nil entries fixed.
        var dims: [String?]?
        var low: Double?
        var high: Double?

        /// An omitted optional input of the node.
        var isOmitted: Bool { name.isEmpty }
        var isInitializer: Bool { values != nil || constant == true }
    }

    /// `{kind: value}` in the JSON: exactly one field is set.
    struct AttributeValue: Decodable, Sendable {
        var int: Int64?
        var float: Float?
        var ints: [Int64]?
        var floats: [Float]?
        var string: String?
        var strings: [String]?
        var tensor: TensorValue?
    }

    struct TensorValue: Decodable, Sendable {
        var dtype: String
        var shape: [Int]
        var values: [Scalar]
    }

    /// A JSON number or bool, integers kept exact (INT64_MIN/MAX appear as slice bounds).
    enum Scalar: Decodable, Sendable {
        case bool(Bool)
        case int(Int64)
        case double(Double)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .bool(value)
            } else if let value = try? container.decode(Int64.self) {
                self = .int(value)
            } else {
                self = .double(try container.decode(Double.self))
            }
        }

        var double: Double {
            switch self {
            case .bool(let v): v ? 1 : 0
            case .int(let v): Double(v)
            case .double(let v): v
            }
        }

        var int: Int64 {
            switch self {
            case .bool(let v): v ? 1 : 0
            case .int(let v): v
            case .double(let v): Int64(v)
            }
        }
    }

    var testDescription: String { name }

    var outputCount: Int { outputs ?? 1 }

    /// Every op type the case's model uses.
    var opTypes: Set<String> { Set((op.map { [$0] } ?? []) + (nodes ?? []).map(\.op)) }

    /// The case's .npz: random inputs by name, expected outputs as `y<k>`.
    func arrays() throws -> [String: Tensor] {
        let path = ONNXOpManifest.root.appendingPathComponent("\(name).npz").path
        return Dictionary(uniqueKeysWithValues: try NPZ.read(contentsOf: path).map { ($0.name, $0.tensor) })
    }
}

enum ONNXOpManifest {
    static let root = TestPaths.fixtures("onnx_ops")

    static func load() throws -> [ONNXOpCase] {
        let data = try Data(contentsOf: root.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode([ONNXOpCase].self, from: data)
    }

    /// The manifest, or no cases when it cannot be read (`manifestIsReadable` then fails).
    static let cases: [ONNXOpCase] = (try? load()) ?? []
    /// Cases run against their goldens.
    static let runnable = cases.filter { $0.error == nil }
    /// Cases the importer must refuse with a clear message.
    static let refused = cases.filter { $0.error != nil }
}
