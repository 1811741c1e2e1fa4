/// An ONNX model as read from (or written to) its protobuf file: the subset of `onnx.proto`
/// Lepton uses. Field numbers follow onnx/onnx.proto3; fields not modelled here are skipped
/// when reading. Tensor payloads are not copied while decoding: `ONNXTensor.Payload` points
/// into the file's bytes until the importer converts it.
public struct ONNXModel: Sendable {
    public var irVersion: Int64 = 8
    /// Operator set versions by domain ("" is the default ONNX domain, also written "ai.onnx").
    public var opsets: [String: Int64] = [:]
    public var producerName = ""
    public var producerVersion = ""
    public var graph = ONNXGraph()

    public init() {}

    /// The default domain's opset (what op semantics follow).
    public var opset: Int64 { opsets[""] ?? opsets["ai.onnx"] ?? 0 }
}

public struct ONNXGraph: Sendable {
    public var name = ""
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []
    public var valueInfo: [ONNXValueInfo] = []

    public init() {}
}

public struct ONNXNode: Sendable {
    public var name = ""
    public var opType = ""
    public var domain = ""
    public var inputs: [String] = []
    public var outputs: [String] = []
    public var attributes: [ONNXAttribute] = []

    public init(_ opType: String, inputs: [String], outputs: [String], name: String = "", attributes: [ONNXAttribute] = []) {
        self.opType = opType
        self.inputs = inputs
        self.outputs = outputs
        self.name = name
        self.attributes = attributes
    }

    public func attribute(_ name: String) -> ONNXAttribute.Value? { attributes.first { $0.name == name }?.value }
}

public struct ONNXAttribute: Sendable {
    public enum Value: Sendable {
        case float(Float)
        case int(Int64)
        case string(String)
        case tensor(ONNXTensor)
        case graph(ONNXGraph)
        case floats([Float])
        case ints([Int64])
        case strings([String])
        /// A kind Lepton does not read (sparse tensors, type protos, lists of tensors/graphs).
        case unsupported(kind: Int64)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// ONNX's TensorProto.DataType codes.
public enum ONNXDataType: Int64, Sendable, CaseIterable {
    case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, string = 8, bool = 9
    case float16 = 10, double = 11, uint32 = 12, uint64 = 13, complex64 = 14, complex128 = 15, bfloat16 = 16

    /// Bytes per element in raw_data (0: not a fixed-size type).
    var byteSize: Int {
        switch self {
        case .float, .int32, .uint32: 4
        case .uint8, .int8, .bool: 1
        case .uint16, .int16, .float16, .bfloat16: 2
        case .int64, .double, .uint64, .complex64: 8
        case .complex128: 16
        case .string: 0
        }
    }

    public var name: String {
        switch self {
        case .float: "float"
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .float16: "float16"
        case .double: "double"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .complex64: "complex64"
        case .complex128: "complex128"
        case .bfloat16: "bfloat16"
        }
    }
}

public struct ONNXTensor: Sendable {
    /// Where the elements are: raw little-endian bytes (in the model file, or given), one of
    /// the typed repeated fields, or a file beside the model (external data).
    public enum Payload: Sendable {
        case raw([UInt8])
        case rawInFile(Range<Int>)
        case floats([Float])
        case doubles([Double])
        /// int32_data: int32, and the narrow types (bool, int8/16, uint8/16, float16 bits).
        case int32s([Int64])
        case int64s([Int64])
        /// uint64_data: uint32 and uint64.
        case uint64s([Int64])
        case external(location: String, offset: Int64, length: Int64?)
        case empty
    }

    public var name = ""
    /// The raw data type code (checked against `ONNXDataType` when converted).
    public var dataType: Int64 = 0
    public var dims: [Int64] = []
    public var payload: Payload = .empty

    public init() {}

    public init(name: String, dataType: ONNXDataType, dims: [Int64], payload: Payload) {
        self.name = name
        self.dataType = dataType.rawValue
        self.dims = dims
        self.payload = payload
    }
}

/// A graph input/output/value_info: name, element type and shape when given.
public struct ONNXValueInfo: Sendable {
    public enum Dim: Sendable, Hashable {
        case value(Int64)
        case param(String)
        /// Neither given: an unnamed dynamic dim.
        case unknown
    }

    public var name = ""
    /// TensorProto.DataType code; nil when the type is absent or not a tensor type.
    public var elementType: Int64?
    /// nil when the shape is absent (rank unknown).
    public var shape: [Dim]?

    public init() {}

    public init(name: String, elementType: ONNXDataType, shape: [Dim]) {
        self.name = name
        self.elementType = elementType.rawValue
        self.shape = shape
    }
}
