import Lepton

/// `lepton dump FILE.graph [--graph NAME]`: the lowered IR, as valid .graph text, optionally
/// after optimization passes.
enum DumpCommand {
    static let spec = CommandSpec(
        name: "dump", summary: "print the lowered IR (graph calls inlined, every value typed)",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("--graph", value: "NAME", "print only this graph"),
            OptionSpec("--full-tensors", "print every tensor value (default: tensors over 64 elements are elided)"),
            OptionSpec("--memory", "print the memory plan of the graph (entry graph unless --graph) instead"),
            OptionSpec("--dim", value: "SYMBOL=SIZE", repeatable: true, "size of a symbolic dimension for --memory"),
            OptionSpec("--threads", value: "T", "plan --memory for T threads: concurrent stages and their lifetimes (default 1)"),
            OptionSpec("--grad", "print the training graph of the train block with its backward part (needs --dim for symbols)"),
        ] + OptimizationFlags.options,
        details: """
        prints the graph as written (-O0) unless -O1/-O2, --passes or --dump-after is given;
        --dump-after alone uses -O2. with --dump-after only the selected intermediate graphs
        are printed, each headed '# after PASS (changed|unchanged)' and its '# note:' lines;
        otherwise the final graph, after its notes.
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        if arguments.options["--print-passes"] != nil { return Console.print(OptimizationFlags.passList()) }
        let model = try ModelLoading.load(arguments.positionals[0])
        if arguments.value("--memory") != nil { return try MemoryDump.run(model, arguments) }
        if arguments.value("--grad") != nil { return try dumpGradient(model, arguments) }
        var module = model.module
        if let name = arguments.value("--graph") {
            let graph = try ModelLoading.within(model) { () throws(DiagnosticError) in try model.graph(named: name) }
            module.graphs = [graph]
        }
        var notes: [String] = []
        if OptimizationFlags.choosesPasses(arguments) {
            var options = try OptimizationFlags.parse(arguments, defaultLevel: 2)
            options.printOptions = dumpOptions(arguments)
            for index in module.graphs.indices {
                let optimized = try ModelLoading.within(model) { () throws(DiagnosticError) in
                    try model.optimized(graph: module.graphs[index].name, options: options)
                }
                module.graphs[index] = optimized.graph
                notes += optimized.notes
            }
            if options.dumpAfter != .none { return }
        }
        // The printer ends each graph with a newline; print adds one more.
        let text = notes.map { "# note: \($0)\n" }.joined() + Printer.print(module, options: dumpOptions(arguments))
        Console.print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }

    /// The differentiated training graph (loss, outputs, then `grad.<param>` per trained param),
    /// for the symbol sizes `--dim` gives; optimized when -O1/-O2 or --passes say so.
    static func dumpGradient(_ model: Model, _ arguments: ParsedArguments) throws(CLIError) {
        let dims = try DimOption.parse(arguments.values("--dim"), command: "dump")
        let level = OptimizationFlags.choosesPasses(arguments) ? try OptimizationFlags.parse(arguments, defaultLevel: 2).level : 0
        var graph = try ModelLoading.within(model) { () throws(DiagnosticError) in
            let program = try model.trainer(graph: arguments.value("--graph"), threads: 1, level: level).program
            let missing = program.training.graph.inputSymbols.filter { dims[$0] == nil }
            if !missing.isEmpty {
                throw DiagnosticError(at: SourceLocation(file: model.path, line: 0, column: 0),
                                      "--grad differentiates for known sizes: give " + missing.map { "--dim \($0)=SIZE" }.joined(separator: " "))
            }
            let gradient = try program.gradientGraph(dims)
            return level > 0 ? try program.optimize(gradient).graph : gradient
        }
        graph.name += ".train"
        let text = Printer.print(graph, options: dumpOptions(arguments))
        Console.print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
    }

    /// Tensors over this many elements are elided unless `--full-tensors` (a dump is for reading).
    static let elisionLimit = 64

    static func dumpOptions(_ arguments: ParsedArguments) -> PrintOptions {
        PrintOptions(elideTensorsLargerThan: arguments.value("--full-tensors") == nil ? elisionLimit : nil)
    }
}
