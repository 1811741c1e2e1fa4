import Foundation
import Testing
import Lepton

/// The library as an app uses it: one compiled model shared by many threads, async calls, and
/// the short embedding the README shows.
@Suite struct LibraryTests {
    static func compiled(_ name: String, threads: Int = 2) throws -> (CompiledGraph, Graph) {
        let model = try Model.load(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("graphs/" + name).path)
        let compiled = try model.compile(threads: threads)
        return (compiled, compiled.graph)
    }

    @Test(arguments: ["mlp.graph", "lstm.graph", "transformer.graph"])
    func concurrentRunsEqualSerialRuns(_ name: String) throws {
        let (model, graph) = try Self.compiled(name)
        let sizes = Dictionary(uniqueKeysWithValues: graph.inputSymbols.map { ($0, 1 + $0.count % 2) })
        let feeds = (0..<6).map { randomInputs(graph, bindings: sizes, seed: UInt64($0)) }
        let serial = try feeds.map { try model.run($0).map(\.tensor) }
        let results = Results(count: feeds.count * 3)
        DispatchQueue.concurrentPerform(iterations: feeds.count * 3) { call in
            let outputs = Result { () throws -> [Tensor] in
                let named: [(name: String, tensor: Tensor)] = try model.run(feeds[call % feeds.count])
                return named.map(\.tensor)
            }
            results.set(call, outputs)
        }
        for call in 0..<(feeds.count * 3) {
            #expect(try results.get(call)?.get() == serial[call % feeds.count], "\(name): call \(call) differs from the serial run")
        }
    }

    @Test func asyncRunMatchesTheSyncOne() async throws {
        let (model, graph) = try Self.compiled("mlp.graph")
        let inputs = randomInputs(graph, bindings: ["N": 3])
        let sync = try Self.runSynchronously(model, inputs)
        async let a = model.run(inputs)
        async let b = model.run(inputs)
        let (x, y) = try await (a, b)
        #expect(x.map(\.tensor) == sync && y.map(\.tensor) == sync)
        #expect(model.inputNames == ["x"] && model.outputNames == ["probs"])
        #expect(model.inputTypes.first?.description == "f32[N, 784]")
    }

    /// The blocking `run` (inside async code the async overload is the one picked).
    static func runSynchronously(_ model: CompiledGraph, _ inputs: [String: Tensor]) throws -> [Tensor] {
        try model.run(inputs).map(\.tensor)
    }

    /// Caller memory in, caller memory out: the same bits as the tensor path, from a loaded
    /// artifact; buffers of the wrong size are errors, not overruns.
    @Test func borrowedBuffersRunLikeTensors() throws {
        let model = try Model.load(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("graphs/mlp.graph").path)
        let compiled = try CompiledGraph(artifact: Artifact(decoding: model.artifact(bindings: [["N": 2]]).encoded(), path: "mlp.lepton"))
        let inputs = randomInputs(compiled.graph, bindings: ["N": 2])
        let expected = try model.compile().run(inputs)[0].tensor
        let x = try #require(inputs["x"]?.scalars(as: Float.self))
        var probs = [Float](repeating: .nan, count: 20)
        for _ in 0..<2 {
            let shapes = try x.withUnsafeBufferPointer { x in
                try probs.withUnsafeMutableBytes { y in
                    try compiled.run(borrowing: [TensorBuffer(x, shape: [2, 784])], into: [y])
                }
            }
            #expect(shapes == [[2, 10]])
            #expect(Tensor(shape: [2, 10], scalars: probs) == expected)
        }
        func failure(_ shape: [Int], count: Int, outputBytes: Int) -> String {
            let scalars = [Float](repeating: 0, count: count)
            var out = [UInt8](repeating: 0, count: outputBytes)
            do {
                try scalars.withUnsafeBufferPointer { x in
                    try out.withUnsafeMutableBytes { y in _ = try compiled.run(borrowing: [TensorBuffer(x, shape: shape)], into: [y]) }
                }
                return ""
            } catch {
                return String(describing: error)
            }
        }
        #expect(failure([2, 784], count: 784, outputBytes: 80).contains("input 'x' of shape [2, 784] needs 6272 bytes, its buffer has 3136"))
        #expect(failure([2, 784], count: 1568, outputBytes: 79).contains("output 'probs' (f32[2, 10]) needs 80 bytes, its buffer has 79"))
        #expect(failure([2, 783], count: 1566, outputBytes: 80).contains("dimension 1 should be 784"))
    }

    /// The README's embedding, verbatim in spirit: load, inspect, run, reuse.
    @Test func twentyLineEmbedding() throws {
        let path = TestPaths.repositoryRoot.appendingPathComponent("graphs/mlp.graph").path
        let model = try Model.load(contentsOf: path).compile()          // or CompiledGraph(artifact: .load(contentsOf: "mlp.lepton"))
        print("inputs:", zip(model.inputNames, model.inputTypes).map { "\($0): \($1)" })
        let pixels = [Float](repeating: 0.5, count: 784)                // an app's own buffer, moved in without a copy
        let x = Tensor(shape: [1, 784], scalars: pixels)
        var outputs: [Tensor] = []
        for _ in 0..<3 { try model.run([x], into: &outputs) }          // same arena every call, no allocation once warm
        let probs = try #require(outputs[0].scalars(as: Float.self))
        let best = probs.indices.max { probs[$0] < probs[$1] } ?? 0
        print("class", best, "p =", probs[best])
        #expect(abs(probs.reduce(0, +) - 1) < 1e-5)
    }
}

/// Results written by concurrent calls, each slot by one call.
private final class Results: @unchecked Sendable {
    private var slots: [Result<[Tensor], any Error>?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: Result<[Tensor], any Error>) { lock.withLock { slots[index] = value } }
    func get(_ index: Int) -> Result<[Tensor], any Error>? { lock.withLock { slots[index] } }
}
