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

/// One epoch's results, as the progress line, the CSV log and the plot show them.
public struct EpochRecord: Hashable, Sendable {
    /// Counting from 1.
    public var epoch: Int
    /// Mean loss over the epoch's batches, weighted by batch size (what the optimizer minimized,
    /// the L2 term included).
    public var trainLoss: Double
    public var validationLoss: Double?
    /// Fraction in [0, 1], when the labels are classes.
    public var validationAccuracy: Double?
    public var seconds: Double
    public var samplesPerSecond: Double

    public init(epoch: Int, trainLoss: Double, validationLoss: Double? = nil, validationAccuracy: Double? = nil,
                seconds: Double, samplesPerSecond: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
    }
}

/// What the trainer reports while it runs.
public enum TrainingEvent: Sendable {
    /// After each step: samples done in this epoch out of `total`, the running mean loss.
    case step(epoch: Int, done: Int, total: Int, loss: Double, samplesPerSecond: Double)
    /// After each epoch (and its validation).
    case epoch(EpochRecord)
    /// A checkpoint was written.
    case checkpoint(path: String, epoch: Int)
}
