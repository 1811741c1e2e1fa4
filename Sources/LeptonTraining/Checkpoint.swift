import LeptonTensor

/// Everything needed to resume training, in one `.npz` (written atomically): the trained params
/// under their own names, the optimizer's state under `__opt__.<name>`, and metadata as small
/// arrays under `__meta__.<name>`:
///
///     __meta__.format        i64 scalar   the checkpoint format version (`formatVersion`)
///     __meta__.epoch         i64 scalar   epochs completed
///     __meta__.global_step   i64 scalar   optimizer steps taken
///     __meta__.seed          i64 scalar   the run's seed (its UInt64 bit pattern)
///     __meta__.history       f64 [E, 6]   the metrics log, one row per epoch, CSV column order
///     __meta__.history_mask  i64 [E, 5]   1 where a row's value is present, 0 where missing
///
/// Reading validates every entry, and restoring checks the params and optimizer state against
/// the model being trained, so a checkpoint from another model or optimizer is a clear error.
public struct Checkpoint: Sendable {
    /// The format this code writes and reads.
    public static let formatVersion = 1
    /// Prefixes of the reserved entries; no param name may start with one.
    public static let metadataPrefix = "__meta__.", optimizerPrefix = "__opt__."

    /// The trained params, by name.
    public var parameters: [(name: String, tensor: Tensor)]
    /// `Optimizer.state`, by its own names (without the `__opt__.` prefix).
    public var optimizerState: [(name: String, tensor: Tensor)]
    /// Epochs completed: training resumes at epoch `epoch + 1`.
    public var epoch: Int
    /// Optimizer steps taken so far.
    public var globalStep: Int
    /// The run's seed, so a resumed run shuffles as the original would have.
    public var seed: UInt64
    /// The metrics of the completed epochs, so the log and plot continue after resuming.
    public var history: MetricsLog

    public init(parameters: [(name: String, tensor: Tensor)], optimizerState: [(name: String, tensor: Tensor)],
                epoch: Int, globalStep: Int, seed: UInt64, history: MetricsLog) {
        self.parameters = parameters
        self.optimizerState = optimizerState
        self.epoch = epoch
        self.globalStep = globalStep
        self.seed = seed
        self.history = history
    }

    /// Writes the checkpoint to `path` atomically: a crash mid-write leaves the previous file.
    public func write(to path: String) throws(TrainingError) {
        if let reserved = parameters.first(where: { $0.name.hasPrefix(Self.metadataPrefix) || $0.name.hasPrefix(Self.optimizerPrefix) }) {
            throw TrainingError(path: path, "param '\(reserved.name)' uses a name reserved for checkpoint metadata")
        }
        let (history, mask) = Self.encode(self.history)
        let metadata: [(name: String, tensor: Tensor)] = [
            ("format", Tensor(scalar: Int64(Self.formatVersion))),
            ("epoch", Tensor(scalar: Int64(epoch))),
            ("global_step", Tensor(scalar: Int64(globalStep))),
            ("seed", Tensor(scalar: Int64(bitPattern: seed))),
            ("history", history),
            ("history_mask", mask),
        ]
        let entries = parameters + optimizerState.map { (Self.optimizerPrefix + $0.name, $0.tensor) }
            + metadata.map { (Self.metadataPrefix + $0.name, $0.tensor) }
        do throws(TensorIOError) {
            try NPZ.write(entries, to: path)
        } catch {
            throw TrainingError(error)
        }
    }
}

extension Checkpoint {
    /// The history as a value table and a presence mask (see the type's summary).
    static func encode(_ log: MetricsLog) -> (values: Tensor, mask: Tensor) {
        var values: [Double] = [], mask: [Int64] = []
        for row in log.rows {
            values.append(Double(row.epoch))
            values += row.values.map { $0 ?? 0 }
            mask += row.values.map { $0 == nil ? 0 : 1 }
        }
        return (Tensor(shape: [log.rows.count, 6], scalars: values), Tensor(shape: [log.rows.count, 5], scalars: mask))
    }
}
