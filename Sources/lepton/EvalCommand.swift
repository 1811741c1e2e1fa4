import Foundation
import Lepton

/// `lepton eval FILE.graph --data test.npz [--json]`: the loss and, for class labels, accuracy,
/// per-class precision, recall and F1 and the confusion matrix.
enum EvalCommand {
    static let spec = CommandSpec(
        name: "eval", summary: "report a model's loss and classification metrics on labelled data",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("--data", value: "DATA", repeatable: true, "labelled data: an .npz, or NAME=FILE.npy per array (repeat)"),
            OptionSpec("--batch", value: "B", "samples per forward pass (default 256)"),
            OptionSpec("--json", "print the metrics as JSON"),
            OptionSpec("--graph", value: "NAME", "the model to evaluate when the file has several train blocks"),
            OptionSpec("--threads", value: "T", "threads per kernel (default: the active processor count)"),
        ],
        details: """
        the train block says which arrays are labels and how the loss is computed (a model
        written by 'lepton train -o' keeps its block). accuracy and the per-class table are
        shown when the labels are class ids, or 0/1 targets of a binary cross-entropy.
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        let model = try ModelLoading.load(arguments.positionals[0])
        guard !arguments.values("--data").isEmpty else { throw usage("missing --data (an .npz, or NAME=FILE.npy per array)") }
        let batch = try TrainCommand.positiveInt(arguments, "--batch", default: 256)
        let threads = try RunCommand.threads(arguments)
        let data = try TrainCommand.loadData(arguments.values("--data"))
        let evaluation = try ModelLoading.within(model) { () throws(DiagnosticError) in
            try model.trainer(graph: arguments.value("--graph"), threads: threads).evaluate(data, batchSize: batch)
        }
        let json = arguments.value("--json") != nil
        if let metrics = evaluation.metrics {
            Console.print(json ? metrics.json(extra: ["loss": evaluation.loss])
                : "samples \(data.sampleCount)  loss \(String(format: "%.4f", evaluation.loss))\n" + metrics.table())
        } else if json {
            Console.print("{\"samples\": \(data.sampleCount), \"loss\": \(evaluation.loss)}")
        } else {
            Console.print("samples \(data.sampleCount)  loss \(String(format: "%.4f", evaluation.loss))")
        }
    }

    static func usage(_ message: String) -> CLIError { .usage(message, command: "eval") }
}
