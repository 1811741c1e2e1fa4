import Foundation
import LeptonIR
import LeptonTensor
import Testing

/// A JSON value as it appears in `cases.json`; attributes are converted to `Attribute`s only
/// once their `AttributeSpec` is known.
enum JSONValue: Decodable, Sendable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Bool first: JSON true must not become 1, and 1 must not become true.
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .array(try container.decode([JSONValue].self))
        }
    }

    var description: String {
        switch self {
        case .bool(let v): "\(v)"
        case .int(let v): "\(v)"
        case .double(let v): "\(v)"
        case .string(let v): "\"\(v)\""
        case .array(let v): "[\(v.map(\.description).joined(separator: ", "))]"
        }
    }
}

/// One golden case written by Tools/gen_op_goldens.py: an op, its non-default attributes, and
/// `in<i>.npy` / `out<i>.npy` files in the folder named after the case.
struct GoldenCase: Decodable, Sendable, CustomTestStringConvertible {
    var name: String
    var op: String
    var attributes: [String: JSONValue]
    var inputs: Int
    var outputs: Int
    var rtol: Double
    var atol: Double

    var testDescription: String { name }

    var folder: URL { GoldenManifest.root.appendingPathComponent(name) }

    func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

    /// `<prefix>0.npy`, `<prefix>1.npy`, … of this case.
    func tensors(_ prefix: String, count: Int) throws -> [Tensor] {
        try (0..<count).map { i throws in try NPY.read(contentsOf: path("\(prefix)\(i).npy")) }
    }
}

/// Why a golden case could not be set up (as opposed to a kernel giving a wrong answer).
struct GoldenError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum GoldenManifest {
    static let root = TestPaths.fixtures("ops")

    static func load() throws -> [GoldenCase] {
        let data = try Data(contentsOf: root.appendingPathComponent("cases.json"))
        return try JSONDecoder().decode([GoldenCase].self, from: data)
    }

    /// The manifest, or no cases when it cannot be read (`manifestIsReadable` then fails).
    static let cases: [GoldenCase] = (try? load()) ?? []
}

extension GoldenCase {
    /// `op.schema.defaults` overridden by the manifest's attributes. An attribute the schema does
    /// not know is an error, so a typo in the generator cannot silently become a default.
    func attributes(for op: Op) throws -> Attributes {
        var result = op.schema.defaults
        for (name, value) in attributes.sorted(by: { $0.key < $1.key }) {
            guard let spec = op.schema.attribute(named: name) else {
                throw GoldenError("\(op) has no attribute '\(name)'")
            }
            result[name] = try convert(value, to: spec)
        }
        for spec in op.schema.attributes where result[spec.name] == nil {
            throw GoldenError("required attribute '\(spec.name)' of \(op) is missing")
        }
        return result
    }

    private func convert(_ value: JSONValue, to spec: AttributeSpec) throws -> Attribute {
        let mismatch = GoldenError("attribute '\(spec.name)' expects \(spec.kind), got \(value)")
        switch (spec.kind, value) {
        case (.int, .int(let v)): return .int(v)
        case (.float, .int(let v)): return .float(Double(v))
        case (.float, .double(let v)): return .float(v)
        case (.bool, .bool(let v)): return .bool(v)
        case (.ints, .array(let items)):
            return .ints(try items.map { item in
                guard case .int(let v) = item else { throw mismatch }
                return v
            })
        case (.floats, .array(let items)):
            return .floats(try items.map { item in
                switch item {
                case .int(let v): return Double(v)
                case .double(let v): return v
                default: throw mismatch
                }
            })
        case (.choice(let options), .string(let v)):
            guard options.contains(v) else { throw GoldenError("'\(v)' is not one of \(options) for '\(spec.name)'") }
            return .choice(v)
        case (.string, .string(let v)): return .string(v)
        case (.dtype, .string(let v)):
            guard let dtype = DType(rawValue: v) else { throw GoldenError("unknown dtype '\(v)' for '\(spec.name)'") }
            return .dtype(dtype)
        case (.tensor, .string(let file)):
            // A tensor attribute names a .npy file in the case's folder.
            return .tensor(try NPY.read(contentsOf: path(file)))
        default:
            throw mismatch
        }
    }
}
