import Foundation
import Testing
@testable import LeptonFrontend
@testable import LeptonReference
@testable import LeptonRuntime
import LeptonPasses

/// Every example model in graphs/ (the whole-model golden inputs), run by the Executor and the
/// reference Interpreter: the same outputs to rtol 1e-4, and a second run gives them again
/// without a new plan.
@Suite struct ExecutorModelTests {
    static let models: [(fixture: String, file: String, graph: String?)] = [
        ("mlp", "mlp.graph", nil), ("lenet", "lenet.graph", nil), ("resblock", "resblock.graph", nil),
        ("lstm", "lstm.graph", nil), ("transformer", "transformer.graph", nil), ("textclf", "textclf.graph", nil),
        ("cifar_cnn", "cifar_cnn.graph", nil), ("face_cnn", "face_cnn.graph", nil),
        ("mobilenet_v2_blocks", "mobilenet_v2.graph", "mobilenet_v2_blocks"),
    ]

    @Test(arguments: models.indices)
    func exampleGraphMatchesReference(_ index: Int) throws {
        let model = Self.models[index]
        let (graph, module) = try exampleGraph(model.file, named: model.graph)
        let params = try materializeParameters(of: graph, baseDirectory: module.baseDirectory)
        let inputs = try goldenInputs(of: graph, fixture: model.fixture)
        let clock = ContinuousClock()
        let start = clock.now
        let executor = try Executor(graph: graph, parameters: params)
        _ = try executor.run(inputs)
        let first = clock.now
        _ = try executor.run(inputs)
        let second = clock.now
        _ = try Interpreter(graph: graph, parameters: params).run(inputs)
        print("executor \(model.fixture): first \(first - start), steady \(second - first), reference \(clock.now - second)")
        try expectExecutorMatchesReference(graph, parameters: params, inputs, executor: executor)
        try expectExecutorMatchesReference(graph, parameters: params, inputs, executor: executor)
        #expect(executor.statistics.runs == 4)
        #expect(executor.statistics.plansBuilt == 1)
        #expect(executor.statistics.arenaGrowths == 1)
        #expect(executor.statistics.fallbackNodes == 0, "fallback ops: \(executor.fallbackOps)")
    }

    /// The -O2 graph (folded, fused, planned) run by the Executor against the unoptimized
    /// graph run by the reference interpreter.
    @Test(arguments: models.indices)
    func optimizedExampleGraphMatchesReference(_ index: Int) throws {
        let model = Self.models[index]
        let (graph, module) = try exampleGraph(model.file, named: model.graph)
        let optimized = try optimizedAtO2(graph, baseDirectory: module.baseDirectory, verifyEach: true)
        let inputs = try goldenInputs(of: graph, fixture: model.fixture)
        let expected = try Interpreter(graph: graph, parameters: materializeParameters(of: graph, baseDirectory: module.baseDirectory)).run(inputs)
        let executor = try Executor(graph: optimized, parameters: materializeParameters(of: optimized, baseDirectory: module.baseDirectory))
        let actual = try executor.run(inputs)
        try #require(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            let scale = e.doubles.filter(\.isFinite).map(Swift.abs).max() ?? 0
            if let problem = mismatch(a, e, rtol: 1e-4, atol: 1e-5 * scale) { Issue.record("\(model.fixture) at -O2: \(problem)") }
        }
        let fused = optimized.nodes.filter { $0.op == .fused }.count
        print("executor -O2 \(model.fixture): \(graph.nodes.count) -> \(optimized.nodes.count) nodes, \(fused) fused, fallback \(executor.fallbackOps)")
        #expect(executor.statistics.fallbackNodes == 0, "fallback ops: \(executor.fallbackOps)")
    }
}
