import Foundation
import Lepton

/// `lepton export FILE.graph -o model.onnx`: a graph and its params' values as an ONNX model,
/// so a model trained with `lepton train` runs in other runtimes (and imports back to the same
/// graph).
enum ExportCommand {
    static let spec = CommandSpec(
        name: "export", summary: "write a graph and its params as an ONNX model (.onnx)",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("-o", value: "OUT.onnx", "where the model goes (written atomically)"),
            OptionSpec("--graph", value: "NAME", "the graph to export (default: the last in the file)"),
            OptionSpec("--opset", value: "N", "the ONNX opset to declare (default: the lowest the graph's ops allow, 17 or 20)"),
            OptionSpec("-O0", "export the graph as written (the default)"),
            OptionSpec("-O1", "simplify, fold, cse and dce first"),
        ],
        details: """
        params become initializers holding their values (loaded from .npy/.npz, or made by
        their seeded initializers); symbolic dims become dim_params. attributes that ONNX takes
        as inputs (shapes, axes, pads, slice bounds, clip bounds) become initializers. ops ONNX
        lacks (losses, gradient ops, the fused kernels of -O2) are all listed at once. opset 17
        unless the graph has gelu (opset 20).
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        guard let output = arguments.value("-o") else { throw .usage("missing -o OUT.onnx", command: "export") }
        guard arguments.options["-O0"] == nil || arguments.options["-O1"] == nil else {
            throw .usage("give one of -O0, -O1", command: "export")
        }
        var opset: Int64?
        if let text = arguments.value("--opset") {
            guard let n = Int64(text), n > 0 else { throw .usage("--opset needs a positive integer, got '\(text)'", command: "export") }
            opset = n
        }
        let options = OptimizationOptions(level: arguments.options["-O1"] != nil ? 1 : 0)
        let model = try ModelLoading.load(arguments.positionals[0])
        let onnx = try ModelLoading.within(model) { () throws(DiagnosticError) in
            try model.writeONNX(to: output, graph: arguments.value("--graph"), options: options, opset: opset)
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        let graph = onnx.graph
        Console.print("wrote \(output): \(graph.name), opset \(onnx.opset), \(graph.inputs.count) inputs, "
            + "\(graph.initializers.count) initializers, \(graph.nodes.count) nodes, \(bytes) bytes")
    }
}
