import Foundation
import LeptonIR

/// The `.graph` language front end: text in, a lowered, type-checked `Module` out.
public enum Frontend {
    /// Parses and lowers `source`. `path` names the file in diagnostics; `load("…")` paths
    /// are relative to its directory. Throws every error found, sorted by position.
    public static func parse(source: String, path: String) throws(DiagnosticError) -> Module {
        let (file, syntaxErrors) = Parser.parse(source, file: path)
        if !syntaxErrors.isEmpty {
            throw DiagnosticError(syntaxErrors.sorted(by: precedes))
        }
        let directory = (path as NSString).deletingLastPathComponent
        return try Lowering.lower(file, baseDirectory: directory.isEmpty ? "." : directory)
    }

    /// Reads and parses the `.graph` file at `path`.
    public static func parse(contentsOf path: String) throws(DiagnosticError) -> Module {
        guard let data = FileManager.default.contents(atPath: path), let source = String(data: data, encoding: .utf8) else {
            throw DiagnosticError(at: SourceLocation(file: path, line: 0, column: 0), "cannot read file '\(path)'")
        }
        return try parse(source: source, path: path)
    }

    static func precedes(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        (a.location.line, a.location.column) < (b.location.line, b.location.column)
    }
}
