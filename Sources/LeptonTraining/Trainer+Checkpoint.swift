import LeptonIR

/// Checkpoints of a trainer: everything a resumed run needs to continue exactly as an
/// uninterrupted one would (the batch orders follow from the seed and the epoch number).
extension Trainer {
    /// Writes the trainer's state after its last finished epoch to `path`, atomically.
    func writeCheckpoint(to path: String, seed: UInt64) throws(DiagnosticError) {
        let checkpoint = Checkpoint(parameters: namedParameters, optimizerState: optimizer.state, epoch: history.rows.count,
                                    globalStep: globalStep, seed: seed, history: history)
        try diagnosing { () throws(TrainingError) in try checkpoint.write(to: path) }
    }

    /// Restores params, optimizer state and history from the checkpoint at `path`; `seed` must
    /// be the one it was written with (a different seed would silently change the batch order).
    public func resume(from path: String, seed: UInt64) throws(DiagnosticError) {
        let checkpoint = try diagnosing { () throws(TrainingError) in try Checkpoint.read(from: path) }
        guard checkpoint.seed == seed else {
            throw trainingError("the checkpoint was written with --seed \(checkpoint.seed), not \(seed); resume with the same seed", path: path)
        }
        var restoredParameters = parameters
        var restoredOptimizer = optimizer
        try diagnosing { () throws(TrainingError) in
            try checkpoint.restore(into: &restoredParameters, optimizer: &restoredOptimizer, path: path)
        }
        parameters = restoredParameters
        optimizer = restoredOptimizer
        history = checkpoint.history
        globalStep = checkpoint.globalStep
    }
}
