import LeptonTensor

extension ONNXModel {
    /// Decodes a ModelProto from `bytes` (the contents of `path`, which errors name).
    public init(decoding bytes: AlignedBytes, path: String) throws(ONNXError) {
        self.init()
        var r = ProtoReader(bytes, path: path, message: "ModelProto")
        var sawGraph = false
        while let (field, wire) = try r.field() {
            switch (field, wire) {
            case (1, .varint): irVersion = try r.int64()
            case (2, .lengthDelimited): producerName = try r.string()
            case (3, .lengthDelimited): producerVersion = try r.string()
            case (7, .lengthDelimited):
                var g = try r.nested("GraphProto")
                graph = try ONNXGraph(&g)
                sawGraph = true
            case (8, .lengthDelimited):
                var o = try r.nested("OperatorSetIdProto")
                var domain = "", version: Int64 = 0
                while let (f, w) = try o.field() {
                    switch (f, w) {
                    case (1, .lengthDelimited): domain = try o.string()
                    case (2, .varint): version = try o.int64()
                    default: try o.skip(w)
                    }
                }
                opsets[domain] = version
            default: try r.skip(wire)
            }
        }
        guard sawGraph else {
            throw ONNXError(path: path, "not an ONNX model: no graph (is it an ONNX file? \(bytes.count) bytes)")
        }
    }
}

extension ONNXGraph {
    init(_ r: inout ProtoReader) throws(ONNXError) {
        self.init()
        while let (field, wire) = try r.field() {
            switch (field, wire) {
            case (1, .lengthDelimited):
                var n = try r.nested("NodeProto")
                nodes.append(try ONNXNode(&n))
            case (2, .lengthDelimited): name = try r.string()
            case (5, .lengthDelimited):
                var t = try r.nested("TensorProto")
                initializers.append(try ONNXTensor(&t))
            case (11, .lengthDelimited): inputs.append(try ONNXValueInfo(&r))
            case (12, .lengthDelimited): outputs.append(try ONNXValueInfo(&r))
            case (13, .lengthDelimited): valueInfo.append(try ONNXValueInfo(&r))
            case (15, .lengthDelimited):
                throw r.fail("has a sparse initializer, which Lepton does not read")
            default: try r.skip(wire)
            }
        }
    }
}

extension ONNXNode {
    init(_ r: inout ProtoReader) throws(ONNXError) {
        self.init("", inputs: [], outputs: [])
        while let (field, wire) = try r.field() {
            switch (field, wire) {
            case (1, .lengthDelimited): inputs.append(try r.string())
            case (2, .lengthDelimited): outputs.append(try r.string())
            case (3, .lengthDelimited): name = try r.string()
            case (4, .lengthDelimited): opType = try r.string()
            case (5, .lengthDelimited):
                var a = try r.nested("AttributeProto")
                attributes.append(try ONNXAttribute(&a))
            case (7, .lengthDelimited): domain = try r.string()
            default: try r.skip(wire)
            }
        }
    }
}

extension ONNXAttribute {
    init(_ r: inout ProtoReader) throws(ONNXError) {
        var name = "", kind: Int64 = 0
        var f: Float = 0, i: Int64 = 0, s = "", t: ONNXTensor?, g: ONNXGraph?
        var floats: [Float] = [], ints: [Int64] = [], strings: [String] = []
        var seen = Set<Int>()
        while let (field, wire) = try r.field() {
            seen.insert(field)
            switch (field, wire) {
            case (1, .lengthDelimited): name = try r.string()
            case (20, .varint): kind = try r.int64()
            case (2, .fixed32): f = try r.float()
            case (3, .varint): i = try r.int64()
            case (4, .lengthDelimited):
                // Attribute strings are bytes; ONNX uses them for names and modes (UTF-8 text).
                s = try r.string()
            case (5, .lengthDelimited):
                var nested = try r.nested("TensorProto")
                t = try ONNXTensor(&nested)
            case (6, .lengthDelimited):
                var nested = try r.nested("GraphProto")
                g = try ONNXGraph(&nested)
            case (7, _): try r.fixedWidth(wire, width: 4, into: &floats) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
            case (8, _): try r.int64s(wire, into: &ints)
            case (9, .lengthDelimited): strings.append(try r.string())
            default: try r.skip(wire)
            }
        }
        // Old exporters leave `type` out: infer it from the field that is present.
        if kind == 0 {
            kind = [(2, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6), (8, 7), (9, 8)].first { seen.contains($0.0) }.map { Int64($0.1) } ?? 0
        }
        let value: Value
        switch kind {
        case 1: value = .float(f)
        case 2: value = .int(i)
        case 3: value = .string(s)
        case 4:
            guard let t else { throw r.fail("attribute '\(name)' is a tensor without one") }
            value = .tensor(t)
        case 5:
            guard let g else { throw r.fail("attribute '\(name)' is a graph without one") }
            value = .graph(g)
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        case 8: value = .strings(strings)
        default: value = .unsupported(kind: kind)
        }
        self.init(name, value)
    }
}

extension ONNXTensor {
    init(_ r: inout ProtoReader) throws(ONNXError) {
        self.init()
        var floats: [Float] = [], doubles: [Double] = [], int32s: [Int64] = [], int64s: [Int64] = [], uint64s: [Int64] = []
        var raw: Range<Int>?
        var external: [String: String] = [:]
        var location: Int64 = 0
        while let (field, wire) = try r.field() {
            switch (field, wire) {
            case (1, _): try r.int64s(wire, into: &dims)
            case (2, .varint): dataType = try r.int64()
            case (4, _): try r.fixedWidth(wire, width: 4, into: &floats) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
            case (5, _): try r.int64s(wire, into: &int32s)
            case (6, .lengthDelimited): throw r.fail("holds string data, which Lepton does not read")
            case (7, _): try r.int64s(wire, into: &int64s)
            case (8, .lengthDelimited): name = try r.string()
            case (9, .lengthDelimited): raw = try r.lengthDelimited()
            case (10, _): try r.fixedWidth(wire, width: 8, into: &doubles) { Double(bitPattern: $0) }
            case (11, _): try r.int64s(wire, into: &uint64s)
            case (13, .lengthDelimited):
                var entry = try r.nested("StringStringEntryProto")
                var key = "", value = ""
                while let (f, w) = try entry.field() {
                    switch (f, w) {
                    case (1, .lengthDelimited): key = try entry.string()
                    case (2, .lengthDelimited): value = try entry.string()
                    default: try entry.skip(w)
                    }
                }
                external[key] = value
            case (14, .varint): location = try r.int64()
            default: try r.skip(wire)
            }
        }
        if location == 1 {
            guard let file = external["location"] else { throw r.fail("tensor '\(name)' is external but names no location") }
            guard let offset = Int64(external["offset"] ?? "0"), offset >= 0 else { throw r.fail("tensor '\(name)' has a bad external offset") }
            let length = external["length"].flatMap { Int64($0) }
            if external["length"] != nil, length == nil || length! < 0 { throw r.fail("tensor '\(name)' has a bad external length") }
            payload = .external(location: file, offset: offset, length: length)
        } else if let raw {
            payload = .rawInFile(raw)
        } else if !floats.isEmpty {
            payload = .floats(floats)
        } else if !doubles.isEmpty {
            payload = .doubles(doubles)
        } else if !int32s.isEmpty {
            payload = .int32s(int32s)
        } else if !int64s.isEmpty {
            payload = .int64s(int64s)
        } else if !uint64s.isEmpty {
            payload = .uint64s(uint64s)
        }
    }
}

extension ONNXValueInfo {
    /// Reads a ValueInfoProto field's payload from `r`.
    init(_ r: inout ProtoReader) throws(ONNXError) {
        self.init()
        var v = try r.nested("ValueInfoProto")
        while let (field, wire) = try v.field() {
            switch (field, wire) {
            case (1, .lengthDelimited): name = try v.string()
            case (2, .lengthDelimited):
                var type = try v.nested("TypeProto")
                while let (f, w) = try type.field() {
                    guard f == 1, w == .lengthDelimited else { try type.skip(w); continue }
                    var tensor = try type.nested("TypeProto.Tensor")
                    while let (tf, tw) = try tensor.field() {
                        switch (tf, tw) {
                        case (1, .varint): elementType = try tensor.int64()
                        case (2, .lengthDelimited):
                            var shapeReader = try tensor.nested("TensorShapeProto")
                            var dims: [Dim] = []
                            while let (sf, sw) = try shapeReader.field() {
                                guard sf == 1, sw == .lengthDelimited else { try shapeReader.skip(sw); continue }
                                var dim = try shapeReader.nested("TensorShapeProto.Dimension")
                                var value = Dim.unknown
                                while let (df, dw) = try dim.field() {
                                    switch (df, dw) {
                                    case (1, .varint): value = .value(try dim.int64())
                                    case (2, .lengthDelimited): value = .param(try dim.string())
                                    default: try dim.skip(dw)
                                    }
                                }
                                dims.append(value)
                            }
                            shape = dims
                        default: try tensor.skip(tw)
                        }
                    }
                }
            default: try v.skip(wire)
            }
        }
    }
}
