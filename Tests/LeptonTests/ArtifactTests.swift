import Foundation
import Testing
@testable import LeptonRuntime
import Lepton

/// Compiled artifacts: compile → encode → decode → run equals running from source bit for bit,
/// the bytes are deterministic, and damaged files (truncated, bit flips, even with a checksum
/// that matches the damage) are refused with an error — never a crash or a hang.
@Suite struct ArtifactTests {
    static let models = ["mlp.graph", "lenet.graph", "resblock.graph", "lstm.graph", "transformer.graph", "textclf.graph"]

    static func model(_ name: String) throws -> Model {
        try Model.load(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("graphs/" + name).path)
    }

    @Test(arguments: models)
    func loadedArtifactRunsLikeTheSource(_ name: String) throws {
        let model = try Self.model(name)
        let graph = try model.graph(named: nil)
        let sizes = Dictionary(uniqueKeysWithValues: graph.inputSymbols.map { ($0, 2) })
        let inputs = randomInputs(graph, bindings: sizes)
        let artifact = try model.artifact(bindings: [sizes], threads: 2)
        let bytes = artifact.encoded()
        let decoded = try Artifact(decoding: bytes, path: "m.lepton")
        #expect(decoded.plans.count == 1)
        let fromArtifact = try CompiledGraph(artifact: decoded, threads: 2)
        let fromSource = try model.compile(threads: 2)
        let a = try fromArtifact.run(inputs), b = try fromSource.run(inputs)
        #expect(a.map(\.name) == b.map(\.name))
        #expect(a.map(\.tensor) == b.map(\.tensor), "\(name): artifact and source differ")
        #expect(fromArtifact.statistics.plansBuilt == 0, "the stored plan is used, not made again")
        #expect(fromSource.statistics.plansBuilt == 1)
        #expect(fromArtifact.statistics.weightsPacked == 0, "the stored packings are used, not packed again")
        #expect(fromSource.statistics.weightsPacked == artifact.packings.count)
        // Same compile twice: identical bytes; a loaded artifact encodes to the bytes it came from.
        #expect(try model.artifact(bindings: [sizes], threads: 2).encoded() == bytes)
        #expect(decoded.encoded() == bytes)
        #expect(decoded.parameters == artifact.parameters)
        #expect(decoded.graph == artifact.graph)
    }

    /// The transformer's weights are packed when planned for 128-row products; an artifact
    /// carries those packings, and a loaded model at another thread count (its plan not
    /// adopted, so planned afresh) still finds them.
    @Test func storedPackingsServeEveryThreadCount() throws {
        let model = try Self.model("transformer.graph")
        let artifact = try model.artifact(bindings: [["B": 1]], threads: 2)
        #expect(artifact.packings.count >= 6, "q, k, v, o, ffn in and out")
        let decoded = try Artifact(decoding: artifact.encoded(), path: "t.lepton")
        let inputs = randomInputs(try model.graph(named: nil), bindings: ["B": 1])
        let reference = try model.compile(threads: 1).run(inputs)
        for threads in [1, 2] {
            let compiled = try CompiledGraph(artifact: decoded, threads: threads)
            #expect(try compiled.run(inputs).map(\.tensor) == reference.map(\.tensor))
            #expect(compiled.statistics.weightsPacked == 0)
        }
    }

    @Test func truncationsAndBitFlipsAreRefused() throws {
        let bytes = try Self.model("lenet.graph").artifact(bindings: [["N": 1]], threads: 1).encoded()
        for length in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: ArtifactError.self) { try Artifact(decoding: Array(bytes.prefix(length)), path: "t.lepton") }
        }
        var random = SplitMix64(seed: 11)
        for _ in 0..<200 {
            var damaged = bytes
            let index = Int(random.next() % UInt64(bytes.count))
            damaged[index] ^= UInt8(1 << (random.next() % 8))
            #expect(throws: ArtifactError.self) { try Artifact(decoding: damaged, path: "t.lepton") }
        }
    }

    /// Damage that keeps the checksum valid reaches the record decoders: every outcome must be
    /// an error or a graph that verifies, and nothing may crash.
    @Test func damagePastTheChecksumNeverCrashes() throws {
        // A small model, so that damage lands in the graph and plan records, not only in weights.
        let small = try Model.load(contentsOf: TestPaths.fixtures("cli").appendingPathComponent("classifier.graph").path)
        let bytes = try small.artifact(bindings: [["N": 3]], threads: 2).encoded()
        var random = SplitMix64(seed: 5)
        var refused = 0
        for _ in 0..<1000 {
            var damaged = bytes
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let index = Artifact.headerBytes + Int(random.next() % UInt64(bytes.count - Artifact.headerBytes))
                damaged[index] = UInt8(truncatingIfNeeded: random.next())
            }
            let checksum = XXHash64.hash(damaged[Artifact.headerBytes...])
            withUnsafeBytes(of: checksum.littleEndian) { for (i, byte) in $0.enumerated() { damaged[Artifact.checksumOffset + i] = byte } }
            do {
                // What decodes must also run safely (the plan was validated against the graph).
                let artifact = try Artifact(decoding: damaged, path: "d.lepton")
                let compiled = try CompiledGraph(artifact: artifact, threads: 2)
                _ = try? compiled.run(randomInputs(artifact.graph, bindings: ["N": 3]))
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0)
    }

    /// Damage to the packed-weights records (checksum fixed up): refused, or ignored by the
    /// kernels (a layout or size that no longer matches is packed afresh) — never a crash.
    @Test func damagedPackingsNeverCrash() throws {
        let model = try Self.model("mlp.graph")
        let bytes = try model.artifact(bindings: [["N": 16]], threads: 1).encoded()
        let decoded = try Artifact(decoding: bytes, path: "p.lepton")
        #expect(decoded.packedWeightCount > 0)
        // The section table's fifth entry is the packed section: kind, offset, size (u64 each).
        let entry = 40 + 24 * 4
        func u64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        #expect(u64(entry) == 5)
        let start = u64(entry + 8)
        let inputs = randomInputs(decoded.graph, bindings: ["N": 16])
        var random = SplitMix64(seed: 9)
        for _ in 0..<300 {
            var damaged = bytes
            let index = start + Int(random.next() % 160)
            damaged[index] = UInt8(truncatingIfNeeded: random.next())
            let checksum = XXHash64.hash(damaged[Artifact.headerBytes...])
            withUnsafeBytes(of: checksum.littleEndian) { for (i, byte) in $0.enumerated() { damaged[Artifact.checksumOffset + i] = byte } }
            if let artifact = try? Artifact(decoding: damaged, path: "d.lepton") {
                _ = try? CompiledGraph(artifact: artifact, threads: 1).run(inputs)
            }
        }
    }

    /// A file on disk: mapped, checked, run; what is not a regular file is refused by name.
    @Test func loadsFromDiskAndRefusesNonFiles() throws {
        let model = try Self.model("mlp.graph")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("artifact-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("mlp.lepton").path
        let artifact = try model.artifact(bindings: [["N": 4]], threads: 2)
        try artifact.write(to: path)
        let loaded = try Artifact.load(contentsOf: path)
        #expect(loaded.encoded() == artifact.encoded())
        let inputs = randomInputs(loaded.graph, bindings: ["N": 4])
        #expect(try CompiledGraph(artifact: loaded, threads: 2).run(inputs).map(\.tensor) == model.compile(threads: 2).run(inputs).map(\.tensor))
        func message(_ path: String) -> String {
            do { _ = try Artifact.load(contentsOf: path); return "" } catch { return error.description }
        }
        #expect(FileManager.default.createFile(atPath: directory.appendingPathComponent("empty.lepton").path, contents: Data()))
        #expect(message(directory.appendingPathComponent("empty.lepton").path).contains("error: not a Lepton artifact (no LEPTONAR header"))
        #expect(message(directory.path).hasSuffix("error: is a directory"))
        #expect(message("/dev/zero").hasSuffix("error: not a regular file"))
        #expect(message(directory.appendingPathComponent("none.lepton").path).hasSuffix("error: no such file"))
    }

    @Test func headerErrorsSayWhatIsWrong() throws {
        var bytes = try Self.model("mlp.graph").artifact(threads: 1).encoded()
        func message(_ b: [UInt8]) -> String {
            do { _ = try Artifact(decoding: b, path: "h.lepton"); return "" } catch { return error.description }
        }
        #expect(message(Array("graph g() -> () {}".utf8)).contains("not a Lepton artifact"))
        #expect(message(Array(bytes.prefix(100))).contains("truncated"))
        var swapped = bytes
        swapped.replaceSubrange(8..<12, with: [0x01, 0x02, 0x03, 0x04])  // the mark as a big-endian file writes it
        #expect(message(swapped).contains("other byte order"))
        bytes[12] = 9
        #expect(message(bytes).contains("format version 9"))
    }
}
