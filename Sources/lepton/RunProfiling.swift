import Lepton

/// `lepton run --profile` / `--trace FILE`: run the compiled graph `--warmup` times untimed,
/// then `--runs` times profiled (`CompiledGraph.profile`), and print the per-op table and/or
/// write the Chrome trace. The formatting is the library's (`ExecutorProfile.table`,
/// `traceJSON()`); this only reads the options and puts the results where they go.
struct RunProfiling {
    static let options: [OptionSpec] = [
        OptionSpec("--profile", "after the outputs, print a per-op table of where the time went (slowest first)"),
        OptionSpec("--trace", value: "FILE", "write a Chrome trace / Perfetto timeline of the profiled runs (JSON)"),
        OptionSpec("--runs", value: "R", "with --profile/--trace: profiled runs (default 10; times are means per run)"),
        OptionSpec("--warmup", value: "W", "with --profile/--trace: untimed runs first (default 1)"),
    ]

    var table: Bool
    var tracePath: String?
    var runs: Int
    var warmup: Int

    /// The profiling the command line asks for; nil when it asks for none.
    static func parse(_ arguments: ParsedArguments, options: OptimizationOptions) throws(CLIError) -> RunProfiling? {
        let table = arguments.options["--profile"] != nil
        let tracePath = arguments.value("--trace")
        guard table || tracePath != nil else {
            for option in ["--runs", "--warmup"] where arguments.value(option) != nil {
                throw RunCommand.usage("\(option) only applies with --profile or --trace")
            }
            return nil
        }
        if tracePath?.isEmpty == true { throw RunCommand.usage("--trace needs a file name") }
        guard options.passes != nil || options.level > 0 else {
            throw RunCommand.usage("--profile and --trace time the executor; -O0 runs the reference interpreter (use -O1 or -O2)")
        }
        return RunProfiling(table: table, tracePath: tracePath, runs: try count(arguments, "--runs", default: 10, minimum: 1),
                            warmup: try count(arguments, "--warmup", default: 1, minimum: 0))
    }

    /// Compiles and profiles; the outputs of the last run, and the profile.
    func run(_ model: Model, graph: String, inputs: [String: Tensor], options: OptimizationOptions,
             threads: Int?) throws(CLIError) -> (outputs: [(name: String, tensor: Tensor)], profile: ExecutorProfile) {
        try ModelLoading.within(model) { () throws(DiagnosticError) in
            try model.compile(graph: graph, options: options, threads: threads).profile(inputs, runs: runs, warmup: warmup)
        }
    }

    /// The table (with --profile) and the trace file (with --trace), after the outputs.
    func report(_ profile: ExecutorProfile) throws(CLIError) {
        if table { Console.print(profile.table) }
        guard let tracePath else { return }
        do throws(TensorIOError) {
            try FileIO.writeAtomically(Array(profile.traceJSON().utf8), to: tracePath)
        } catch {
            throw .failure(error.description)
        }
        Console.print("wrote \(tracePath) (trace of \(profile.runs.count) run\(profile.runs.count == 1 ? "" : "s"))")
    }

    private static func count(_ arguments: ParsedArguments, _ option: String, default value: Int, minimum: Int) throws(CLIError) -> Int {
        guard let text = arguments.value(option) else { return value }
        guard let n = Int(text), n >= minimum else { throw RunCommand.usage("\(option) needs an integer of at least \(minimum), got '\(text)'") }
        return n
    }
}
