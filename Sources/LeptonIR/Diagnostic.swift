/// Where something came from in the user's text. Lines and columns count from 1.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// For things made by the compiler that have no better origin.
    public static let unknown = SourceLocation(file: "<unknown>", line: 0, column: 0)

    public var description: String { "\(file):\(line):\(column)" }
}

/// A message for the user about their input, pointing at the text it concerns.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String

    public init(_ severity: Severity = .error, at location: SourceLocation, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    /// `file:line:col: error: message` — the first line of every rendered diagnostic.
    public var description: String { "\(location): \(severity.rawValue): \(message)" }

    /// The one-line form followed by the offending source line and a caret under the column.
    public func rendered(source: String?) -> String {
        guard let source, location.line >= 1 else { return description }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard location.line <= lines.count else { return description }
        let text = lines[location.line - 1].replacingTabs()
        let caretColumn = max(1, min(location.column, text.count + 1))
        return description + "\n" + text + "\n" + String(repeating: " ", count: caretColumn - 1) + "^"
    }
}

/// One or more user errors; what every user-facing API throws.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
    public init(at location: SourceLocation, _ message: String) {
        self.diagnostics = [Diagnostic(at: location, message)]
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

private extension Substring {
    /// Tabs become single spaces so the caret lines up with the column count.
    func replacingTabs() -> String { String(self.map { $0 == "\t" ? " " : $0 }) }
}
