import Foundation
import Testing
import LeptonIR
import LeptonTensor
import LeptonTraining

private func scratchPath(_ name: String) throws -> String {
    let directory = NSTemporaryDirectory() + "lepton-checkpoint-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return "\(directory)/\(name)"
}

/// The error `body` throws, as the CLI prints it; nil when it throws nothing.
private func failure(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return "\(error)"
    }
}

private let initial: [(name: String, tensor: Tensor)] = [
    ("w1", Tensor(shape: [2, 2], scalars: [Float(0.5), -1, 0.25, 2])),
    ("b1", Tensor(shape: [2], scalars: [0.125, -0.5])),
]

private func gradients(_ step: Int) -> [Tensor] {
    [Tensor(shape: [2, 2], scalars: [Float(step) * 0.1, -0.3, 0.7, Float(step) * -0.2]),
     Tensor(shape: [2], scalars: [0.05 * Double(step), -0.01])]
}

private let history = MetricsLog(rows: [
    .init(epoch: 1, trainLoss: 0.9, validationLoss: 0.8, validationAccuracy: 0.7, seconds: 1.5, samplesPerSecond: 1000),
    .init(epoch: 2, trainLoss: .nan, seconds: 1.25, samplesPerSecond: 1200),
])

@Suite struct CheckpointTests {
    /// An Adam run after `steps` steps: its optimizer and params.
    func run(steps: Int) throws -> (Optimizer, [Tensor]) {
        var optimizer = try Optimizer(OptimizerSpec(kind: .adam), parameters: initial)
        var params = initial.map(\.tensor)
        for step in 0..<steps { optimizer.step(&params, gradients: gradients(step)) }
        return (optimizer, params)
    }

    func checkpoint(_ optimizer: Optimizer, _ params: [Tensor]) -> Checkpoint {
        Checkpoint(parameters: Array(zip(optimizer.parameterNames, params)), optimizerState: optimizer.state,
                   epoch: 2, globalStep: optimizer.stepCount, seed: UInt64.max - 6, history: history)
    }

    @Test func roundTripsAndResumesBitForBit() throws {
        let path = try scratchPath("ckpt.npz")
        let (optimizer, params) = try run(steps: 3)
        try checkpoint(optimizer, params).write(to: path)

        let read = try Checkpoint.read(from: path)
        #expect(read.parameters.map(\.name) == ["w1", "b1"] && read.parameters.map(\.tensor) == params)
        #expect(read.optimizerState.map(\.name) == optimizer.state.map(\.name))
        #expect(read.optimizerState.map(\.tensor) == optimizer.state.map(\.tensor))
        #expect(read.epoch == 2 && read.globalStep == 3 && read.seed == UInt64.max - 6)
        #expect(read.history.csv() == history.csv())
        #expect(read.history.rows[1].validationLoss == nil && read.history.rows[1].trainLoss?.isNaN == true)

        var (resumed, resumedParams) = try run(steps: 0)
        try read.restore(into: &resumedParams, optimizer: &resumed, path: path)
        var (straight, straightParams) = try run(steps: 3)
        for step in 3..<6 {
            resumed.step(&resumedParams, gradients: gradients(step))
            straight.step(&straightParams, gradients: gradients(step))
        }
        #expect(resumedParams == straightParams)
        #expect(resumed.state.map(\.tensor) == straight.state.map(\.tensor))
    }

    @Test func truncatedOrForeignFilesAreClearErrors() throws {
        let path = try scratchPath("ckpt.npz")
        let (optimizer, params) = try run(steps: 1)
        try checkpoint(optimizer, params).write(to: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
        let truncated = failure { _ = try Checkpoint.read(from: path) }
        #expect(truncated?.hasPrefix("\(path): error: ") == true, "\(truncated ?? "no error")")

        #expect(failure { _ = try Checkpoint.read(from: path + ".missing") } == "\(path).missing: error: no such file")
        try NPZ.write(initial, to: path)
        #expect(failure { _ = try Checkpoint.read(from: path) } == "\(path): error: not a lepton checkpoint (no '__meta__.format' entry)")
    }

    @Test func missingOrMistypedEntriesAreNamed() throws {
        let path = try scratchPath("ckpt.npz")
        let (optimizer, params) = try run(steps: 1)
        try checkpoint(optimizer, params).write(to: path)
        let entries = try NPZ.read(contentsOf: path)
        func rewritten(_ change: ([(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)]) throws -> String? {
            try NPZ.write(change(entries), to: path)
            return failure { _ = try Checkpoint.read(from: path) }
        }
        #expect(try rewritten { $0.filter { $0.name != "__meta__.epoch" } } == "\(path): error: checkpoint is missing '__meta__.epoch'")
        #expect(try rewritten { $0.map { $0.name == "__meta__.global_step" ? ($0.name, Tensor(scalar: Float(1))) : $0 } }
                == "\(path): error: checkpoint entry '__meta__.global_step' should be an i64 scalar, got f32[]")
        #expect(try rewritten { $0.map { $0.name == "__meta__.format" ? ($0.name, Tensor(scalar: Int64(9))) : $0 } }
                == "\(path): error: checkpoint format 9 is not one this lepton reads (1)")
        #expect(try rewritten { $0.map { $0.name == "__meta__.history_mask" ? ($0.name, Tensor.zeros(.i64, shape: [3, 5])) : $0 } }
                == "\(path): error: checkpoint entry '__meta__.history_mask' should be i64 [2, 5], got i64[3, 5]")
        #expect(try rewritten { $0 + [("__meta__.learning_rate", Tensor(scalar: 0.1))] }
                == "\(path): error: unknown checkpoint entry '__meta__.learning_rate'")
    }

    @Test func restoreChecksParamsAndOptimizerStateAgainstTheRun() throws {
        let path = try scratchPath("ckpt.npz")
        let (optimizer, params) = try run(steps: 1)
        var saved = checkpoint(optimizer, params)
        var (target, targetParams) = try run(steps: 0)
        func restoring(_ checkpoint: Checkpoint, into optimizer: inout Optimizer) -> String? {
            failure { try checkpoint.restore(into: &targetParams, optimizer: &optimizer, path: path) }
        }
        var other = saved
        other.parameters[0].tensor = Tensor.zeros(.f32, shape: [4])
        #expect(restoring(other, into: &target) == "\(path): error: checkpoint param 'w1' is f32[4], but the model's is f32[2, 2]")
        other.parameters = [initial[1]]
        #expect(restoring(other, into: &target) == "\(path): error: checkpoint has no param 'w1'")
        other.parameters = initial + [("w2", Tensor.zeros(.f32, shape: [1]))]
        #expect(restoring(other, into: &target) == "\(path): error: checkpoint param 'w2' is not a trained param of this model")
        var sgd = try Optimizer(OptimizerSpec(kind: .sgd, momentum: 0.9), parameters: initial)
        #expect(restoring(saved, into: &sgd)
                == "\(path): error: optimizer state is missing 'momentum_buffer.w1' (sgd keeps it for param 'w1')")
        #expect(targetParams == initial.map(\.tensor) && target.stepCount == 0)  // failures changed nothing
        saved.parameters.append(("__opt__.w", Tensor.zeros(.f32, shape: [1])))
        #expect(failure { try saved.write(to: path) } == "\(path): error: param '__opt__.w' uses a name reserved for checkpoint metadata")
    }
}
