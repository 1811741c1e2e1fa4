extension Model {
    /// Every diagnostic of `error` as the user should see it: `file:line:col: error: message`,
    /// then the source line and a caret under the column when the location is in this file.
    public func render(_ error: DiagnosticError) -> String {
        error.rendered(source: source, path: path)
    }
}

extension DiagnosticError {
    /// The diagnostics rendered against `source` (the text of the file at `path`, if known).
    /// Whole-file problems (line 0) print as `file: error: message`.
    public func rendered(source: String?, path: String) -> String {
        diagnostics.map { diagnostic in
            let location = diagnostic.location
            let severity = diagnostic.severity.rawValue
            if location == .unknown { return "\(severity): \(diagnostic.message)" }
            if location.line == 0 { return "\(location.file): \(severity): \(diagnostic.message)" }
            return diagnostic.rendered(source: location.file == path ? source : nil)
        }.joined(separator: "\n")
    }
}
