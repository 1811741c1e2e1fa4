import Foundation
import Lepton

/// `lepton import model.onnx -o model.graph`: an ONNX model as a readable `.graph` (weights
/// in an `.npz` beside it, small ones inline), which parses back to the imported graph.
enum ImportCommand {
    static let spec = CommandSpec(
        name: "import", summary: "convert an ONNX model into a .graph file (weights in an .npz beside it)",
        positionals: ["MODEL.onnx"],
        options: [
            OptionSpec("-o", value: "OUT.graph", "where the graph goes (its weights go to OUT.npz; both written atomically)"),
        ],
        details: """
        opsets 13 and later. constants and shape arithmetic (Shape -> Gather -> Concat ->
        Reshape) are folded; dim_params become symbolic dims. every op Lepton cannot map is
        listed at once, by name, with its node and the opset. run, compile and bench also take
        .onnx files directly.
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        guard let output = arguments.value("-o") else { throw .usage("missing -o OUT.graph", command: "import") }
        let path = arguments.positionals[0]
        let model = try ModelLoading.load(path)
        let written = try ModelLoading.within(model) { () throws(DiagnosticError) in
            try model.writeGraph(to: output, header: "# imported from \((path as NSString).lastPathComponent) by lepton import\n")
        }
        let graph = try ModelLoading.within(model) { () throws(DiagnosticError) in try model.graph(named: nil) }
        Console.print("wrote \(written.joined(separator: ", ")): \(graph.name), \(graph.inputs.count) inputs, "
            + "\(graph.params.count) params, \(graph.nodes.count) ops")
    }
}
