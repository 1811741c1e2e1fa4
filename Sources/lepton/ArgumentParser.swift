/// A command line split into positionals and option values, validated against a `CommandSpec`.
struct ParsedArguments {
    var command: String
    var positionals: [String] = []
    /// Every value of each option, in command-line order; flags map to `[""]`.
    var options: [String: [String]] = [:]
    var wantsHelp = false

    /// The last value of a single-valued option.
    func value(_ name: String) -> String? { options[name]?.last }
    func values(_ name: String) -> [String] { options[name] ?? [] }
}

/// Hand-written, table-driven parsing: `--name value`, `--name=value`, `--help` anywhere.
enum ArgumentParser {
    static func parse(_ arguments: [String], for command: CommandSpec) throws(CLIError) -> ParsedArguments {
        var parsed = ParsedArguments(command: command.name)
        var index = 0
        func usage(_ message: String) -> CLIError { .usage(message, command: command.name) }
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--help" || argument == "-h" {
                parsed.wantsHelp = true
                continue
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                parsed.positionals.append(argument)
                continue
            }
            let (name, inlineValue) = split(argument)
            guard let option = command.option(named: name) else { throw usage("unknown option '\(name)'") }
            var value = ""
            if let placeholder = option.value {
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else { throw usage("option '\(name)' needs a value (\(placeholder))") }
                    value = arguments[index]
                    index += 1
                }
            } else if inlineValue != nil {
                throw usage("option '\(name)' takes no value")
            }
            guard option.repeatable || parsed.options[name] == nil else { throw usage("option '\(name)' given more than once") }
            parsed.options[name, default: []].append(value)
        }
        if parsed.wantsHelp || command.options.contains(where: { $0.standalone && parsed.options[$0.name] != nil }) {
            return parsed
        }
        if parsed.positionals.count < command.positionals.count {
            throw usage("missing \(command.positionals[parsed.positionals.count]) argument")
        }
        if parsed.positionals.count > command.positionals.count {
            throw usage("unexpected argument '\(parsed.positionals[command.positionals.count])'")
        }
        return parsed
    }

    /// `--name=value` -> ("--name", "value"); `--name` -> ("--name", nil).
    private static func split(_ argument: String) -> (String, String?) {
        guard let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}
