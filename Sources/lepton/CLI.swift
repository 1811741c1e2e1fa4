import Foundation
import Lepton

/// Why a command stopped. Usage errors (exit 2) are mistakes in the command line itself;
/// failures (exit 1) are problems with the user's files or data, already rendered.
enum CLIError: Error {
    /// A bad command line; `command` selects the help the hint points to.
    case usage(String, command: String?)
    /// A user error, rendered in full (diagnostics with source line and caret).
    case failure(String)
}

/// Dispatch from the first argument to a command.
enum CLI {
    static func main(_ arguments: [String]) -> Int32 {
        do throws(CLIError) {
            try dispatch(arguments)
            return 0
        } catch {
            switch error {
            case .usage(let message, let command):
                let prefix = command.map { "lepton \($0)" } ?? "lepton"
                let help = command.map { "lepton \($0) --help" } ?? "lepton --help"
                Console.error("\(prefix): error: \(message)\nsee '\(help)'")
                return 2
            case .failure(let rendered):
                Console.error(rendered)
                return 1
            }
        }
    }

    private static func dispatch(_ arguments: [String]) throws(CLIError) {
        guard let first = arguments.first else { throw .usage("missing command", command: nil) }
        switch first {
        case "--help", "-h":
            Console.print(Help.general())
        case "--version":
            Console.print("lepton \(leptonVersion)")
        case "help":
            try Help.run(Array(arguments.dropFirst()))
        default:
            guard let command = Commands.named(first) else {
                throw .usage(first.hasPrefix("-") ? "unknown option '\(first)'" : "unknown command '\(first)'", command: nil)
            }
            let parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), for: command)
            if parsed.wantsHelp {
                Console.print(Help.command(command))
            } else {
                try command.run(parsed)
            }
        }
    }
}

/// Where output goes: results to stdout, errors to stderr.
enum Console {
    static func print(_ text: String) {
        Swift.print(text)
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
