import Lepton

/// `lepton viz FILE.graph [--after PASS | -O0|-O1|-O2] [--format mermaid|dot|svg] [-o OUT]`:
/// a picture of one graph (the library's `GraphPicture`), for users who would rather look
/// than read the IR.
enum VizCommand {
    static let spec = CommandSpec(
        name: "viz", summary: "draw a graph as a Mermaid flowchart, Graphviz DOT or SVG",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("--graph", value: "NAME", "the graph to draw (default: the last in the file)"),
            OptionSpec("--after", value: "PASS", "draw the graph after PASS of the -O2 pipeline (its first run, if it runs twice)"),
            OptionSpec("--format", value: "FORMAT", "mermaid (default), dot, or svg (needs Graphviz's 'dot' on PATH)"),
            OptionSpec("-o", value: "OUT", "write the picture to OUT (atomically) instead of printing it"),
            OptionSpec("--dim", value: "SYMBOL=SIZE", repeatable: true, "show SYMBOL as SIZE in the shapes"),
        ] + OptimizationFlags.options.filter { OptimizationFlags.levels[$0.name] != nil },
        details: """
        draws the graph as written (-O0) unless -O1/-O2 or --after PASS is given. ops are boxes
        labelled with the op, its non-default attributes and its result types; the params and
        constants an op reads are lines in its box; inputs and outputs are rounded and
        coloured; each fused kernel is a frame around the ops of its body. the same input
        always gives the same text. paste mermaid into a ```mermaid block (GitHub draws it);
        render dot with Graphviz: dot -Tsvg graph.dot -o graph.svg.
        """,
        run: run)

    static let formats = ["mermaid", "dot", "svg"]

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        let format = arguments.value("--format") ?? "mermaid"
        guard formats.contains(format) else {
            throw usage("unknown format '\(format)' (formats: \(formats.joined(separator: ", ")))")
        }
        let dims = try DimOption.parse(arguments.values("--dim"), command: "viz")
        let options = try optimizationOptions(arguments)
        let model = try ModelLoading.load(arguments.positionals[0])
        var graph = try ModelLoading.within(model) { () throws(DiagnosticError) in
            // As written, nothing needs the weights: a picture must not fail on a missing .npy.
            guard let options else { return try model.graph(named: arguments.value("--graph")) }
            return try model.optimized(graph: arguments.value("--graph"), options: options).graph
        }
        try DimOption.check(dims, against: graph, command: "viz")
        graph = graph.bindingSymbols(dims)
        let picture = GraphPicture(graph)
        let text = switch format {
        case "dot": picture.dot
        case "svg": try svg(picture)
        default: picture.mermaid
        }
        guard let path = arguments.value("-o") else {
            return Console.print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        }
        do throws(TensorIOError) {
            try FileIO.writeAtomically(Array(text.utf8), to: path)
        } catch {
            throw .failure(error.description)
        }
    }

    /// The passes to draw after: none (nil: the graph as written), an -O level's, or the -O2
    /// pipeline up to and including the first run of `--after PASS`.
    static func optimizationOptions(_ arguments: ParsedArguments) throws(CLIError) -> OptimizationOptions? {
        let levels = OptimizationFlags.levels.filter { arguments.options[$0.key] != nil }
        guard levels.count <= 1 else { throw usage("give one of -O0, -O1, -O2") }
        guard let pass = arguments.value("--after") else {
            let level = levels.first?.value ?? 0
            return level == 0 ? nil : OptimizationOptions(level: level)
        }
        guard levels.isEmpty else { throw usage("--after PASS draws after a pass of the -O2 pipeline; give it or an -O level, not both") }
        let pipeline = Passes.pipelineNames(level: 2)
        guard let index = pipeline.firstIndex(of: pass) else {
            var seen: Set<String> = []
            let names = pipeline.filter { seen.insert($0).inserted }.joined(separator: ", ")
            throw usage("--after: '\(pass)' is not a pass of the -O2 pipeline (its passes: \(names))")
        }
        return OptimizationOptions(level: 2, passes: Array(pipeline[...index]))
    }

    static func svg(_ picture: GraphPicture) throws(CLIError) -> String {
        do throws(GraphvizError) {
            return try Graphviz.svg(fromDOT: picture.dot)
        } catch {
            switch error {
            case .notFound:
                throw .failure("lepton viz: error: --format svg needs Graphviz's 'dot' on PATH (not found); use --format dot and render it elsewhere")
            case .failed(let message):
                throw .failure("lepton viz: error: \(message)")
            }
        }
    }

    static func usage(_ message: String) -> CLIError { .usage(message, command: "viz") }
}
