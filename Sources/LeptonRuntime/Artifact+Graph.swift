import LeptonIR
import LeptonTensor

/// The graph section of an artifact: the optimized IR as binary records (values, params,
/// nodes with their attributes and fused bodies, source locations), so loading needs neither
/// the parser nor the passes. Param values are not here but in the weights section. A decoded
/// graph is verified before use: a corrupt file cannot smuggle in an ill-typed graph.
enum GraphCoding {
    /// Fused bodies nest one level; anything much deeper is corrupt.
    static let maxRegionDepth = 8

    static func encode(_ graph: Graph, into w: inout ByteWriter) {
        var files: [String] = []
        var fileIndex: [String: Int] = [:]
        func collect(_ g: Graph) {
            for location in [g.location] + g.values.map(\.location) + g.nodes.map(\.location) + g.params.map(\.location)
            where fileIndex[location.file] == nil {
                fileIndex[location.file] = files.count
                files.append(location.file)
            }
            for node in g.nodes { node.regions.forEach(collect) }
        }
        collect(graph)
        w.int(files.count)
        files.forEach { w.string($0) }
        encodeGraph(graph, fileIndex, into: &w)
    }

    private static func encodeGraph(_ g: Graph, _ files: [String: Int], into w: inout ByteWriter) {
        func location(_ l: SourceLocation) {
            w.int(files[l.file] ?? 0)
            w.int(l.line)
            w.int(l.column)
        }
        w.string(g.name)
        location(g.location)
        w.int(g.values.count)
        for value in g.values {
            w.string(value.name)
            encodeType(value.type, into: &w)
            location(value.location)
        }
        w.ints(g.inputs)
        w.int(g.params.count)
        for param in g.params {
            w.int(param.value)
            location(param.location)
        }
        w.int(g.nodes.count)
        for node in g.nodes {
            w.string(node.op.rawValue)
            w.ints(node.inputs)
            w.ints(node.outputs)
            let names = node.attributes.values.keys.sorted()  // sorted: identical bytes every time
            w.int(names.count)
            for name in names {
                w.string(name)
                if let attribute = node.attributes[name] { AttributeCoding.encode(attribute, into: &w) }
            }
            location(node.location)
            w.int(node.regions.count)
            for region in node.regions { encodeGraph(region, files, into: &w) }
        }
        w.ints(g.outputs)
    }

    static func encodeType(_ type: TensorType, into w: inout ByteWriter) {
        w.u8(UInt8(DType.allCases.firstIndex(of: type.dtype) ?? 0))
        w.int(type.rank)
        for dim in type.shape {
            switch dim {
            case .fixed(let n):
                w.u8(0)
                w.int(n)
            case .symbol(let s):
                w.u8(1)
                w.string(s)
            }
        }
    }

    static func decode(_ r: inout ByteReader) throws(ArtifactError) -> Graph {
        var files: [String] = []
        for _ in 0..<(try r.count("source files", bytesEach: 8)) { files.append(try r.string("source file")) }
        return try decodeGraph(&r, files, depth: 0)
    }

    private static func decodeGraph(_ r: inout ByteReader, _ files: [String], depth: Int) throws(ArtifactError) -> Graph {
        guard depth <= maxRegionDepth else { throw r.fail("corrupt graph: fused bodies nest deeper than \(maxRegionDepth)") }
        func location() throws(ArtifactError) -> SourceLocation {
            let file = try r.int("location file", in: 0...max(files.count - 1, 0))
            return SourceLocation(file: files.isEmpty ? "<unknown>" : files[file], line: try r.int("line"), column: try r.int("column"))
        }
        var g = Graph(name: try r.string("graph name"), location: .unknown)
        g.location = try location()
        let valueCount = try r.count("values", bytesEach: 18)
        for _ in 0..<valueCount {
            let name = try r.string("value name")
            let type = try decodeType(&r)
            g.values.append(ValueInfo(name: name, type: type, location: try location()))
        }
        func ids(_ what: String) throws(ArtifactError) -> [ValueID] {
            let list = try r.ints(what)
            guard list.allSatisfy({ g.values.indices.contains($0) }) else { throw r.fail("corrupt graph: \(what) refer to unknown values") }
            return list
        }
        g.inputs = try ids("inputs")
        for _ in 0..<(try r.count("params", bytesEach: 32)) {
            let value = try r.int("param value", in: 0...max(g.values.count - 1, 0))
            g.params.append(Param(value: value, initializer: .zeros, location: try location()))
        }
        for _ in 0..<(try r.count("nodes", bytesEach: 40)) {
            let name = try r.string("op")
            guard let op = Op(rawValue: name) else { throw r.fail("corrupt graph: unknown op '\(name)' (an artifact from a newer Lepton?)") }
            let inputs = try ids("node inputs"), outputs = try ids("node outputs")
            var attributes = Attributes()
            for _ in 0..<(try r.count("attributes", bytesEach: 9)) {
                let key = try r.string("attribute name")
                attributes[key] = try AttributeCoding.decode(&r)
            }
            let at = try location()
            var regions: [Graph] = []
            for _ in 0..<(try r.count("regions", bytesEach: 32)) { regions.append(try decodeGraph(&r, files, depth: depth + 1)) }
            g.nodes.append(Node(op: op, inputs: inputs, outputs: outputs, attributes: attributes, location: at, regions: regions))
        }
        g.outputs = try ids("outputs")
        return g
    }

    static func decodeType(_ r: inout ByteReader) throws(ArtifactError) -> TensorType {
        let code = Int(try r.u8("dtype"))
        guard code < DType.allCases.count else { throw r.fail("corrupt type: dtype code \(code)") }
        let rank = try r.int("rank", in: 0...64)
        var shape: [Dim] = []
        for _ in 0..<rank {
            switch try r.u8("dim kind") {
            case 0: shape.append(.fixed(try r.int("dim", in: 0...Int(Int32.max))))
            case 1: shape.append(.symbol(try r.string("symbol")))
            case let kind: throw r.fail("corrupt type: dim kind \(kind)")
            }
        }
        return TensorType(DType.allCases[code], shape)
    }
}

/// Attributes as a kind byte and a payload; tensors as dtype, shape and little-endian bytes.
enum AttributeCoding {
    static func encode(_ attribute: Attribute, into w: inout ByteWriter) {
        switch attribute {
        case .int(let v): w.u8(0); w.int(v)
        case .float(let v): w.u8(1); w.double(v)
        case .bool(let v): w.u8(2); w.bool(v)
        case .ints(let v): w.u8(3); w.ints(v)
        case .floats(let v):
            w.u8(4)
            w.int(v.count)
            v.forEach { w.double($0) }
        case .choice(let v): w.u8(5); w.string(v)
        case .string(let v): w.u8(6); w.string(v)
        case .dtype(let v): w.u8(7); w.u8(UInt8(DType.allCases.firstIndex(of: v) ?? 0))
        case .tensor(let t):
            w.u8(8)
            TensorCoding.encode(t, into: &w)
        }
    }

    static func decode(_ r: inout ByteReader) throws(ArtifactError) -> Attribute {
        switch try r.u8("attribute kind") {
        case 0: return .int(try r.int("int attribute"))
        case 1: return .float(try r.double("float attribute"))
        case 2: return .bool(try r.bool("bool attribute"))
        case 3: return .ints(try r.ints("ints attribute"))
        case 4:
            var values: [Double] = []
            for _ in 0..<(try r.count("floats attribute", bytesEach: 8)) { values.append(try r.double("float")) }
            return .floats(values)
        case 5: return .choice(try r.string("choice attribute"))
        case 6: return .string(try r.string("string attribute"))
        case 7:
            let code = Int(try r.u8("dtype attribute"))
            guard code < DType.allCases.count else { throw r.fail("corrupt attribute: dtype code \(code)") }
            return .dtype(DType.allCases[code])
        case 8: return .tensor(try TensorCoding.decode(&r, alignment: 1))
        case let kind: throw r.fail("corrupt attribute: kind \(kind)")
        }
    }
}

/// A tensor as dtype, shape and its little-endian bytes (aligned in the weights section).
enum TensorCoding {
    static func encode(_ tensor: Tensor, into w: inout ByteWriter, alignment: Int = 1) {
        header(tensor.dtype, tensor.shape, byteCount: tensor.count * tensor.dtype.byteSize, into: &w, alignment: alignment)
        w.raw(tensor.littleEndianBytes)
    }

    /// A stored tensor written again from its bytes (re-encoding a loaded artifact).
    static func encode(_ stored: StoredTensor, from buffer: AlignedBytes, into w: inout ByteWriter, alignment: Int) {
        header(stored.dtype, stored.shape, byteCount: stored.bytes.count, into: &w, alignment: alignment)
        w.raw(buffer[stored.bytes])
    }

    private static func header(_ dtype: DType, _ shape: [Int], byteCount: Int, into w: inout ByteWriter, alignment: Int) {
        w.u8(UInt8(DType.allCases.firstIndex(of: dtype) ?? 0))
        w.ints(shape)
        w.int(byteCount)
        w.align(to: alignment)
    }

    static func decode(_ r: inout ByteReader, alignment: Int) throws(ArtifactError) -> Tensor {
        try decodeStored(&r, alignment: alignment).tensor(in: r.bytes)
    }

    /// The header, checked, and where the data lies (not copied).
    static func decodeStored(_ r: inout ByteReader, alignment: Int) throws(ArtifactError) -> StoredTensor {
        let code = Int(try r.u8("tensor dtype"))
        guard code < DType.allCases.count else { throw r.fail("corrupt tensor: dtype code \(code)") }
        let dtype = DType.allCases[code]
        let shape = try r.ints("tensor shape")
        let byteCount = try r.int("tensor bytes", in: 0...max(r.remaining, 0))
        try r.align(to: alignment, "tensor padding")
        let data = try r.raw(byteCount, "tensor data")
        var expected = dtype.byteSize
        for dim in shape {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dim)
            guard dim >= 0, !overflow else { throw r.fail("corrupt tensor: shape \(shape)") }
            expected = product
        }
        guard expected == byteCount else {
            throw r.fail("corrupt tensor: \(byteCount) bytes of data, but \(dtype)\(shape) needs \(expected)")
        }
        if dtype == .bool, let bad = r.bytes[data].first(where: { $0 > 1 }) {
            throw r.fail("corrupt tensor: bool byte \(bad) is not 0 or 1")
        }
        return StoredTensor(dtype: dtype, shape: shape, bytes: data)
    }
}
