import LeptonTensor

/// Reading a checkpoint back, and putting its params and optimizer state into a training run,
/// with every entry checked: a missing, mistyped or foreign entry is one error naming the file.
extension Checkpoint {
    /// The checkpoint at `path`. Throws when the file is missing, not an `.npz`, truncated or
    /// corrupt, of another format version, or lacks or mistypes a metadata entry.
    public static func read(from path: String) throws(TrainingError) -> Checkpoint {
        let entries: [(name: String, tensor: Tensor)]
        do throws(TensorIOError) {
            entries = try NPZ.read(contentsOf: path)
        } catch {
            throw TrainingError(error)
        }
        var metadata: [String: Tensor] = [:], parameters: [(name: String, tensor: Tensor)] = []
        var optimizerState: [(name: String, tensor: Tensor)] = []
        for (name, tensor) in entries {
            if name.hasPrefix(metadataPrefix) {
                metadata[String(name.dropFirst(metadataPrefix.count))] = tensor
            } else if name.hasPrefix(optimizerPrefix) {
                optimizerState.append((String(name.dropFirst(optimizerPrefix.count)), tensor))
            } else {
                parameters.append((name, tensor))
            }
        }
        var reader = MetadataReader(path: path, entries: metadata)
        guard metadata["format"] != nil else {
            throw TrainingError(path: path, "not a lepton checkpoint (no '\(metadataPrefix)format' entry)")
        }
        let format = try reader.integer("format")
        guard format == Int64(formatVersion) else {
            throw TrainingError(path: path, "checkpoint format \(format) is not one this lepton reads (\(formatVersion))")
        }
        let epoch = try reader.integer("epoch", atLeast: 0)
        let globalStep = try reader.integer("global_step", atLeast: 0)
        let seed = UInt64(bitPattern: try reader.integer("seed"))
        let history = try reader.history()
        try reader.checkNothingElse()
        return Checkpoint(parameters: parameters, optimizerState: optimizerState, epoch: Int(epoch),
                          globalStep: Int(globalStep), seed: seed, history: history)
    }

    /// Puts the checkpoint's params into `params` (ordered as `optimizer.parameterNames`) and
    /// its state into `optimizer`, after checking that the checkpoint holds exactly those params
    /// with the same shapes and types and a state that fits the optimizer. Changes nothing
    /// when it throws; `path` names the checkpoint in errors.
    public func restore(into params: inout [Tensor], optimizer: inout Optimizer, path: String) throws(TrainingError) {
        var byName: [String: Tensor] = [:]
        for (name, tensor) in parameters { byName[name] = tensor }
        var restored: [Tensor] = []
        for (index, name) in optimizer.parameterNames.enumerated() {
            guard let tensor = byName.removeValue(forKey: name) else {
                throw TrainingError(path: path, "checkpoint has no param '\(name)'")
            }
            let (shape, dtype) = (optimizer.parameterShapes[index], optimizer.parameterTypes[index])
            guard tensor.shape == shape, tensor.dtype == dtype else {
                throw TrainingError(path: path, "checkpoint param '\(name)' is \(tensor.dtype)\(tensor.shape), but the model's is \(dtype)\(shape)")
            }
            restored.append(tensor)
        }
        if let extra = parameters.first(where: { byName[$0.name] != nil }) {
            throw TrainingError(path: path, "checkpoint param '\(extra.name)' is not a trained param of this model")
        }
        var resumed = optimizer
        do throws(TrainingError) {
            try resumed.restore(optimizerState)
        } catch {
            throw error.inFile(path)
        }
        optimizer = resumed
        params = restored
    }
}

/// Takes metadata entries one by one, checking each one's type and shape.
private struct MetadataReader {
    let path: String
    var entries: [String: Tensor]

    mutating func take(_ name: String) throws(TrainingError) -> Tensor {
        guard let tensor = entries.removeValue(forKey: name) else {
            throw TrainingError(path: path, "checkpoint is missing '\(Checkpoint.metadataPrefix)\(name)'")
        }
        return tensor
    }

    func mistyped(_ name: String, _ expected: String, _ tensor: Tensor) -> TrainingError {
        TrainingError(path: path, "checkpoint entry '\(Checkpoint.metadataPrefix)\(name)' should be \(expected), got \(tensor.dtype)\(tensor.shape)")
    }

    mutating func integer(_ name: String, atLeast minimum: Int64 = .min) throws(TrainingError) -> Int64 {
        let tensor = try take(name)
        guard tensor.shape == [], let value = tensor.scalars(as: Int64.self)?.first else {
            throw mistyped(name, "an i64 scalar", tensor)
        }
        guard value >= minimum else {
            throw TrainingError(path: path, "checkpoint entry '\(Checkpoint.metadataPrefix)\(name)' is \(value), below \(minimum)")
        }
        return value
    }

    mutating func history() throws(TrainingError) -> MetricsLog {
        let (values, mask) = (try take("history"), try take("history_mask"))
        guard values.rank == 2, values.shape[1] == 6, let table = values.scalars(as: Double.self) else {
            throw mistyped("history", "f64 [epochs, 6]", values)
        }
        let rows = values.shape[0]
        guard mask.shape == [rows, 5], let present = mask.scalars(as: Int64.self) else {
            throw mistyped("history_mask", "i64 [\(rows), 5]", mask)
        }
        var log = MetricsLog()
        for row in 0..<rows {
            let epoch = table[6 * row]
            guard epoch.rounded() == epoch, abs(epoch) < 1e15 else {
                throw TrainingError(path: path, "checkpoint history row \(row) has epoch \(epoch), not a whole number")
            }
            let cells = (0..<5).map { present[5 * row + $0] != 0 ? table[6 * row + 1 + $0] : nil }
            guard let entry = MetricsLog.Row(epoch: Int(epoch), values: cells) else { preconditionFailure("five values") }
            log.rows.append(entry)
        }
        return log
    }

    func checkNothingElse() throws(TrainingError) {
        if let unknown = entries.keys.sorted().first {
            throw TrainingError(path: path, "unknown checkpoint entry '\(Checkpoint.metadataPrefix)\(unknown)'")
        }
    }
}
