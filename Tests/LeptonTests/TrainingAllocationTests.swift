import Foundation
import Testing
import LeptonIR
import LeptonTensor
import LeptonTraining

/// Once warm, a training step's bookkeeping allocates nothing: `Optimizer.step` updates params
/// and moment buffers in place, and `Dataset.fillBatch` overwrites the previous batch of the
/// same size. Counted allocation by allocation in a child process with glibc's debug malloc
/// (`AllocationCounter`, as in ZeroAllocationTests).
@Suite struct TrainingAllocationTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: AllocationCounter.preloadLibrary), "needs glibc's libc_malloc_debug"))
    func optimizerStepsAndBatchesAllocateNothingOnceWarm() async {
        setenv("LD_PRELOAD", AllocationCounter.preloadLibrary, 1)
        defer { unsetenv("LD_PRELOAD") }
        let result = await #expect(processExitsWith: .success, observing: [\.standardErrorContent]) {
            AllocationCounter.installCheckingItCounts()
            var report = ""
            let params: [(name: String, tensor: Tensor)] = [
                ("emb", Tensor.filled(.f32, shape: [1000, 64], with: 0.5)),
                ("b", Tensor.filled(.f64, shape: [10], with: -0.5)),
            ]
            let gradients = params.map { Tensor.filled($0.tensor.dtype, shape: $0.tensor.shape, with: 0.01) }
            let specs = [OptimizerSpec(kind: .sgd), OptimizerSpec(kind: .sgd, momentum: 0.9, nesterov: true, weightDecay: 0.1),
                         OptimizerSpec(kind: .adam, weightDecay: 0.1), OptimizerSpec(kind: .adamw)]
            for spec in specs {
                var optimizer = try Optimizer(spec, parameters: params)
                var values = params.map(\.tensor)
                for _ in 0..<2 { optimizer.step(&values, gradients: gradients) }
                AllocationCounter.start()
                for _ in 0..<10 { optimizer.step(&values, gradients: gradients) }
                let count = AllocationCounter.stop()
                report += "\(count == 0 ? "ok" : "FAILED"): \(spec.kind) momentum \(spec.momentum): \(count) allocations in 10 steps\n"
            }
            let data = try Dataset([("x", Tensor.filled(.f32, shape: [100, 64], with: 1)), ("y", Tensor.filled(.i64, shape: [100], with: 3))])
            let order = data.batchOrder(epoch: 1, seed: 1, shuffle: true)
            var batch: [Tensor] = []
            data.fillBatch(order[0..<32], into: &batch)
            AllocationCounter.start()
            data.fillBatch(order[32..<64], into: &batch)
            data.fillBatch(order[64..<96], into: &batch)
            let count = AllocationCounter.stop()
            report += "\(count == 0 ? "ok" : "FAILED"): fillBatch: \(count) allocations in 2 batches\n"
            FileHandle.standardError.write(report.data(using: .utf8) ?? Data())
            exit(0)
        }
        if let result {
            let text = String(decoding: result.standardErrorContent, as: UTF8.self)
            let lines = text.split(separator: "\n")
            #expect(lines.count == 5, "\(text)")
            #expect(lines.allSatisfy { $0.hasPrefix("ok: ") }, "\(text)")
        }
    }
}
