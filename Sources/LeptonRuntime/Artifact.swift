import LeptonIR
import LeptonTensor

/// A compiled model as one self-contained file (`lepton compile`; format in spec/artifact.md):
/// the optimized graph, its params' values (64-byte aligned, little-endian), the memory plans
/// made for the compiled symbol sizes, and a few metadata strings. Loading decodes and checks
/// it — magic, byte order, version, size, checksum, then every record — and runs no passes.
///
/// Encoding is deterministic: the same graph, values and plans give the same bytes.
public struct Artifact: Sendable {
    /// The optimized graph; each param's initializer is `.tensor` of its value.
    public var graph: Graph
    /// The params' values, in `graph.params` order.
    public var parameters: [Tensor]
    /// Memory plans (one per symbol binding compiled for), made for `planThreads` threads.
    public var plans: [MemoryPlan]
    public var planThreads: Int
    /// Sorted key/value strings: the Lepton version, the source file, the optimization level.
    public var metadata: [String: String]

    public static let magic: [UInt8] = Array("LEPTONAR".utf8)
    public static let formatVersion: UInt32 = 1
    /// Written little-endian; read back as anything else, the file has the other byte order.
    static let byteOrderMark: UInt32 = 0x0102_0304
    static let headerBytes = 32
    static let sectionAlignment = 64

    enum Section: UInt32, CaseIterable {
        case metadata = 1, graph = 2, weights = 3, plans = 4
    }

    public init(graph: Graph, parameters: [Tensor], plans: [MemoryPlan], planThreads: Int, metadata: [String: String]) {
        self.graph = graph
        self.parameters = parameters
        self.plans = plans
        self.planThreads = planThreads
        self.metadata = metadata
    }

    /// The file's bytes: header, section table, then the sections, each 64-byte aligned.
    public func encoded() -> [UInt8] {
        var sections: [(Section, [UInt8])] = []
        var meta = ByteWriter()
        let entries = metadata.sorted { $0.key < $1.key }
        meta.int(entries.count)
        for (key, value) in entries {
            meta.string(key)
            meta.string(value)
        }
        sections.append((.metadata, meta.bytes))
        var graphBytes = ByteWriter()
        GraphCoding.encode(graph, into: &graphBytes)
        sections.append((.graph, graphBytes.bytes))
        sections.append((.weights, []))  // written in place below, so its tensors align in the file
        var planBytes = ByteWriter()
        planBytes.int(planThreads)
        planBytes.int(plans.count)
        for plan in plans { PlanCoding.encode(plan, into: &planBytes) }
        sections.append((.plans, planBytes.bytes))

        var w = ByteWriter()
        w.raw(Self.magic)
        w.u32(Self.byteOrderMark)
        w.u32(Self.formatVersion)
        let sizeAt = w.bytes.count
        w.u64(0)  // file size, patched below
        w.u32(0)  // checksum, patched below
        w.u32(UInt32(sections.count))
        let tableAt = w.bytes.count
        for _ in sections { w.raw([UInt8](repeating: 0, count: 24)) }
        for (index, (kind, body)) in sections.enumerated() {
            w.align(to: Self.sectionAlignment)
            let start = w.bytes.count
            if kind == .weights {
                w.int(parameters.count)
                for tensor in parameters { TensorCoding.encode(tensor, into: &w, alignment: Self.sectionAlignment) }
            } else {
                w.raw(body)
            }
            let entry = tableAt + 24 * index
            w.patch(UInt64(kind.rawValue), at: entry)
            w.patch(UInt64(start), at: entry + 8)
            w.patch(UInt64(w.bytes.count - start), at: entry + 16)
        }
        w.patch(UInt64(w.bytes.count), at: sizeAt)
        var bytes = w.bytes
        let checksum = CRC32.checksum(bytes[Self.headerBytes...])
        withUnsafeBytes(of: checksum.littleEndian) { for (i, byte) in $0.enumerated() { bytes[sizeAt + 8 + i] = byte } }
        return bytes
    }

    /// Decodes and checks `bytes` (the contents of `path`, which errors name).
    public init(decoding bytes: [UInt8], path: String) throws(ArtifactError) {
        var r = ByteReader(bytes, path: path)
        guard bytes.count >= Self.headerBytes, Array(bytes.prefix(8)) == Self.magic else {
            throw r.fail("not a Lepton artifact (no LEPTONAR header; compile one with lepton compile)")
        }
        _ = try r.raw(8, "magic")
        let mark = try r.u32("byte order mark")
        guard mark == Self.byteOrderMark else {
            throw r.fail(mark == Self.byteOrderMark.byteSwapped ? "artifact has the other byte order (big-endian); recompile it on this machine"
                : "corrupt header: byte order mark \(mark)")
        }
        let version = try r.u32("format version")
        guard version == Self.formatVersion else {
            throw r.fail("artifact format version \(version); this Lepton reads version \(Self.formatVersion): recompile the model")
        }
        let size = try r.u64("file size")
        guard size == UInt64(bytes.count) else {
            throw r.fail(size > UInt64(bytes.count) ? "truncated: the header says \(size) bytes, the file has \(bytes.count)"
                : "corrupt header: the header says \(size) bytes, the file has \(bytes.count)")
        }
        let checksum = try r.u32("checksum")
        guard checksum == CRC32.checksum(bytes[Self.headerBytes...]) else { throw r.fail("corrupt: checksum mismatch (the file was damaged)") }
        let sectionCount = try r.u32("section count")
        guard sectionCount == UInt32(Section.allCases.count) else { throw r.fail("corrupt header: \(sectionCount) sections") }
        var ranges: [Section: Range<Int>] = [:]
        for _ in 0..<sectionCount {
            let kind = try r.u64("section kind"), offset = try r.u64("section offset"), length = try r.u64("section size")
            guard let section = UInt32(exactly: kind).flatMap(Section.init(rawValue:)), ranges[section] == nil,
                  offset >= UInt64(Self.headerBytes), offset <= size, length <= size - offset else {
                throw r.fail("corrupt section table")
            }
            ranges[section] = Int(offset)..<Int(offset + length)
        }
        func reader(_ section: Section) -> ByteReader { ByteReader(bytes, path: path, range: ranges[section] ?? 0..<0) }

        var meta = reader(.metadata)
        metadata = [:]
        for _ in 0..<(try meta.count("metadata", bytesEach: 16)) { metadata[try meta.string("metadata key")] = try meta.string("metadata value") }

        var graphReader = reader(.graph)
        var graph = try GraphCoding.decode(&graphReader)
        var weights = reader(.weights)
        let count = try weights.int("param count", in: graph.params.count...graph.params.count)
        var parameters: [Tensor] = []
        for index in 0..<count {
            let tensor = try TensorCoding.decode(&weights, alignment: Self.sectionAlignment)
            guard let shape = graph.type(of: graph.params[index].value).fixedShape, shape == tensor.shape,
                  tensor.dtype == graph.type(of: graph.params[index].value).dtype else {
                throw weights.fail("corrupt weights: param \(index) is \(tensor.dtype)\(tensor.shape), its type \(graph.type(of: graph.params[index].value))")
            }
            graph.params[index].initializer = .tensor(tensor)
            parameters.append(tensor)
        }
        do throws(DiagnosticError) {
            try graph.verify()
        } catch {
            throw r.fail("corrupt graph: \(error.diagnostics.first?.message ?? "it does not verify")")
        }
        var planReader = reader(.plans)
        planThreads = try planReader.int("plan threads", in: 1...4096)
        var plans: [MemoryPlan] = []
        for _ in 0..<(try planReader.count("plans", bytesEach: 48)) { plans.append(try PlanCoding.decode(&planReader, graph: graph)) }
        self.graph = graph
        self.parameters = parameters
        self.plans = plans
    }
}
