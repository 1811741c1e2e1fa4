import Lepton

/// Help texts, generated from the command table so they cannot drift from what is parsed.
enum Help {
    static func general() -> String {
        let width = Commands.all.map(\.name.count).max() ?? 0
        let commands = Commands.all.map { "  \($0.name.padding(width))  \($0.summary)" }.joined(separator: "\n")
        return """
        lepton \(leptonVersion): compile and run computation graphs written in the .graph language

        usage: lepton COMMAND [arguments] [options]

        commands:
        \(commands)
          \("help".padding(width))  show help for a command

        options:
          --help     show this help (also: lepton help COMMAND, lepton COMMAND --help)
          --version  print the version
        """
    }

    static func command(_ command: CommandSpec) -> String {
        let labels = command.options.map { $0.name + ($0.value.map { " \($0)" } ?? "") }
        let width = max(labels.map(\.count).max() ?? 0, "--help".count)
        var lines = ["usage: lepton \(command.name) \(command.positionals.joined(separator: " ")) [options]", "", command.summary]
        if !command.details.isEmpty { lines += ["", command.details] }
        lines += ["", "options:"]
        for (option, label) in zip(command.options, labels) {
            lines.append("  \(label.padding(width))  \(option.help)\(option.repeatable ? " (repeatable)" : "")")
        }
        lines.append("  \("--help".padding(width))  show this help")
        return lines.joined(separator: "\n")
    }

    /// `lepton help [COMMAND]`.
    static func run(_ arguments: [String]) throws(CLIError) {
        guard let name = arguments.first else {
            Console.print(general())
            return
        }
        guard arguments.count == 1 else { throw .usage("help takes one command name", command: nil) }
        guard let command = Commands.named(name) else { throw .usage("unknown command '\(name)'", command: nil) }
        Console.print(Help.command(command))
    }
}

extension String {
    /// Left-aligned in a column of `width` characters.
    func padding(_ width: Int) -> String {
        self + String(repeating: " ", count: max(0, width - count))
    }
}
