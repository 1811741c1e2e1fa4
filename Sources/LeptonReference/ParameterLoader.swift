import LeptonIR

/// Reads `load(...)` initializers, caching each `.npz` so a file holding many params is read
/// once per materialization.
struct ParameterLoader {
    let baseDirectory: String
    private var archives: [String: [(name: String, tensor: Tensor)]] = [:]

    init(baseDirectory: String) { self.baseDirectory = baseDirectory }

    /// The tensor stored at `path` (relative to the base directory unless absolute), or array
    /// `key` of an `.npz`. Errors name the param and the path as the user wrote it.
    mutating func load(_ path: String, key: String?, paramName: String, location: SourceLocation) throws(DiagnosticError) -> Tensor {
        func fail(_ message: String) -> DiagnosticError { DiagnosticError(at: location, "param \(paramName): \(message)") }
        let resolved = path.hasPrefix("/") || baseDirectory.isEmpty ? path : "\(baseDirectory)/\(path)"
        let isArchive = path.hasSuffix(".npz")
        if !isArchive, let key { throw fail("key '\(key)' given but '\(path)' is not an .npz") }
        let arrays: [(name: String, tensor: Tensor)]
        do throws(TensorIOError) {
            arrays = isArchive ? try archive(resolved) : [("", try NPY.read(contentsOf: resolved))]
        } catch {
            throw fail("cannot read '\(path)': \(error.message)")
        }
        guard isArchive else { return arrays[0].tensor }
        let names = arrays.isEmpty ? "no arrays" : arrays.map(\.name).joined(separator: ", ")
        guard let key else { throw fail("loading '\(path)' needs key: (it holds \(names))") }
        guard let match = arrays.first(where: { $0.name == key }) else {
            throw fail("'\(path)' has no array '\(key)' (it holds \(names))")
        }
        return match.tensor
    }

    private mutating func archive(_ path: String) throws(TensorIOError) -> [(name: String, tensor: Tensor)] {
        if let cached = archives[path] { return cached }
        let arrays = try NPZ.read(contentsOf: path)
        archives[path] = arrays
        return arrays
    }
}
