import Foundation
import Testing
@testable import LeptonFrontend
@testable import LeptonReference
@testable import LeptonRuntime
import LeptonKernels
import LeptonPasses

/// The steady-state path allocates nothing: `Executor.run(_:into:)`, called again with inputs
/// of the previous call's shapes and the previous call's outputs, makes no heap allocation at
/// all — counted allocation by allocation (`AllocationCounter`; the checked `run(_:)` must
/// count some, or the counter is broken), on one and two threads, for a chain, the
/// wide-branches fixture (concurrent stages) and example models: mlp, lenet, lstm, resblock
/// (shifted convs, whose scratch tile once came from a heap-backed temporary allocation), the
/// transformer and mobilenet_v2 (norms, softmax, batched matmuls, transposes and pooling,
/// which once split through `forEach`'s closure and allocated per fork-join), and training
/// steps (digits_cnn, textclf, every training op in the roundtrip fixture). Counted in a
/// child process (an exit test) started with glibc's debug malloc, where no other test
/// allocates meanwhile.
///
/// Still allocating per fork-join, so not here: kernels that split through `forEach`'s
/// closure form (f64/integer norms, pooling and reductions, the portable conv).
@Suite struct ZeroAllocationTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: AllocationCounter.preloadLibrary), "needs glibc's libc_malloc_debug"))
    func fastPathAllocatesNothingOnceWarm() async {
        // The child inherits the environment: glibc's debug malloc makes the hooks live there.
        setenv("LD_PRELOAD", AllocationCounter.preloadLibrary, 1)
        defer { unsetenv("LD_PRELOAD") }
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            AllocationCounter.installCheckingItCounts()
            var report = ""
            for (name, graph, parameters, named) in try zeroAllocationCases() {
                for threads in [1, 2] {
                    let executor = try Executor(graph: graph, parameters: parameters, threads: threads)
                    let inputs = graph.inputs.map { named[graph.name(of: $0)] ?? Tensor(scalar: Float(0)) }
                    var outputs: [Tensor] = []
                    // Warm: besides the plan, each thread's first use of pooled kernel state (a
                    // GEMM packing workspace per concurrent GEMM) allocates once.
                    for _ in 0..<20 { try executor.run(inputs, into: &outputs) }
                    AllocationCounter.start()
                    for _ in 0..<20 { try executor.run(inputs, into: &outputs) }
                    let fast = AllocationCounter.stop()
                    AllocationCounter.start()
                    _ = try executor.run(named)
                    let checked = AllocationCounter.stop()
                    let expected = try executor.run(named)
                    let verdict = fast == 0 && checked > 0 && outputs == expected ? "ok" : "FAILED"
                    report += "\(verdict): \(name), \(threads) threads: \(fast) allocations in 20 fast runs, \(checked) in one checked run\n"
                }
            }
            FileHandle.standardError.write(report.data(using: .utf8) ?? Data())
            exit(0)
        }
        if let result {
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            let lines = text.split(separator: "\n")
            #expect(lines.count == 28, "\(text)")
            #expect(lines.allSatisfy { $0.hasPrefix("ok: ") }, "\(text)")
        }
    }
}

/// Graphs for the zero-allocation test, optimized at -O2, with their params and inputs.
private func zeroAllocationCases() throws -> [(String, Graph, [Tensor], [String: Tensor])] {
    var cases: [(String, Graph, [Tensor], [String: Tensor])] = []
    let files: [(URL, [String: Int])] = [
        (TestPaths.fixtures("cli").appendingPathComponent("chain100.graph"), ["N": 4]),
        (TestPaths.fixtures("schedule").appendingPathComponent("wide.graph"), ["N": 8]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/mlp.graph"), ["N": 2]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/lenet.graph"), ["N": 1]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/lstm.graph"), [:]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/resblock.graph"), ["N": 1]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/transformer.graph"), ["B": 1]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/mobilenet_v2.graph"), ["N": 1]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/cifar_cnn.graph"), ["N": 2]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/face_cnn.graph"), ["N": 1]),
        (TestPaths.repositoryRoot.appendingPathComponent("graphs/textclf.graph"), ["N": 3]),
    ]
    for (url, bindings) in files {
        let module = try Frontend.parse(source: String(contentsOf: url, encoding: .utf8), path: url.path)
        let graph = try #require(module.entry)
        let optimized = try optimizedAtO2(graph, baseDirectory: module.baseDirectory, verifyEach: false)
        cases.append((url.lastPathComponent, optimized, try materializeParameters(of: optimized, baseDirectory: module.baseDirectory),
                      randomInputs(optimized, bindings: bindings)))
    }
    // Training steps: conv weight and pooling gradients, scatter_add, one_hot and the losses;
    // the fixture has every training op.
    for (file, batch, probabilities) in [("digits_cnn.graph", 8, []), ("textclf.graph", 2, ["y"])] as [(String, Int, Set<String>)] {
        let step = try trainingStep(file, sizes: ["N": batch], probabilities: probabilities)
        cases.append(("\(file) training step", step.optimized, step.optimizedParameters, step.inputs))
    }
    let fixture = TestPaths.fixtures("roundtrip").appendingPathComponent("training_ops.graph")
    let training = try #require(Frontend.parse(source: String(contentsOf: fixture, encoding: .utf8), path: fixture.path).entry)
    let optimized = try optimizedAtO2(training, baseDirectory: ".", verifyEach: false)
    cases.append(("training_ops.graph", optimized, try materializeParameters(of: optimized, baseDirectory: "."),
                  randomInputs(optimized, bindings: ["N": 4, "V": 6])))
    return cases
}
