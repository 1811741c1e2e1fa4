import Foundation
import Testing
@testable import LeptonFrontend
@testable import LeptonReference
@testable import LeptonRuntime
import LeptonKernels
import LeptonPasses

/// The static scheduler: which stages it makes, that the memory plan is valid under them (and
/// invalid when made without them), and that running concurrent stages gives the results of
/// running one node at a time.
@Suite struct ScheduleTests {
    /// Fixtures/schedule/wide.graph at -O2 with its params: eight independent small branches.
    private func wide() throws -> (graph: Graph, parameters: [Tensor]) {
        let path = TestPaths.fixtures("schedule").appendingPathComponent("wide.graph").path
        let module = try Frontend.parse(source: String(contentsOfFile: path, encoding: .utf8), path: path)
        let graph = try #require(module.entry)
        let optimized = try optimizedAtO2(graph, baseDirectory: module.baseDirectory, verifyEach: true)
        return (optimized, try materializeParameters(of: optimized, baseDirectory: module.baseDirectory))
    }

    @Test func wideBranchesRunAsOneConcurrentStage() throws {
        let (graph, _) = try wide()
        let plan = try planMemory(graph, bindings: ["N": 8], threads: 2)
        #expect(MemoryTesting.complaint(plan) == nil)
        let concurrent = plan.stages.filter(\.isConcurrent)
        #expect(concurrent.count == 1, "\(plan.text)")
        #expect(concurrent.first?.lanes.count == 2)
        // Balanced: four of the eight branches per lane (one branch's last node fuses into the sum).
        #expect(concurrent.first?.lanes.map(\.count) == [8, 7], "\(plan.text)")
        #expect(plan.text.contains("stage") && plan.text.contains("0/1"), "\(plan.text)")
    }

    @Test func oneThreadMakesOneStagePerStepAsBefore() throws {
        let (graph, _) = try wide()
        let plan = try planMemory(graph, bindings: ["N": 8], threads: 1)
        #expect(!plan.isConcurrent)
        #expect(plan.stages.map(\.steps) == plan.order.indices.map { $0..<($0 + 1) })
        let byDefault = try planMemory(graph, bindings: ["N": 8])
        #expect(plan.order == byDefault.order && plan.buffers == byDefault.buffers && plan.text == byDefault.text)
        #expect(!plan.text.contains("stage"))
    }

    /// The same order and stages, but lifetimes and placement made as if the steps ran one at a
    /// time: concurrent steps then share bytes, which the validator must reject.
    @Test func planMadeWithoutTheStagesIsRejected() throws {
        let (graph, _) = try wide()
        let plan = try planMemory(graph, bindings: ["N": 8], threads: 2)
        let shapes = try ConcreteShapes.resolve(graph, bindings: ["N": 8])
        var serial = MemoryPlan.assemble(graph, order: plan.order, shapes: shapes, bindings: ["N": 8])
        #expect(MemoryTesting.complaint(serial) == nil, "valid when the steps run one at a time")
        serial.stages = plan.stages
        let problem = try #require(MemoryTesting.complaint(serial), "a plan ignoring the stages must be invalid")
        #expect(problem.contains("overlaps"), "\(problem)")
    }

    /// The example graphs at -O2, on two threads: every plan is valid under its stages.
    @Test(arguments: ExecutorThreadsTests.models.indices)
    func exampleGraphPlansAreValidUnderTheirStages(_ index: Int) throws {
        let model = ExecutorThreadsTests.models[index]
        let (graph, module) = try exampleGraph(model.file, named: model.graph)
        let optimized = try optimizedAtO2(graph, baseDirectory: module.baseDirectory, verifyEach: false)
        for threads in [2, 3] {
            let plan = try planMemory(optimized, bindings: model.bindings, threads: threads)
            #expect(MemoryTesting.complaint(plan) == nil, "\(model.file), \(threads) threads")
            #expect(plan.stages.allSatisfy { $0.lanes.count <= threads })
        }
    }

    /// Concurrent stages against one node at a time (every kernel with both threads): the
    /// same results, and bit-identical from run to run.
    @Test func concurrentStagesMatchOneNodeAtATime() throws {
        let (graph, parameters) = try wide()
        let inputs = randomInputs(graph, bindings: ["N": 8])
        try expectSameResults(graph, parameters: parameters, inputs, "wide")
    }

    @Test(arguments: ExecutorThreadsTests.models.indices)
    func exampleGraphsMatchOneNodeAtATime(_ index: Int) throws {
        let model = ExecutorThreadsTests.models[index]
        let (graph, module) = try exampleGraph(model.file, named: model.graph)
        let optimized = try optimizedAtO2(graph, baseDirectory: module.baseDirectory, verifyEach: false)
        let parameters = try materializeParameters(of: optimized, baseDirectory: module.baseDirectory)
        try expectSameResults(optimized, parameters: parameters, randomInputs(graph, bindings: model.bindings), model.file)
    }

    @Test func failingStepInALaneIsReportedAtItsNode() throws {
        // Four small branches (a concurrent stage on two threads), each gathering out of range.
        let source = """
        graph g(x: f32[64, 128], i: i64[3]) -> (a: f32[3, 128], b: f32[3, 128], c: f32[3, 128], d: f32[3, 128]) {
          a = gather(exp(x), i, axis: 0)
          b = gather(tanh(x), i, axis: 0)
          c = gather(sigmoid(x), i, axis: 0)
          d = gather(neg(x), i, axis: 0)
        }
        """
        let graph = try MemoryTesting.graph(source)
        let executor = try Executor(graph: graph, parameters: [], threads: 2)
        #expect(try executor.memoryPlan(for: [:]).isConcurrent)
        let x = Tensor(shape: [64, 128], scalars: [Float](repeating: 1, count: 64 * 128))
        #expect(try executor.run(["x": x, "i": Tensor(shape: [3], scalars: [Int64(0), 2, 1])]).count == 4)
        do {
            _ = try executor.run(["x": x, "i": Tensor(shape: [3], scalars: [Int64(0), 99, 1])])
            Issue.record("an index out of range must fail")
        } catch {
            // The lanes start with different branches; the first gather in plan order is reported.
            let plan = try executor.memoryPlan(for: [:])
            let first = try #require(plan.order.first { graph.nodes[$0].op == .gather })
            #expect(error.diagnostics.first?.location == graph.nodes[first].location, "\(error)")
        }
    }

    private func expectSameResults(_ graph: Graph, parameters: [Tensor], _ inputs: [String: Tensor], _ what: String,
                                   sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let policy = Parallelism(threads: 2)
        let staged = try Executor(graph: graph, parameters: parameters, parallelism: policy)
        let serial = try Executor(graph: graph, parameters: parameters, parallelism: policy, concurrentStages: false)
        let expected = try serial.run(inputs)
        let actual = try staged.run(inputs)
        #expect(try staged.run(inputs) == actual, "\(what): second run", sourceLocation: sourceLocation)
        for (a, e) in zip(actual, expected) {
            #expect(mismatch(a, e, rtol: 1e-5, atol: 0) == nil, "\(what): \(mismatch(a, e, rtol: 1e-5, atol: 0) ?? "")",
                    sourceLocation: sourceLocation)
        }
    }
}

/// The validator's concurrency rules, each broken once on a hand-staged plan.
@Suite struct StageValidatorTests {
    private let fork = """
    graph g(x: f32[4, 16]) -> (y: f32[4, 16], z: f32[4, 16]) {
      a = exp(x)
      y = neg(a)
      z = tanh(a)
    }
    """

    /// The serial plan of `fork` (a, y, z; z in place of a), restaged.
    private func restaged(_ stages: [MemoryPlan.Stage]) throws -> String? {
        var plan = try MemoryTesting.plan(fork)
        #expect(MemoryTesting.complaint(plan) == nil)
        #expect(plan.order == [0, 1, 2])
        plan.stages = stages
        return MemoryTesting.complaint(plan)
    }

    @Test func stagesMustCoverEveryStepInOrder() throws {
        #expect(try restaged([.init(steps: 0..<1), .init(steps: 1..<2)])?.contains("cover 2 of 3") == true)
        #expect(try restaged([.init(steps: 0..<1), .init(steps: 2..<3), .init(steps: 1..<2)])?.contains("non-empty run") == true)
        #expect(try restaged([.init(steps: 0..<3)]) == nil)
    }

    @Test func noStepReadsWhatAnotherLaneOfItsStageProduces() throws {
        let problem = try restaged([.init(lanes: [0..<1, 1..<3])])
        #expect(problem?.contains("produces concurrently") == true, "\(problem ?? "accepted")")
    }

    @Test func nothingRunsInPlaceOverBytesAnotherLaneReads() throws {
        let problem = try restaged([.init(steps: 0..<1), .init(lanes: [1..<2, 2..<3])])
        #expect(problem?.contains("another lane") == true, "\(problem ?? "accepted")")
    }
}
