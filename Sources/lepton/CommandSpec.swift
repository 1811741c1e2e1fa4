/// One `--option` a command accepts.
struct OptionSpec: Sendable {
    let name: String
    /// Placeholder for the option's value in help (`SEED`); nil for a flag without a value.
    let value: String?
    let repeatable: Bool
    /// Like `--help`: the command needs no positional arguments when this is given.
    let standalone: Bool
    let help: String

    init(_ name: String, value: String? = nil, repeatable: Bool = false, standalone: Bool = false, _ help: String) {
        self.name = name
        self.value = value
        self.repeatable = repeatable
        self.standalone = standalone
        self.help = help
    }
}

/// A subcommand: its arguments, options, help text and what it does.
struct CommandSpec: Sendable {
    let name: String
    let summary: String
    /// The positional arguments, as shown in usage (`FILE.graph`); each is required.
    let positionals: [String]
    let options: [OptionSpec]
    /// Extra paragraphs for `lepton help CMD`.
    let details: String
    let run: @Sendable (ParsedArguments) throws(CLIError) -> Void

    func option(named name: String) -> OptionSpec? { options.first { $0.name == name } }
}

/// The command table: the single place commands are declared.
enum Commands {
    static let all: [CommandSpec] = [
        CheckCommand.spec, RunCommand.spec, DumpCommand.spec, VizCommand.spec, BenchCommand.spec, TrainCommand.spec, EvalCommand.spec,
        CompileCommand.spec, ImportCommand.spec, ExportCommand.spec,
    ]

    static func named(_ name: String) -> CommandSpec? { all.first { $0.name == name } }
}
