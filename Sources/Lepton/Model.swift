import Foundation

/// A `.graph` file parsed and lowered, ready to inspect or run.
///
/// Parameters are materialized the first time a graph runs and cached for later runs (the
/// cache is shared by copies of the model and rebuilt if `module` is changed).
public struct Model: Sendable {
    /// The lowered graphs of the file.
    public var module: Module
    /// The file's text, kept to render diagnostics with their source line.
    public var source: String
    /// The path diagnostics name.
    public var path: String
    let parameters = ParameterCache()

    /// Reads and parses the `.graph` file at `path` (or imports it, for an `.onnx` file).
    public static func load(contentsOf path: String) throws(DiagnosticError) -> Model {
        if path.lowercased().hasSuffix(".onnx") { return try importONNX(contentsOf: path) }
        let fileLocation = SourceLocation(file: path, line: 0, column: 0)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DiagnosticError(at: fileLocation, "no such file")
        }
        guard !isDirectory.boolValue else { throw DiagnosticError(at: fileLocation, "is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiagnosticError(at: fileLocation, "cannot read file")
        }
        guard let source = String(data: data, encoding: .utf8) else {
            throw DiagnosticError(at: fileLocation, "file is not valid UTF-8")
        }
        return try Model(source: source, path: path)
    }

    /// Parses `source`; `path` names it in diagnostics and anchors `load("…")` paths.
    public init(source: String, path: String) throws(DiagnosticError) {
        self.module = try Frontend.parse(source: source, path: path)
        self.source = source
        self.path = path
    }

    /// The graph called `name`, or the entry graph (the file's last) when `name` is nil.
    public func graph(named name: String?) throws(DiagnosticError) -> Graph {
        let fileLocation = SourceLocation(file: path, line: 0, column: 0)
        guard let name else {
            guard let entry = module.entry else { throw DiagnosticError(at: fileLocation, "file defines no runnable graph") }
            return entry
        }
        guard let graph = module.graph(named: name) else {
            let names = module.graphs.map(\.name).joined(separator: ", ")
            throw DiagnosticError(at: fileLocation, "no graph named '\(name)' (graphs: \(names.isEmpty ? "none" : names))")
        }
        return graph
    }
}
