import Foundation
import Lepton

/// `lepton run FILE.graph --input x=x.npy ...`: run a graph and summarize (and save) its outputs.
enum RunCommand {
    static let spec = CommandSpec(
        name: "run", summary: "run a graph on inputs from .npy files, inline literals or random values",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("--input", value: "NAME=VALUE", repeatable: true,
                       "VALUE is a .npy file or an inline literal like '[[1, 2], [3, 4]]'"),
            OptionSpec("--random-inputs", value: "SEED", "fill inputs not given by --input with seeded random values"),
            OptionSpec("--dim", value: "SYMBOL=SIZE", repeatable: true, "size of a symbolic dimension for random inputs"),
            OptionSpec("--graph", value: "NAME", "the graph to run (default: the last in the file)"),
            OptionSpec("--threads", value: "T", "threads per kernel (default: the active processor count)"),
            OptionSpec("--output-dir", value: "DIR", "write each output to DIR/<name>.npy"),
            OptionSpec("--timing", "print to stderr how long loading (parse, optimize, plan — or read and check an artifact) and the run took"),
        ] + RunProfiling.options + OptimizationFlags.options,
        details: """
        inline literals take the dtype of the declared input. random inputs come from one
        SplitMix64(SEED) stream, drawn in input order: floats uniform in [-1, 1), ints in [0, 10),
        bools true with probability 1/2. the graph is optimized at -O2 unless -O0/-O1 or --passes
        says otherwise; --dump-after prints the intermediate graphs before the outputs.
        --profile prints per op (slowest first) its mean time per run, its % of all ops' time
        and GFLOP/s (ops doing at least a flop per byte moved) or GB/s (bytes read + written),
        then the total and how it fits in a run's wall clock. --trace writes every step and
        every thread's share of a split kernel as a Chrome trace (ui.perfetto.dev).
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        if arguments.options["--print-passes"] != nil { return Console.print(OptimizationFlags.passList()) }
        if arguments.positionals[0].hasSuffix(".lepton") { return try runArtifact(arguments) }
        let options = try OptimizationFlags.parse(arguments, defaultLevel: 2)
        let started = ContinuousClock.now
        let model = try ModelLoading.load(arguments.positionals[0])
        let graph = try ModelLoading.within(model) { () throws(DiagnosticError) in
            try model.graph(named: arguments.value("--graph"))
        }
        var builder = InputBuilder(model: model, graph: graph)
        try builder.addGiven(arguments.values("--input"))
        if let seed = arguments.value("--random-inputs") {
            guard let seed = UInt64(seed) else { throw usage("--random-inputs needs a non-negative integer seed, got '\(seed)'") }
            try builder.addRandom(seed: seed, dims: try DimOption.parse(arguments.values("--dim"), command: "run"))
        } else if !arguments.values("--dim").isEmpty {
            throw usage("--dim only applies with --random-inputs")
        }
        try builder.requireAll()
        let threads = try threads(arguments)
        let profiling = try RunProfiling.parse(arguments, options: options)
        var profile: ExecutorProfile?
        var loaded = ContinuousClock.now
        let outputs: [(name: String, tensor: Tensor)]
        if let profiling {
            (outputs, profile) = try profiling.run(model, graph: graph.name, inputs: builder.inputs, options: options, threads: threads)
        } else {
            outputs = try ModelLoading.within(model) { () throws(DiagnosticError) in
                if options.passes == nil, options.level <= 0 {  // as written, on the reference interpreter
                    return try model.run(graph: graph.name, inputs: builder.inputs, options: options, threads: threads)
                }
                let compiled = try model.compile(graph: graph.name, options: options, threads: threads)
                loaded = ContinuousClock.now
                return try compiled.run(builder.inputs)
            }
        }
        timing(arguments, load: loaded - started, run: ContinuousClock.now - loaded)
        try report(outputs, arguments)
        if let profiling, let profile { try profiling.report(profile) }
    }

    /// A compiled artifact: loaded and run as compiled (no passes; -O flags do not apply).
    static func runArtifact(_ arguments: ParsedArguments) throws(CLIError) {
        let path = arguments.positionals[0]
        for flag in OptimizationFlags.options.map(\.name) where arguments.options[flag] != nil {
            throw usage("\(flag) does not apply to a compiled artifact (it runs as it was compiled)")
        }
        let render = { (error: DiagnosticError) in error.rendered(source: nil, path: path) }
        let threads = try threads(arguments)
        let started = ContinuousClock.now
        let compiled: CompiledGraph
        do throws(DiagnosticError) {
            compiled = try CompiledGraph(artifact: Artifact.load(contentsOf: path), threads: threads)
        } catch {
            throw .failure(render(error))
        }
        var builder = InputBuilder(graph: compiled.graph, render: render)
        try builder.addGiven(arguments.values("--input"))
        if let seed = arguments.value("--random-inputs") {
            guard let seed = UInt64(seed) else { throw usage("--random-inputs needs a non-negative integer seed, got '\(seed)'") }
            try builder.addRandom(seed: seed, dims: try DimOption.parse(arguments.values("--dim"), command: "run"))
        }
        let loaded = ContinuousClock.now
        try builder.requireAll()
        let ran = ContinuousClock.now
        let outputs: [(name: String, tensor: Tensor)]
        do throws(DiagnosticError) {
            outputs = try compiled.run(builder.inputs)
        } catch {
            throw .failure(render(error))
        }
        timing(arguments, load: loaded - started, run: ContinuousClock.now - ran)
        try report(outputs, arguments)
    }

    /// `--timing`: the two phases, on stderr so outputs stay clean.
    static func timing(_ arguments: ParsedArguments, load: Duration, run: Duration) {
        guard arguments.value("--timing") != nil else { return }
        func ms(_ d: Duration) -> String { String(format: "%.2f ms", Double(d.components.attoseconds) * 1e-15 + Double(d.components.seconds) * 1e3) }
        Console.error("load \(ms(load))  run \(ms(run))")
    }

    /// `--threads T`, nil when not given.
    static func threads(_ arguments: ParsedArguments) throws(CLIError) -> Int? {
        guard let text = arguments.value("--threads") else { return nil }
        guard let n = Int(text), n >= 1 else { throw .usage("--threads needs an integer of at least 1, got '\(text)'", command: arguments.command) }
        return n
    }

    /// Prints each output's summary and writes it under `--output-dir`.
    static func report(_ outputs: [(name: String, tensor: Tensor)], _ arguments: ParsedArguments) throws(CLIError) {
        let directory = arguments.value("--output-dir")
        if let directory { try createDirectory(directory) }
        for (name, tensor) in outputs {
            Console.print(TensorSummary.describe(name: name, tensor))
            guard let directory else { continue }
            let path = (directory as NSString).appendingPathComponent("\(name).npy")
            do throws(TensorIOError) {
                try NPY.write(tensor, to: path)
            } catch {
                throw .failure(error.description)
            }
            Console.print("  wrote \(path)")
        }
    }

    static func usage(_ message: String) -> CLIError { .usage(message, command: "run") }

    private static func createDirectory(_ path: String) throws(CLIError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .failure("\(path): error: not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .failure("\(path): error: cannot create directory")
        }
    }
}
