import Lepton

/// `lepton dump FILE.graph [--graph NAME]`: the lowered IR, as valid .graph text.
enum DumpCommand {
    static let spec = CommandSpec(
        name: "dump", summary: "print the lowered IR (graph calls inlined, every value typed)",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("--graph", value: "NAME", "print only this graph"),
            OptionSpec("--full-tensors", "print every tensor value (default: tensors over 64 elements are elided)"),
        ],
        details: "", run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        let model = try ModelLoading.load(arguments.positionals[0])
        var module = model.module
        if let name = arguments.value("--graph") {
            let graph = try ModelLoading.within(model) { () throws(DiagnosticError) in try model.graph(named: name) }
            module.graphs = [graph]
        }
        // The printer ends each graph with a newline; print adds one more.
        let text = Printer.print(module, options: dumpOptions(arguments))
        Console.print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }

    /// Tensors over this many elements are elided unless `--full-tensors` (a dump is for reading).
    static let elisionLimit = 64

    static func dumpOptions(_ arguments: ParsedArguments) -> PrintOptions {
        PrintOptions(elideTensorsLargerThan: arguments.value("--full-tensors") == nil ? elisionLimit : nil)
    }
}
