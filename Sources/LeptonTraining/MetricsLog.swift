import Foundation
import LeptonTensor

/// The per-epoch record of a training run, written as CSV after every epoch (`--log`) and kept
/// in checkpoints so a resumed run's log and plot continue where they stopped.
public struct MetricsLog: Sendable, Equatable {
    /// One epoch's numbers; nil where there is nothing to report (no validation data).
    public struct Row: Sendable, Equatable {
        /// The epoch, counted from 1.
        public var epoch: Int
        /// The mean training loss over the epoch's batches.
        public var trainLoss: Double?
        /// The loss on the validation data after the epoch.
        public var validationLoss: Double?
        /// The accuracy on the validation data after the epoch, a fraction in [0, 1].
        public var validationAccuracy: Double?
        /// Wall-clock seconds the epoch's training took.
        public var seconds: Double?
        /// Training samples per second over the epoch.
        public var samplesPerSecond: Double?

        public init(epoch: Int, trainLoss: Double? = nil, validationLoss: Double? = nil, validationAccuracy: Double? = nil,
                    seconds: Double? = nil, samplesPerSecond: Double? = nil) {
            self.epoch = epoch
            self.trainLoss = trainLoss
            self.validationLoss = validationLoss
            self.validationAccuracy = validationAccuracy
            self.seconds = seconds
            self.samplesPerSecond = samplesPerSecond
        }

        /// The five optional values in CSV column order (after `epoch`).
        public var values: [Double?] {
            [trainLoss, validationLoss, validationAccuracy, seconds, samplesPerSecond]
        }

        /// A row from `epoch` and `values` in CSV column order; nil unless there are five.
        public init?(epoch: Int, values: [Double?]) {
            guard values.count == 5 else { return nil }
            self.init(epoch: epoch, trainLoss: values[0], validationLoss: values[1], validationAccuracy: values[2],
                      seconds: values[3], samplesPerSecond: values[4])
        }
    }

    /// The CSV header's column names.
    public static let columns = ["epoch", "train_loss", "val_loss", "val_accuracy", "seconds", "samples_per_second"]

    /// The epochs so far, in order.
    public var rows: [Row]

    public init(rows: [Row] = []) {
        self.rows = rows
    }

    /// The log as CSV: the header, then one line per epoch, each line ending in a newline.
    /// Losses and accuracy have 6 significant digits (`%.6g`), seconds 3 decimals, samples/s
    /// one; a missing value is an empty cell; NaN and infinities are `nan`, `inf`, `-inf`.
    public func csv() -> String {
        var text = Self.columns.joined(separator: ",") + "\n"
        for row in rows {
            let formats = ["%.6g", "%.6g", "%.6g", "%.3f", "%.1f"]
            let cells = zip(row.values, formats).map { value, format in value.map { Self.format($0, format) } ?? "" }
            text += (["\(row.epoch)"] + cells).joined(separator: ",") + "\n"
        }
        return text
    }

    /// Writes `csv()` to `path` atomically (a reader sees the previous epoch's log or this one).
    public func write(to path: String) throws(TrainingError) {
        do throws(TensorIOError) {
            try FileIO.writeAtomically(Array(csv().utf8), to: path)
        } catch {
            throw TrainingError(error)
        }
    }

    /// The losses per epoch for `LossPlot`: `train_loss`, and `val_loss` when any epoch has
    /// one; NaN where an epoch has no value (the plot skips it).
    public var lossSeries: [(name: String, values: [Double])] {
        var series = [(name: "train_loss", values: rows.map { $0.trainLoss ?? .nan })]
        if rows.contains(where: { $0.validationLoss != nil }) {
            series.append((name: "val_loss", values: rows.map { $0.validationLoss ?? .nan }))
        }
        return series
    }
}

private extension MetricsLog {
    static func format(_ value: Double, _ format: String) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : value > 0 ? "inf" : "-inf" }
        return String(format: format, value)
    }
}
