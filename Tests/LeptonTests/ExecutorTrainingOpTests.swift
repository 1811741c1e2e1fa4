import Foundation
import Testing
@testable import LeptonFrontend
import LeptonPasses
@testable import LeptonReference
@testable import LeptonRuntime
import LeptonKernels

/// The training ops inside whole graphs: the Executor runs them on their own kernels, with
/// every other op around them, at -O0 and after the -O2 pipeline, against the reference
/// interpreter (ExecutorTrainingKernelTests covers each op's options).
@Suite struct ExecutorTrainingOpTests {
    /// Fixtures/roundtrip/training_ops.graph: every training op, symbolic N and V.
    private func fixture() throws -> Graph {
        let url = FrontendFixtures.directory("roundtrip").appendingPathComponent("training_ops.graph")
        return try parseGraph(FrontendFixtures.read(url))
    }

    @Test(arguments: [1, 2])
    func trainingOpsRunOnTheirKernels(threads: Int) throws {
        let graph = try fixture()
        let inputs = randomInputs(graph, bindings: ["N": 3, "V": 5])
        let executor = try Executor(graph: graph, parameters: [], threads: threads)
        try expectExecutorMatchesReference(graph, inputs, executor: executor)
        #expect(executor.fallbackOps.isEmpty, "\(executor.fallbackOps)")
    }

    @Test func optimizedTrainingGraphMatchesReference() throws {
        let graph = try fixture()
        let optimized = try optimizedAtO2(graph, baseDirectory: ".", verifyEach: true)
        let inputs = randomInputs(graph, bindings: ["N": 2, "V": 6], seed: 11)
        let expected = try Interpreter(graph: graph, parameters: []).run(inputs)
        let actual = try Executor(graph: optimized, parameters: []).run(inputs)
        try #require(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            if let problem = mismatch(a, e, rtol: 1e-4, atol: 1e-5) { Issue.record("training_ops at -O2: \(problem)") }
        }
    }

    static let steps: [(file: String, batch: Int, probabilities: Set<String>)] = [
        ("digits_cnn.graph", 4, []), ("digits_mlp.graph", 5, []), ("textclf.graph", 2, ["y"]),
    ]

    /// Whole training steps of the example models, -O2 on the executor against the step as
    /// differentiated on the reference, and bit-identical on 2 threads: conv weight and pooling
    /// gradients at digits_cnn's shapes, textclf's embedding gradient (scatter_add onto a zero
    /// table folded into a param), the losses' forward values.
    @Test(arguments: steps.indices)
    func exampleTrainingStepMatchesReference(_ index: Int) throws {
        let example = Self.steps[index]
        let step = try trainingStep(example.file, sizes: ["N": example.batch], probabilities: example.probabilities)
        let expected = try Interpreter(graph: step.gradient, parameters: step.gradientParameters).run(step.inputs)
        let serial = try Executor(graph: step.optimized, parameters: step.optimizedParameters, parallelism: .serial)
        let actual = try serial.run(step.inputs)
        #expect(serial.fallbackOps.isEmpty, "\(serial.fallbackOps)")
        try #require(actual.count == expected.count)
        for (k, (a, e)) in zip(actual, expected).enumerated() {
            let scale = e.doubles.filter(\.isFinite).map(Swift.abs).max() ?? 0
            if let problem = mismatch(a, e, rtol: 1e-4, atol: 1e-5 * scale) {
                Issue.record("\(example.file) output '\(step.optimized.name(of: step.optimized.outputs[k]))': \(problem)")
            }
        }
        let threaded = try Executor(graph: step.optimized, parameters: step.optimizedParameters, parallelism: Parallelism(threads: 2))
        #expect(try threaded.run(step.inputs) == actual, "\(example.file): 2 threads differ from one")
    }

    /// A bad label is reported when the graph runs, naming the label and the range.
    @Test func badLabelIsARunTimeError() throws {
        let graph = try parseGraph("""
            graph g(logits: f32[2, 3], labels: i64[2]) -> (loss: f32[], hot: f32[2, 3]) {
              loss = cross_entropy(logits, labels)
              hot = one_hot(labels, depth: 3)
            }
            """)
        let inputs = ["logits": Tensor(shape: [2, 3], scalars: [Float](repeating: 0, count: 6)),
                      "labels": Tensor(shape: [2], scalars: [Int64(1), 3])]
        let executor = try Executor(graph: graph, parameters: [])
        let interpreter = try Interpreter(graph: graph, parameters: [])
        for run in [executor.run, interpreter.run] as [([String: Tensor]) throws(DiagnosticError) -> [Tensor]] {
            do throws(DiagnosticError) {
                _ = try run(inputs)
                Issue.record("expected an error")
            } catch {
                #expect(error.diagnostics.map(\.message) == ["cross_entropy: label 3 is out of range [0, 3)"], "\(error)")
                #expect(error.diagnostics.first?.location.line == 2)
            }
        }
    }
}
