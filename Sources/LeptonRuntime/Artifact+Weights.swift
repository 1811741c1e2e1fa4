import LeptonIR
import LeptonTensor

/// The params' values in an artifact: tensors, for one being built, or where their bytes lie
/// in a loaded file — used in place by the executor, decoded into tensors only when asked.
enum StoredWeights: Sendable {
    case tensors([Tensor])
    case stored(AlignedBytes, [StoredTensor])

    var tensors: [Tensor] {
        switch self {
        case .tensors(let tensors): return tensors
        case .stored(let bytes, let records): return records.map { $0.tensor(in: bytes) }
        }
    }

    /// An int count, then per param its header and 64-byte-aligned data (`TensorCoding`).
    func encode(into w: inout ByteWriter, alignment: Int) {
        switch self {
        case .tensors(let tensors):
            w.int(tensors.count)
            for tensor in tensors { TensorCoding.encode(tensor, into: &w, alignment: alignment) }
        case .stored(let bytes, let records):
            w.int(records.count)
            for record in records { TensorCoding.encode(record, from: bytes, into: &w, alignment: alignment) }
        }
    }

    /// Reads the params' headers, checking each against its param's (fixed) type.
    static func decode(_ r: inout ByteReader, graph: Graph, alignment: Int) throws(ArtifactError) -> StoredWeights {
        let count = try r.int("param count", in: graph.params.count...graph.params.count)
        var records: [StoredTensor] = []
        for index in 0..<count {
            let record = try TensorCoding.decodeStored(&r, alignment: alignment)
            let type = graph.type(of: graph.params[index].value)
            guard let shape = type.fixedShape, shape == record.shape, record.dtype == type.dtype else {
                throw r.fail("corrupt weights: param \(index) is \(record.dtype)\(record.shape), its type \(type)")
            }
            records.append(record)
        }
        return .stored(r.bytes, records)
    }

    /// The params as an executor holds them: a copy of the tensors, or the loaded bytes in place.
    func constantMemory() -> ConstantMemory {
        switch self {
        case .tensors(let tensors):
            return ConstantMemory(copying: tensors)
        case .stored(let bytes, let records):
            let low = records.map(\.bytes.lowerBound).min() ?? 0, high = records.map(\.bytes.upperBound).max() ?? 0
            return ConstantMemory(bytes: (bytes.base + low)..<(bytes.base + high), addresses: records.map { bytes.base + $0.bytes.lowerBound },
                                  sizes: records.map(\.bytes.count), owner: bytes)
        }
    }
}

/// A tensor's dtype and shape and where its bytes lie in a buffer (checked: the byte count
/// matches, bools are 0 or 1).
struct StoredTensor: Sendable {
    var dtype: DType
    var shape: [Int]
    var bytes: Range<Int>

    func tensor(in buffer: AlignedBytes) -> Tensor { Tensor(copying: buffer.base + bytes.lowerBound, dtype: dtype, shape: shape) }
}

/// One packed form of weights, as `ConstantMemory` keys it, with its bytes.
struct StoredPacking: Sendable {
    enum Bytes: Sendable {
        case copy([UInt8])
        case stored(AlignedBytes, Range<Int>)
    }

    var key: ConstantMemory.PackedKey
    var bytes: Bytes

    /// An int count, then per packing: the sources (int count; per source param index and byte
    /// offset, ints), the layout (string), the byte count (int), padding to 64, the bytes.
    static func encode(_ packings: [StoredPacking], into w: inout ByteWriter, alignment: Int) {
        w.int(packings.count)
        for packing in packings {
            w.int(packing.key.sources.count)
            for source in packing.key.sources {
                w.int(source.param)
                w.int(source.offset)
            }
            w.string(packing.key.layout)
            switch packing.bytes {
            case .copy(let data):
                w.int(data.count)
                w.align(to: alignment)
                w.raw(data)
            case .stored(let buffer, let range):
                w.int(range.count)
                w.align(to: alignment)
                w.raw(buffer[range])
            }
        }
    }

    /// Reads the packings, checking each source against the params it names (a packing that no
    /// kernel asks for is harmless: kernels match layout and size exactly, else pack afresh).
    static func decode(_ r: inout ByteReader, weights: StoredWeights, alignment: Int) throws(ArtifactError) -> [StoredPacking] {
        guard case .stored(_, let records) = weights else { return [] }
        var packings: [StoredPacking] = []
        for _ in 0..<(try r.count("packings", bytesEach: 32)) {
            var sources: [ConstantMemory.ParamPosition] = []
            for _ in 0..<(try r.count("packing sources", bytesEach: 16)) {
                let param = try r.int("packing param", in: 0...max(records.count - 1, 0))
                guard param < records.count else { throw r.fail("corrupt packing: no params to pack") }
                let offset = try r.int("packing offset", in: 0...max(records[param].bytes.count - 1, 0))
                sources.append(ConstantMemory.ParamPosition(param: param, offset: offset))
            }
            let layout = try r.string("packing layout")
            let byteCount = try r.int("packing bytes", in: 0...max(r.remaining, 0))
            try r.align(to: alignment, "packing padding")
            let range = try r.raw(byteCount, "packing data")
            packings.append(StoredPacking(key: ConstantMemory.PackedKey(sources: sources, layout: layout), bytes: .stored(r.bytes, range)))
        }
        return packings
    }

    /// Hands these bytes to `constants`, so the kernel asking for this packing uses them as they are.
    func adopt(into constants: ConstantMemory) {
        switch bytes {
        case .copy(let data):
            let owner = AlignedBytes(copying: data)
            constants.adopt(key, pointer: owner.base, byteCount: data.count, owner: owner)
        case .stored(let buffer, let range):
            constants.adopt(key, pointer: buffer.base + range.lowerBound, byteCount: range.count, owner: buffer)
        }
    }
}
