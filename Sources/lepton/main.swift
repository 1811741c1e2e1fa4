import Foundation

// Thin shell: everything happens in `CLI.main`, which returns the exit code.
exit(CLI.main(Array(CommandLine.arguments.dropFirst())))
