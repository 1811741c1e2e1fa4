extension ONNXModel {
    /// The ModelProto's bytes (what `lepton export` writes; tests build models with it).
    public func encoded() -> [UInt8] {
        var w = ProtoWriter()
        w.int(1, irVersion)
        if !producerName.isEmpty { w.string(2, producerName) }
        if !producerVersion.isEmpty { w.string(3, producerVersion) }
        w.message(7) { graph.encode(into: &$0) }
        for (domain, version) in opsets.sorted(by: { $0.key < $1.key }) {
            w.message(8) {
                if !domain.isEmpty { $0.string(1, domain) }
                $0.int(2, version)
            }
        }
        return w.bytes
    }
}

extension ONNXGraph {
    func encode(into w: inout ProtoWriter) {
        for node in nodes { w.message(1) { node.encode(into: &$0) } }
        w.string(2, name)
        for tensor in initializers { w.message(5) { tensor.encode(into: &$0) } }
        for input in inputs { w.message(11) { input.encode(into: &$0) } }
        for output in outputs { w.message(12) { output.encode(into: &$0) } }
        for info in valueInfo { w.message(13) { info.encode(into: &$0) } }
    }
}

extension ONNXNode {
    func encode(into w: inout ProtoWriter) {
        for input in inputs { w.string(1, input) }
        for output in outputs { w.string(2, output) }
        if !name.isEmpty { w.string(3, name) }
        w.string(4, opType)
        for attribute in attributes { w.message(5) { attribute.encode(into: &$0) } }
        if !domain.isEmpty { w.string(7, domain) }
    }
}

extension ONNXAttribute {
    func encode(into w: inout ProtoWriter) {
        w.string(1, name)
        switch value {
        case .float(let f): w.float(2, f); w.int(20, 1)
        case .int(let i): w.int(3, i); w.int(20, 2)
        case .string(let s): w.string(4, s); w.int(20, 3)
        case .tensor(let t): w.message(5) { t.encode(into: &$0) }; w.int(20, 4)
        case .graph(let g): w.message(6) { g.encode(into: &$0) }; w.int(20, 5)
        case .floats(let fs): w.packedFloats(7, fs); w.int(20, 6)
        case .ints(let is_): w.packedInts(8, is_); w.int(20, 7)
        case .strings(let ss): for s in ss { w.string(9, s) }; w.int(20, 8)
        case .unsupported(let kind): w.int(20, kind)
        }
    }
}

extension ONNXTensor {
    func encode(into w: inout ProtoWriter) {
        if !dims.isEmpty { w.packedInts(1, dims) }
        w.int(2, dataType)
        switch payload {
        case .floats(let values): w.packedFloats(4, values)
        case .int32s(let values): w.packedInts(5, values)
        case .int64s(let values): w.packedInts(7, values)
        case .doubles(let values):
            var run: [UInt8] = []
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { run.append(contentsOf: $0) } }
            w.bytes(10, run)
        case .uint64s(let values): w.packedInts(11, values)
        case .raw(let bytes): w.bytes(9, bytes)
        case .external(let location, let offset, let length):
            for (key, value) in [("location", location), ("offset", String(offset))] + (length.map { [("length", String($0))] } ?? []) {
                w.message(13) { $0.string(1, key); $0.string(2, value) }
            }
            w.int(14, 1)
        case .rawInFile, .empty: break
        }
        if !name.isEmpty { w.string(8, name) }
    }
}

extension ONNXValueInfo {
    func encode(into w: inout ProtoWriter) {
        w.string(1, name)
        guard let elementType else { return }
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, elementType)
                if let shape {
                    tensor.message(2) { s in
                        for dim in shape {
                            s.message(1) { d in
                                switch dim {
                                case .value(let v): d.int(1, v)
                                case .param(let p): d.string(2, p)
                                case .unknown: break
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
