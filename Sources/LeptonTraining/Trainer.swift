import Foundation
import LeptonIR
import LeptonTensor

/// How a training run goes; what `lepton train`'s flags set.
public struct TrainingOptions: Sendable {
    public var epochs: Int
    public var batchSize: Int
    /// Seeds the validation split and the per-epoch shuffles.
    public var seed: UInt64 = 0
    /// Visit the samples in a new seeded order every epoch (otherwise in file order).
    public var shuffle = false
    /// Overrides the train block's learning rate.
    public var learningRate: Double?
    /// Write a checkpoint after every this many epochs (0: never) to `checkpointPath`.
    public var checkpointEvery = 0
    public var checkpointPath: String?

    public init(epochs: Int, batchSize: Int) {
        self.epochs = epochs
        self.batchSize = batchSize
    }
}

/// What the trainer reports while it runs.
public enum TrainingEvent: Sendable {
    /// After each step: samples done in this epoch out of `total`, the running mean loss.
    case step(epoch: Int, done: Int, total: Int, loss: Double, samplesPerSecond: Double)
    /// After each epoch (and its validation).
    case epoch(MetricsLog.Row)
    /// A checkpoint was written.
    case checkpoint(path: String, epoch: Int)
}
