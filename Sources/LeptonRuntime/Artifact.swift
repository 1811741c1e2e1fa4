import LeptonIR
import LeptonTensor
import LeptonKernels

/// A compiled model as one self-contained file (`lepton compile`; format in spec/artifact.md):
/// the optimized graph, its params' values (64-byte aligned, little-endian), the packed forms
/// the kernels made of them, the memory plans made for the compiled symbol sizes, and a few
/// metadata strings. Loading checks it — magic, byte order, version, size, checksum, then
/// every record — and runs no passes. The params' bytes are not decoded into tensors: an
/// executor over a loaded artifact runs its weights where they were read, and adopts the
/// stored packings instead of packing again (`Executor(artifact:threads:)`).
///
/// Encoding is deterministic: the same graph, values, packings and plans give the same bytes.
public struct Artifact: Sendable {
    /// The optimized graph with each param's initializer `.tensor` of its value (decoded from
    /// the stored bytes on each access: keep the result).
    public var graph: Graph {
        var graph = structure
        for (index, tensor) in parameters.enumerated() { graph.params[index].initializer = .tensor(tensor) }
        return graph
    }
    /// The params' values, in `graph.params` order (decoded from the stored bytes on each access).
    public var parameters: [Tensor] { weights.tensors }
    /// Memory plans (one per symbol binding compiled for), made for `planThreads` threads.
    public var plans: [MemoryPlan]
    public var planThreads: Int
    /// Sorted key/value strings: the Lepton version, the source file, the optimization level.
    public var metadata: [String: String]
    /// How many packed forms of weights the artifact carries.
    public var packedWeightCount: Int { packings.count }
    /// The graph without param values (their initializers are placeholders): what runs.
    let structure: Graph
    let weights: StoredWeights
    /// Packed forms of the weights, as the kernels that ran the plans made them.
    let packings: [StoredPacking]

    public static let magic: [UInt8] = Array("LEPTONAR".utf8)
    public static let formatVersion: UInt32 = 2
    /// Written little-endian; read back as anything else, the file has the other byte order.
    static let byteOrderMark: UInt32 = 0x0102_0304
    static let headerBytes = 32
    /// Where the checksum sits in the header.
    static let checksumOffset = 24
    static let sectionAlignment = 64

    enum Section: UInt32, CaseIterable {
        case metadata = 1, graph = 2, weights = 3, plans = 4, packed = 5
    }

    /// An artifact of `graph` (its params' initializers are ignored: `parameters` are the values)
    /// and the packings `executor` made while preparing `plans`.
    public init(graph: Graph, parameters: [Tensor], plans: [MemoryPlan], executor: Executor, metadata: [String: String]) {
        self.structure = graph
        self.weights = .tensors(parameters)
        self.plans = plans
        self.planThreads = executor.planThreads
        self.metadata = metadata
        packings = executor.constants.packedForms.map { StoredPacking(key: $0.key, bytes: .copy(Array($0.bytes))) }
    }

    /// The file's bytes: header, section table, then the sections, each 64-byte aligned.
    public func encoded() -> [UInt8] {
        var meta = ByteWriter()
        let entries = metadata.sorted { $0.key < $1.key }
        meta.int(entries.count)
        for (key, value) in entries {
            meta.string(key)
            meta.string(value)
        }
        var graphBytes = ByteWriter()
        GraphCoding.encode(structure, into: &graphBytes)
        var planBytes = ByteWriter()
        planBytes.int(planThreads)
        planBytes.int(plans.count)
        for plan in plans { PlanCoding.encode(plan, into: &planBytes) }
        // The weights and packings are written in place (not copied from a buffer of their
        // own), so that their data lands 64-byte aligned in the file.
        let sections: [(Section, (inout ByteWriter) -> Void)] = [
            (.metadata, { $0.raw(meta.bytes) }),
            (.graph, { $0.raw(graphBytes.bytes) }),
            (.weights, { weights.encode(into: &$0, alignment: Self.sectionAlignment) }),
            (.plans, { $0.raw(planBytes.bytes) }),
            (.packed, { StoredPacking.encode(packings, into: &$0, alignment: Self.sectionAlignment) }),
        ]

        var w = ByteWriter()
        w.raw(Self.magic)
        w.u32(Self.byteOrderMark)
        w.u32(Self.formatVersion)
        let sizeAt = w.bytes.count
        w.u64(0)  // file size, patched below
        w.u64(0)  // checksum, patched below
        w.u32(UInt32(sections.count))
        w.u32(0)  // reserved
        let tableAt = w.bytes.count
        for _ in sections { w.raw([UInt8](repeating: 0, count: 24)) }
        for (index, (kind, write)) in sections.enumerated() {
            w.align(to: Self.sectionAlignment)
            let start = w.bytes.count
            write(&w)
            let entry = tableAt + 24 * index
            w.patch(UInt64(kind.rawValue), at: entry)
            w.patch(UInt64(start), at: entry + 8)
            w.patch(UInt64(w.bytes.count - start), at: entry + 16)
        }
        w.patch(UInt64(w.bytes.count), at: sizeAt)
        w.patch(XXHash64.hash(w.bytes[Self.headerBytes...]), at: Self.checksumOffset)
        return w.bytes
    }

    /// Decodes and checks `bytes` (for files, `Artifact.load` reads straight into aligned memory).
    public init(decoding bytes: [UInt8], path: String) throws(ArtifactError) {
        try self.init(decoding: AlignedBytes(copying: bytes), path: path)
    }

    /// Decodes and checks `bytes` (the contents of `path`, which errors name). The params'
    /// values stay in `bytes`, which the artifact keeps.
    public init(decoding bytes: AlignedBytes, path: String) throws(ArtifactError) {
        var r = ByteReader(bytes, path: path)
        guard bytes.count >= Self.headerBytes, Array(bytes[0..<8]) == Self.magic else {
            throw r.fail("not a Lepton artifact (no LEPTONAR header; compile one with lepton compile)")
        }
        _ = try r.raw(8, "magic")
        let mark = try r.u32("byte order mark")
        guard mark == Self.byteOrderMark else {
            throw r.fail(mark == Self.byteOrderMark.byteSwapped ? "artifact has the other byte order (big-endian); recompile it on this machine"
                : "corrupt header: byte order mark \(mark)")
        }
        #if _endian(big)
        throw r.fail("artifacts run only on little-endian machines (their weights are used as stored)")
        #endif
        let version = try r.u32("format version")
        guard version == Self.formatVersion else {
            throw r.fail("artifact format version \(version); this Lepton reads version \(Self.formatVersion): recompile the model")
        }
        let size = try r.u64("file size")
        guard size == UInt64(bytes.count) else {
            throw r.fail(size > UInt64(bytes.count) ? "truncated: the header says \(size) bytes, the file has \(bytes.count)"
                : "corrupt header: the header says \(size) bytes, the file has \(bytes.count)")
        }
        let checksum = try r.u64("checksum")
        guard checksum == XXHash64.hash(bytes[Self.headerBytes..<bytes.count]) else {
            throw r.fail("corrupt: checksum mismatch (the file was damaged)")
        }
        let sectionCount = try r.u32("section count")
        guard sectionCount == UInt32(Section.allCases.count), try r.u32("reserved") == 0 else {
            throw r.fail("corrupt header: \(sectionCount) sections")
        }
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
        let graph = try GraphCoding.decode(&graphReader)
        do throws(DiagnosticError) {
            try graph.verify()
        } catch {
            throw r.fail("corrupt graph: \(error.diagnostics.first?.message ?? "it does not verify")")
        }
        var weightsReader = reader(.weights)
        weights = try StoredWeights.decode(&weightsReader, graph: graph, alignment: Self.sectionAlignment)
        var planReader = reader(.plans)
        planThreads = try planReader.int("plan threads", in: 1...4096)
        var plans: [MemoryPlan] = []
        for _ in 0..<(try planReader.count("plans", bytesEach: 48)) { plans.append(try PlanCoding.decode(&planReader, graph: graph)) }
        var packedReader = reader(.packed)
        packings = try StoredPacking.decode(&packedReader, weights: weights, alignment: Self.sectionAlignment)
        structure = graph
        self.plans = plans
    }
}

extension Executor {
    /// An executor over a loaded artifact: its params run from the artifact's bytes (no copy),
    /// its stored packings are adopted (no kernel packs them again) and its plans are used as
    /// they are when they were made for this thread count.
    public convenience init(artifact: Artifact, threads: Int) throws(DiagnosticError) {
        let constants = artifact.weights.constantMemory()
        for packing in artifact.packings { packing.adopt(into: constants) }
        self.init(graph: artifact.structure, constants: constants, parallelism: Parallelism(threads: threads))
        for plan in usablePlans(of: artifact) { try adopt(plan) }
    }

    /// The artifact's plans if they were made for this executor's thread count, else none.
    public func usablePlans(of artifact: Artifact) -> [MemoryPlan] {
        planThreads == artifact.planThreads ? artifact.plans : []
    }
}
