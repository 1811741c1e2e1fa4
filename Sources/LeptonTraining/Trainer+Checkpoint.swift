import LeptonIR

extension Trainer {
    /// Writes the trainer's whole state to `path` (atomically).
    func writeCheckpoint(to path: String, seed: UInt64) throws(DiagnosticError) {
        throw trainingError("checkpoints are not written yet", path: path)
    }

    /// Restores params, optimizer state and history from the checkpoint at `path`.
    public func resume(from path: String, seed: UInt64) throws(DiagnosticError) {
        throw trainingError("checkpoints are not read yet", path: path)
    }
}
