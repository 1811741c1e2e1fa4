import Foundation
import Testing
import LeptonFrontend
import LeptonIR
import LeptonPasses
import LeptonReference
import LeptonTensor

/// Differential tests: random graphs and the example graphs run unoptimized on the reference
/// interpreter (the oracle) and after the -O2 pipeline; outputs must agree to rtol 1e-4.
@Suite struct DifferentialTests {
    /// Every generated graph parses, verifies and runs on the oracle: a graph that does not is
    /// a generator (or frontend) bug, and would silently shrink the differential test.
    @Test func randomGraphsParseVerifyAndRun() {
        var failures: [String] = []
        for seed in Differential.seeds {
            let graph = RandomGraphGenerator.generate(seed: seed)
            Differential.write(graph)
            switch Differential.parse(graph.text, path: graph.fileName) {
            case .failure(let failure):
                failures.append("seed \(seed) does not parse:\n\(failure.message)\n\(graph.text)")
            case .success(let (parsed, base)):
                do {
                    try parsed.verify()
                    let outputs = try Differential.interpret(parsed, baseDirectory: base, inputs: graph.makeInputs())
                    if outputs.contains(where: { $0.dtype.isFloatingPoint && $0.doubles.contains { !$0.isFinite } }) {
                        failures.append("seed \(seed) has non-finite outputs (the generator should keep values tame)\n\(graph.text)")
                    }
                } catch {
                    failures.append("seed \(seed) fails at -O0: \(error)\n\(graph.text)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(Differential.seeds.count) graphs:\n\(failures.prefix(3).joined(separator: "\n\n"))")
    }

    /// -O0 and -O2 agree on every random graph, and the pipeline is not idle: each pass
    /// changes at least a few of them (else the comparison would prove nothing about it).
    @Test func randomGraphsAgreeAfterOptimization() {
        let clock = ContinuousClock()
        let start = clock.now
        var coverage: [String: Int] = [:]
        var failures: [(seed: UInt64, size: Int, report: String)] = []
        for seed in Differential.seeds {
            let graph = RandomGraphGenerator.generate(seed: seed)
            guard case .success(let (parsed, base)) = Differential.parse(graph.text, path: graph.fileName) else {
                continue  // reported by randomGraphsParseVerifyAndRun
            }
            let outcome = DifferentialCase(name: graph.fileName, graph: parsed, baseDirectory: base, inputs: graph.makeInputs()).run()
            for pass in outcome.changed { coverage[pass, default: 0] += 1 }
            guard let failure = outcome.failure else { continue }
            Differential.write(graph, extra: ["failure.txt": failure])
            failures.append((seed, parsed.nodes.count, "\(Differential.reproduction(graph))\n\(failure)\n\(graph.text)"))
        }
        // The smallest failing graphs first: the easiest to debug.
        for failure in failures.sorted(by: { $0.size < $1.size }).prefix(4) {
            Issue.record("random graph, seed \(failure.seed) (\(failure.size) nodes): \(failure.report)")
        }
        #expect(failures.isEmpty, "\(failures.count) of \(Differential.seeds.count) random graphs disagree at -O2; seeds \(failures.map(\.seed))")
        let summary = coverage.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("differential: \(Differential.seeds.count) random graphs in \(clock.now - start); graphs each pass changed: \(summary)")
        for pass in Set(DifferentialCase.pipeline.map(\.name)).subtracting(DifferentialCase.idlePasses) {
            #expect(coverage[pass, default: 0] >= 3, "pass '\(pass)' changed only \(coverage[pass, default: 0]) of \(Differential.seeds.count) random graphs")
        }
    }

    /// The generator is deterministic per seed and different across seeds.
    @Test func randomGraphsAreSeeded() {
        #expect(RandomGraphGenerator.generate(seed: 7).text == RandomGraphGenerator.generate(seed: 7).text)
        #expect(RandomGraphGenerator.generate(seed: 7).text != RandomGraphGenerator.generate(seed: 8).text)
    }
}

/// One entry graph (or other non-template graph) of a file in graphs/, for the differential test.
struct ExampleGraphCase: Sendable, CustomTestStringConvertible {
    var file: String
    var graph: String
    var testDescription: String { "\(file):\(graph)" }

    /// Full-size image models: 2-7 s each in a debug build (two reference runs of ~2 s convs
    /// at 224x224 or 64 channels at 56x56). They run by default (every example graph is
    /// checked); `LEPTON_SKIP_LARGE_EXAMPLES=1` skips them for quick local runs, as their
    /// structure is covered by the small ones:
    /// mobilenet_v2_blocks instantiates every MobileNetV2 template, cifar_cnn is face_cnn's
    /// shape, and the random graphs hold conv-batch_norm-relu residual blocks like resblock.
    static let large: Set<String> = ["face_cnn.graph:face_cnn", "mobilenet_v2.graph:mobilenet_v2", "resblock.graph:resblock"]

    static var small: [ExampleGraphCase] { all.filter { !large.contains($0.testDescription) } }
    static var big: [ExampleGraphCase] { all.filter { large.contains($0.testDescription) } }
    static let runLarge = ProcessInfo.processInfo.environment["LEPTON_SKIP_LARGE_EXAMPLES"] != "1"

    /// Every graph of every example file (templates exist only inlined, so are not listed).
    static let all: [ExampleGraphCase] = {
        let directory = TestPaths.repositoryRoot.appendingPathComponent("graphs")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".graph") }.sorted().flatMap { file -> [ExampleGraphCase] in
            let path = directory.appendingPathComponent(file).path
            guard let module = try? Frontend.parse(contentsOf: path) else { return [ExampleGraphCase(file: file, graph: "?")] }
            return module.graphs.map { ExampleGraphCase(file: file, graph: $0.name) }
        }
    }()

    /// Seeded inputs with every symbol bound to 1: floats in [-1, 1), ints in [0, 10).
    func inputs(for graph: Graph) -> [String: Tensor] {
        var rng = SplitMix64(seed: fnv1a64(testDescription))
        var result: [String: Tensor] = [:]
        for id in graph.inputs {
            let type = graph.type(of: id)
            let shape = type.shape.map { $0.fixedValue ?? 1 }
            let count = shape.reduce(1, *)
            let draws = rng.uniform(count: count, low: -1, high: 1)
            result[graph.name(of: id)] = switch type.dtype {
            case .f32: Tensor(shape: shape, scalars: draws.map { Float($0) })
            case .f64: Tensor(shape: shape, scalars: draws)
            case .i32: Tensor(shape: shape, scalars: draws.map { Int32(($0 + 1) * 5) })
            case .i64: Tensor(shape: shape, scalars: draws.map { Int64(($0 + 1) * 5) })
            case .bool: Tensor(shape: shape, scalars: draws.map { $0 > 0 })
            }
        }
        return result
    }
}

@Test(arguments: ExampleGraphCase.small)
func exampleGraphAgreesAfterOptimization(_ example: ExampleGraphCase) throws {
    try checkExampleGraph(example)
}

@Test(.enabled(if: ExampleGraphCase.runLarge, "LEPTON_SKIP_LARGE_EXAMPLES=1 skips them"), arguments: ExampleGraphCase.big)
func largeExampleGraphAgreesAfterOptimization(_ example: ExampleGraphCase) throws {
    try checkExampleGraph(example)
}

@Test func everyExampleGraphIsInTheDifferentialTests() {
    #expect(ExampleGraphCase.all.count >= 10 && !ExampleGraphCase.all.contains { $0.graph == "?" })
    #expect(ExampleGraphCase.big.count == ExampleGraphCase.large.count, "a large example graph was renamed")
}

private func checkExampleGraph(_ example: ExampleGraphCase) throws {
    let clock = ContinuousClock()
    let start = clock.now
    let path = TestPaths.repositoryRoot.appendingPathComponent("graphs/\(example.file)").path
    let module = try Frontend.parse(contentsOf: path)
    let graph = try #require(module.graph(named: example.graph))
    let differential = DifferentialCase(name: example.testDescription, graph: graph, baseDirectory: module.baseDirectory,
                                        inputs: example.inputs(for: graph))
    let outcome = differential.run()
    #expect(outcome.failure == nil, "\(example.testDescription): \(outcome.failure ?? "")")
    print("differential \(example.testDescription): \(clock.now - start); passes that changed it: \(outcome.changed.sorted())")
}
