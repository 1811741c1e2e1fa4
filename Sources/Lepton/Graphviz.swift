import Foundation

/// Why Graphviz could not draw a picture.
public enum GraphvizError: Error, Hashable, Sendable {
    /// No executable `dot` in any directory of the search path.
    case notFound
    /// `dot` ran and failed; its own message (or how it ended).
    case failed(String)
}

/// Runs Graphviz's `dot`, found on the search path, to lay out DOT text (`GraphPicture.dot`).
/// Graphviz is not a dependency of Lepton: only this optional step needs it, and without it
/// the DOT text can be drawn anywhere else.
public enum Graphviz {
    /// The path of the first executable `dot` in the directories of `searchPath` (`PATH`'s
    /// form: colon-separated); nil when there is none.
    public static func dotExecutable(searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        let directories = (searchPath ?? "").split(separator: ":", omittingEmptySubsequences: true)
        return directories.lazy.map { String($0) + "/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `dot -Tsvg` of `dotText`: the SVG document.
    public static func svg(fromDOT dotText: String,
                           searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) throws(GraphvizError) -> String {
        guard let executable = dotExecutable(searchPath: searchPath) else { throw .notFound }
        // Files, not pipes: writing the input while the output fills a pipe could deadlock.
        let scratch = NSTemporaryDirectory() + "lepton-viz-\(UUID().uuidString)"
        let (input, output, errors) = (scratch + ".dot", scratch + ".svg", scratch + ".err")
        defer { for path in [input, output, errors] { try? FileManager.default.removeItem(atPath: path) } }
        do {
            try Data(dotText.utf8).write(to: URL(fileURLWithPath: input))
            _ = FileManager.default.createFile(atPath: errors, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = ["-Tsvg", input, "-o", output]
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            let message = (try? String(contentsOfFile: errors, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard process.terminationReason == .exit, process.terminationStatus == 0 else {
                let ending = process.terminationReason == .exit ? "exit status \(process.terminationStatus)" : "signal \(process.terminationStatus)"
                throw GraphvizError.failed("\(executable) failed (\(ending))" + (message.isEmpty ? "" : ": \(message)"))
            }
            return try String(contentsOfFile: output, encoding: .utf8)
        } catch let error as GraphvizError {
            throw error
        } catch {
            throw .failed("could not run \(executable): \(error.localizedDescription)")
        }
    }
}
