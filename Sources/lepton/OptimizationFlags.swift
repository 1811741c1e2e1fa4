import Lepton

/// The optimizer options `run` and `dump` share: `-O0|-O1|-O2`, `--passes`, `--dump-after`,
/// `--verify-each`, `--print-passes`.
enum OptimizationFlags {
    static let options: [OptionSpec] = [
        OptionSpec("-O0", "run no passes"),
        OptionSpec("-O1", "simplify, fold, cse, dce"),
        OptionSpec("-O2", "-O1 plus inference folding and fusion"),
        OptionSpec("--passes", value: "A,B,C", "run exactly these passes, in order (instead of an -O level)"),
        OptionSpec("--dump-after", value: "PASS|all", repeatable: true,
                   "print the graph after PASS (or after every pass), with notes, to stdout"),
        OptionSpec("--verify-each", "verify the graph after every pass (always on in debug builds)"),
        OptionSpec("--print-passes", standalone: true, "list the passes and the -O pipelines, then exit"),
    ]

    static let levels = ["-O0": 0, "-O1": 1, "-O2": 2]

    /// Whether any flag chose what to run (a level, a pass list or a dump).
    static func choosesPasses(_ arguments: ParsedArguments) -> Bool {
        levels.keys.contains { arguments.options[$0] != nil }
            || arguments.value("--passes") != nil || !arguments.values("--dump-after").isEmpty
    }

    /// The options the flags ask for; `defaultLevel` when no `-O` or `--passes` is given.
    static func parse(_ arguments: ParsedArguments, defaultLevel: Int) throws(CLIError) -> OptimizationOptions {
        func usage(_ message: String) -> CLIError { .usage(message, command: arguments.command) }
        let given = levels.filter { arguments.options[$0.key] != nil }
        guard given.count <= 1 else { throw usage("give one of -O0, -O1, -O2") }
        var options = OptimizationOptions(level: given.first?.value ?? defaultLevel)
        if let list = arguments.value("--passes") {
            guard given.isEmpty else { throw usage("--passes replaces the -O level; give one or the other") }
            let names = list.split(separator: ",").map(String.init)
            for name in names where Passes.named(name) == nil { throw usage(unknownPass(name)) }
            options.passes = names
        }
        var dumped = Set<String>()
        for list in arguments.values("--dump-after") {
            for name in list.split(separator: ",").map(String.init) {
                guard name == "all" || Passes.named(name) != nil else { throw usage(unknownPass(name)) }
                dumped.insert(name)
            }
        }
        options.dumpAfter = dumped.isEmpty ? .none : dumped.contains("all") ? .all : .passes(dumped)
        options.dump = { Console.print(String($0.dropLast())) }
        options.printOptions = PrintOptions(elideTensorsLargerThan: 64)  // dumps are for reading
        options.verifyEach = arguments.options["--verify-each"] != nil
        return options
    }

    static func unknownPass(_ name: String) -> String {
        "unknown pass '\(name)' (see --print-passes; passes: \(Passes.all.map(\.name).joined(separator: ", ")))"
    }

    /// `--print-passes`: every pass with its summary, then each -O pipeline.
    static func passList() -> String {
        let width = Passes.all.map(\.name.count).max() ?? 0
        var lines = ["passes:"]
        lines += Passes.all.map { "  \($0.name.padding(width))  \($0.summary)" }
        lines.append("pipelines:")
        for level in 0...2 {
            let names = Passes.pipeline(level: level).map(\.name)
            lines.append("  -O\(level)  \(names.isEmpty ? "(no passes)" : names.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}
