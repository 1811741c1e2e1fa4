import Foundation

/// Materialized parameters per graph, shared by copies of a `Model`. A class because the
/// cache has identity: it is filled once and read by every later run.
final class ParameterCache: @unchecked Sendable {
    private struct Entry {
        var graph: Graph
        var baseDirectory: String
        var tensors: [Tensor]
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    /// The parameters of `graph`, materialized on first use. An entry is reused only for the
    /// very same graph and base directory, so a model whose module was edited stays correct.
    func tensors(for graph: Graph, baseDirectory: String) throws(DiagnosticError) -> [Tensor] {
        lock.lock()
        let cached = entries[graph.name]
        lock.unlock()
        if let cached, cached.baseDirectory == baseDirectory, cached.graph == graph { return cached.tensors }
        // Materialize outside the lock: a race only costs duplicate work, never a wrong answer.
        let tensors = try materializeParameters(of: graph, baseDirectory: baseDirectory)
        lock.lock()
        entries[graph.name] = Entry(graph: graph, baseDirectory: baseDirectory, tensors: tensors)
        lock.unlock()
        return tensors
    }
}
