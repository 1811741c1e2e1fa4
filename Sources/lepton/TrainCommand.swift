import Foundation
import Lepton

/// `lepton train FILE.graph --data DATA.npz --epochs E --batch B -o trained.graph`: train a
/// model's params as its train block says, with progress, logs, plots and checkpoints.
enum TrainCommand {
    static let spec = CommandSpec(
        name: "train", summary: "train a model's params on .npz/.npy data as its train block says",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("--data", value: "DATA", repeatable: true, "training data: an .npz, or NAME=FILE.npy per array (repeat)"),
            OptionSpec("--epochs", value: "E", "epochs to train (default 10)"),
            OptionSpec("--batch", value: "B", "samples per step (default 32); the last batch may be shorter"),
            OptionSpec("--lr", value: "RATE", "learning rate (default: the train block's)"),
            OptionSpec("--seed", value: "S", "seed of the validation split and the shuffles (default 0)"),
            OptionSpec("--shuffle", "visit the samples in a new seeded order every epoch"),
            OptionSpec("--val-split", value: "F", "hold out this fraction of the data for validation"),
            OptionSpec("--val", value: "DATA", repeatable: true, "validation data, given like --data"),
            OptionSpec("-o", value: "OUT", "write the trained model: OUT.graph with its params in OUT.npz beside it, or only the .npz"),
            OptionSpec("--log", value: "FILE.csv", "write per-epoch metrics as CSV"),
            OptionSpec("--plot", value: "FILE.svg", "draw the loss curves as an SVG chart"),
            OptionSpec("--checkpoint", value: "FILE.npz", "where checkpoints go (default: OUT.ckpt.npz)"),
            OptionSpec("--checkpoint-every", value: "N", "write a checkpoint every N epochs (and after the last)"),
            OptionSpec("--resume", value: "FILE.npz", "continue from a checkpoint (same data and flags give the same result)"),
            OptionSpec("--graph", value: "NAME", "the model to train when the file has several train blocks"),
            OptionSpec("--threads", value: "T", "threads per kernel (default: the active processor count)"),
        ],
        details: """
        the data's arrays are matched by name to the model's inputs and the train block's labels
        (float arrays convert to the input's float type, integer arrays to its integer type).
        each epoch prints one line: loss, validation loss and accuracy when there is validation
        data, time and samples/s; on a terminal a live line shows the epoch's progress.
        training is deterministic for a given --seed. a loss that becomes nan or inf stops
        training with the epoch and step; checkpoints keep the last good state.
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        let model = try ModelLoading.load(arguments.positionals[0])
        let epochs = try positiveInt(arguments, "--epochs", default: 10)
        var options = TrainingOptions(epochs: epochs, batchSize: try positiveInt(arguments, "--batch", default: 32))
        options.seed = UInt64(try positiveInt(arguments, "--seed", default: 0, allowZero: true))
        options.shuffle = arguments.value("--shuffle") != nil
        if let text = arguments.value("--lr") {
            guard let rate = Double(text), rate > 0, rate.isFinite else { throw usage("--lr needs a positive number, got '\(text)'") }
            options.learningRate = rate
        }
        let output = arguments.value("-o")
        options.checkpointEvery = try positiveInt(arguments, "--checkpoint-every", default: 0, allowZero: true)
        options.checkpointPath = arguments.value("--checkpoint") ?? output.map { stem($0) + ".ckpt.npz" }
        if options.checkpointEvery > 0, options.checkpointPath == nil {
            throw usage("--checkpoint-every needs --checkpoint FILE.npz or -o OUT")
        }
        let threads = try RunCommand.threads(arguments)
        guard !arguments.values("--data").isEmpty else { throw usage("missing --data (an .npz, or NAME=FILE.npy per array)") }
        if arguments.value("--val-split") != nil, !arguments.values("--val").isEmpty {
            throw usage("give --val-split or --val, not both")
        }

        let trainer = try ModelLoading.within(model) { () throws(DiagnosticError) in
            try model.trainer(graph: arguments.value("--graph"), threads: threads)
        }
        var data = try loadData(arguments.values("--data"))
        var validation = arguments.values("--val").isEmpty ? nil : try loadData(arguments.values("--val"))
        if let text = arguments.value("--val-split") {
            guard let fraction = Double(text) else { throw usage("--val-split needs a fraction such as 0.1, got '\(text)'") }
            (data, validation) = try failing { () throws(TrainingError) in try data.split(validationFraction: fraction, seed: options.seed) }
        }
        if let path = arguments.value("--resume") {
            try ModelLoading.within(model) { () throws(DiagnosticError) in try trainer.resume(from: path, seed: options.seed) }
            Console.print("resumed from \(path) after epoch \(trainer.history.rows.count)")
        }

        let log = arguments.value("--log"), plot = arguments.value("--plot")
        var progress = TrainingProgress(epochs: epochs, live: ProgressLine.isTerminal)
        try ModelLoading.within(model) { () throws(DiagnosticError) in
            try trainer.fit(data, validation: validation, options: options) { event in
                progress.show(event)
                if case .epoch = event {
                    // Logs are rewritten after every epoch, so an interrupted run keeps them.
                    if let log { try? trainer.history.write(to: log) }
                    if let plot { try? writePlot(trainer.history, to: plot) }
                }
            }
        }
        progress.finish()
        if let log { try failing { () throws(TrainingError) in try trainer.history.write(to: log) } }
        if let plot { try failing { () throws(TrainingError) in try writePlot(trainer.history, to: plot) } }
        if let output {
            let written = try ModelLoading.within(model) { () throws(DiagnosticError) in
                let graph = try model.graph(named: trainer.spec.model)
                var values = try model.parameterValues(of: graph)
                for (name, tensor) in trainer.namedParameters { values[name] = tensor }
                return try TrainedModel.write(graph: graph, training: trainer.spec, parameters: values,
                                              baseDirectory: model.module.baseDirectory, to: output)
            }
            Console.print("wrote \(written.joined(separator: ", "))")
        }
    }

    /// The loss curves (training, and validation when there is one) as an SVG chart.
    static func writePlot(_ history: MetricsLog, to path: String) throws(TrainingError) {
        let svg = LossPlot.svg(series: history.lossSeries, title: "loss per epoch", yLabel: "loss")
        do throws(TensorIOError) {
            try FileIO.writeAtomically(Array(svg.utf8), to: path)
        } catch {
            throw TrainingError(error)
        }
    }

    static func loadData(_ arguments: [String]) throws(CLIError) -> Dataset {
        try failing { () throws(TrainingError) in try Dataset.load(arguments.map(DataSource.init(argument:))) }
    }

    /// Runs a training building block, printing its error as is.
    static func failing<T>(_ body: () throws(TrainingError) -> T) throws(CLIError) -> T {
        do throws(TrainingError) {
            return try body()
        } catch {
            throw .failure(error.description)
        }
    }

    static func positiveInt(_ arguments: ParsedArguments, _ name: String, default value: Int, allowZero: Bool = false) throws(CLIError) -> Int {
        guard let text = arguments.value(name) else { return value }
        guard let n = Int(text), n > 0 || (allowZero && n == 0) else {
            throw usage("\(name) needs \(allowZero ? "a non-negative" : "a positive") integer, got '\(text)'")
        }
        return n
    }

    /// `out.graph` -> `out`.
    static func stem(_ path: String) -> String {
        for suffix in [".graph", ".npz"] where path.hasSuffix(suffix) { return String(path.dropLast(suffix.count)) }
        return path
    }

    static func usage(_ message: String) -> CLIError { .usage(message, command: "train") }
}

/// Prints the trainer's events: a live line on a terminal, one summary line per epoch.
struct TrainingProgress {
    let epochs: Int
    let live: Bool
    private var lastDraw = Date.distantPast
    private var lineShown = false

    init(epochs: Int, live: Bool) {
        self.epochs = epochs
        self.live = live
    }

    mutating func show(_ event: TrainingEvent) {
        switch event {
        case let .step(epoch, done, total, loss, rate):
            guard live, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = Date()
            let line = ProgressLine.render(epoch: epoch, epochs: epochs, done: done, total: total, samplesPerSecond: rate, loss: loss,
                                           width: ProgressLine.terminalWidth)
            FileHandle.standardOutput.write(Data(ProgressLine.redrawing(line).utf8))
            lineShown = true
        case .epoch(let record):
            clear()
            Console.print(ProgressLine.summary(epoch: record.epoch, epochs: epochs, loss: record.trainLoss, validationLoss: record.validationLoss,
                                               validationAccuracy: record.validationAccuracy, seconds: record.seconds,
                                               samplesPerSecond: record.samplesPerSecond))
        case let .checkpoint(path, epoch):
            clear()
            Console.print("  checkpoint after epoch \(epoch): \(path)")
        }
    }

    mutating func finish() { clear() }

    private mutating func clear() {
        guard lineShown else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
        lineShown = false
    }
}
