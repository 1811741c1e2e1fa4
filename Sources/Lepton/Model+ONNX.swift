import Foundation

extension Model {
    /// The ONNX model at `path` imported as a one-graph model (`Model.load` calls this for
    /// `.onnx` files, so everything that runs a `.graph` runs an `.onnx` too).
    public static func importONNX(contentsOf path: String) throws(DiagnosticError) -> Model {
        let graph = try ONNXFile.importGraph(path)
        let directory = (path as NSString).deletingLastPathComponent
        return Model(module: Module(graphs: [graph], baseDirectory: directory.isEmpty ? "." : directory), source: "", path: path)
    }

    /// Params with at most this many elements stay inline in an imported `.graph`.
    public static let inlineParameterLimit = 16

    /// Writes the model's entry graph as `.graph` text at `path`, params larger than
    /// `inlineParameterLimit` elements in an `.npz` beside it (`model.graph` → `model.npz`),
    /// smaller ones inline. The archive is written first and both writes are atomic. Returns
    /// the paths written.
    @discardableResult
    public func writeGraph(to path: String, header: String) throws(DiagnosticError) -> [String] {
        var graph = try graph(named: nil)
        let values = try parameters.tensors(for: graph, baseDirectory: module.baseDirectory)
        let archivePath = (path.hasSuffix(".graph") ? String(path.dropLast(6)) : path) + ".npz"
        let archiveName = (archivePath as NSString).lastPathComponent
        var archived: [(name: String, tensor: Tensor)] = []
        for (index, param) in graph.params.enumerated() {
            let name = graph.name(of: param.value)
            if values[index].count > Self.inlineParameterLimit {
                archived.append((name, values[index]))
                graph.params[index].initializer = .load(path: archiveName, key: name)
            } else {
                graph.params[index].initializer = .tensor(values[index])
            }
        }
        var written: [String] = []
        let location = SourceLocation(file: path, line: 0, column: 0)
        do throws(TensorIOError) {
            if !archived.isEmpty {
                try NPZ.write(archived, to: archivePath)
                written.append(archivePath)
            }
            let text = header + Printer.print(Module(graphs: [graph], baseDirectory: module.baseDirectory))
            try FileIO.writeAtomically(Array(text.utf8), to: path)
            written.append(path)
        } catch {
            throw DiagnosticError(at: location, "\(error.path): \(error.message)")
        }
        return written
    }

    /// A model of an already-lowered module (an import, a generated graph); `source` is the
    /// text diagnostics quote, empty when there is none.
    public init(module: Module, source: String = "", path: String) {
        self.module = module
        self.source = source
        self.path = path
    }
}
