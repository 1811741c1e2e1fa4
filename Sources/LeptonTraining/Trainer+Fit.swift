import Foundation
import LeptonIR
import LeptonTensor

/// The training loop: batches through the compiled step, optimizer updates, validation after
/// each epoch, checkpoints, and a stop with a clear message when the loss stops being finite.
///
/// Deterministic for a given seed: the batch order of epoch e depends only on (seed, e), the
/// kernels are bit-reproducible, and a checkpoint holds everything else (params, optimizer
/// moments and step count, history), so a resumed run continues exactly where it stopped.
public final class Trainer {
    public let program: TrainingProgram
    public let spec: TrainingSpec
    public internal(set) var optimizer: Optimizer
    /// The trained params' current values, in `program.training.trained` order.
    public internal(set) var parameters: [Tensor]
    /// One row per finished epoch (restored from a checkpoint on resume).
    public internal(set) var history = MetricsLog()
    /// Optimizer steps taken so far, over all epochs.
    public internal(set) var globalStep = 0
    /// The data inputs the step takes (model inputs, then labels), by name and type.
    public let dataInputs: [(name: String, type: TensorType)]

    /// A trainer starting from `initial` (every trained param's value, by name).
    public init(program: TrainingProgram, spec: TrainingSpec, initial: [String: Tensor]) throws(DiagnosticError) {
        self.program = program
        self.spec = spec
        let graph = program.training.graph
        dataInputs = graph.inputs.prefix(program.training.dataInputCount).map { (graph.name(of: $0), graph.type(of: $0)) }
        var values: [(name: String, tensor: Tensor)] = []
        for name in program.training.trained {
            guard let tensor = initial[name] else { throw DiagnosticError(at: spec.location, "internal: no initial value for param '\(name)'") }
            values.append((name, tensor))
        }
        parameters = values.map(\.tensor)
        optimizer = try diagnosing { () throws(TrainingError) in try Optimizer(spec.optimizer, parameters: values) }
    }

    /// The trained params by name.
    public var namedParameters: [(name: String, tensor: Tensor)] { Array(zip(program.training.trained, parameters)) }

    /// Trains until `options.epochs` epochs are done (counting those a resumed run already has).
    public func fit(_ training: Dataset, validation: Dataset?, options: TrainingOptions,
                    onEvent: (TrainingEvent) -> Void = { _ in }) throws(DiagnosticError) {
        let data = try prepare(training)
        let check = try validation.map { (v: Dataset) throws(DiagnosticError) in try prepare(v) }
        guard options.batchSize >= 1 else { throw trainingError("the batch size must be at least 1, got \(options.batchSize)") }
        if let rate = options.learningRate { optimizer.learningRate = rate }
        var batch: [Tensor] = []
        var outputs: [Tensor] = []
        for epoch in history.rows.count..<options.epochs {
            let started = Date()
            let order = data.batchOrder(epoch: epoch, seed: options.seed, shuffle: options.shuffle)
            var lossSum = 0.0
            var done = 0
            for start in stride(from: 0, to: order.count, by: options.batchSize) {
                let indices = order[start..<min(start + options.batchSize, order.count)]
                data.fillBatch(indices, into: &batch)
                try program.step(batch + parameters, into: &outputs)
                let loss = outputs[0].doubles.first ?? .nan
                guard loss.isFinite else {
                    throw trainingError("the loss became \(loss) at epoch \(epoch + 1), step \(start / options.batchSize + 1) "
                        + "(samples \(start)..<\(start + indices.count) of the epoch's order); the params and checkpoints keep the last finite step"
                        + (options.checkpointPath.map { ", the last checkpoint is \($0)" } ?? ""))
                }
                let gradients = Array(outputs[(outputs.count - parameters.count)...])
                optimizer.step(&parameters, gradients: gradients)
                globalStep += 1
                lossSum += loss * Double(indices.count)
                done += indices.count
                let elapsed = max(Date().timeIntervalSince(started), 1e-9)
                onEvent(.step(epoch: epoch + 1, done: done, total: order.count, loss: lossSum / Double(done),
                              samplesPerSecond: Double(done) / elapsed))
            }
            let seconds = max(Date().timeIntervalSince(started), 1e-9)
            var record = MetricsLog.Row(epoch: epoch + 1, trainLoss: lossSum / Double(max(done, 1)), seconds: seconds,
                                        samplesPerSecond: Double(done) / seconds)
            if let check {
                let result = try evaluate(check, batchSize: options.batchSize)
                record.validationLoss = result.loss
                record.validationAccuracy = result.accuracy
            }
            history.rows.append(record)
            onEvent(.epoch(record))
            if options.checkpointEvery > 0, let path = options.checkpointPath, (epoch + 1) % options.checkpointEvery == 0 || epoch + 1 == options.epochs {
                try writeCheckpoint(to: path, seed: options.seed)
                onEvent(.checkpoint(path: path, epoch: epoch + 1))
            }
        }
    }

    /// The data arrays the step takes, in input order, converted to the inputs' dtypes and
    /// checked against their per-sample shapes.
    public func prepare(_ dataset: Dataset) throws(DiagnosticError) -> Dataset {
        var arrays: [(name: String, tensor: Tensor)] = []
        var seen: Set<String> = []
        let file = dataset.files.filter { seen.insert($0).inserted }.joined(separator: ", ")
        func trainingError(_ message: String) -> DiagnosticError { LeptonTraining.trainingError(message, path: file.isEmpty ? "data" : file) }
        for (name, type) in dataInputs {
            guard var tensor = dataset[name] else {
                let kind = arrays.count < dataInputs.count - spec.labelCount ? "input" : "label"
                throw trainingError("the data has no array '\(name)' for the \(kind) \(name): \(type) (arrays: \(dataset.names.joined(separator: ", ")))")
            }
            guard tensor.rank == type.rank else {
                throw trainingError("array '\(name)' is \(tensor.dtype)\(tensor.shape), but \(kindOf(name)) \(name) is \(type): ranks differ")
            }
            for (axis, dim) in type.shape.enumerated().dropFirst() {
                if case .fixed(let size) = dim, tensor.shape[axis] != size {
                    throw trainingError("array '\(name)' has samples of shape \(Array(tensor.shape.dropFirst())), but \(kindOf(name)) \(name) is \(type)")
                }
            }
            if case .fixed = type.shape.first {
                throw trainingError("\(kindOf(name)) \(name): \(type) needs a symbolic first dim (the batch), e.g. \(type.dtype)[N\(type.shape.dropFirst().map { ", \($0)" }.joined())]")
            }
            if tensor.dtype != type.dtype {
                guard tensor.dtype.isFloatingPoint == type.dtype.isFloatingPoint, tensor.dtype != .bool, type.dtype != .bool else {
                    throw trainingError("array '\(name)' holds \(tensor.dtype), but \(kindOf(name)) \(name) is \(type)")
                }
                tensor = converted(tensor, to: type.dtype)
            }
            arrays.append((name, tensor))
        }
        return try diagnosing { () throws(TrainingError) in try Dataset(arrays, source: dataset.files.first ?? "dataset") }
    }

    private func kindOf(_ name: String) -> String {
        dataInputs.suffix(spec.labelCount).contains { $0.name == name } ? "label" : "input"
    }
}

/// Element conversion between floats or between integers (f64 data for an f32 input).
func converted(_ tensor: Tensor, to dtype: DType) -> Tensor {
    switch dtype {
    case .f32: Tensor(shape: tensor.shape, scalars: tensor.doubles.map { Float($0) })
    case .f64: Tensor(shape: tensor.shape, scalars: tensor.doubles)
    case .i32: Tensor(shape: tensor.shape, scalars: tensor.doubles.map { Int32(clamping: Int64($0)) })
    case .i64: Tensor(shape: tensor.shape, scalars: tensor.doubles.map { Int64($0) })
    case .bool: tensor
    }
}

/// A training error as a diagnostic (no source position: the CLI prints it as one line).
func trainingError(_ message: String, path: String = "lepton") -> DiagnosticError {
    DiagnosticError(at: SourceLocation(file: path, line: 0, column: 0), message)
}

/// Runs a building block, reporting its error as a diagnostic naming its file.
func diagnosing<T>(_ body: () throws(TrainingError) -> T) throws(DiagnosticError) -> T {
    do throws(TrainingError) {
        return try body()
    } catch {
        throw trainingError(error.message, path: error.path ?? "lepton")
    }
}
