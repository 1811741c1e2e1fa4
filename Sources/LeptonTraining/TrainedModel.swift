import Foundation
import LeptonIR
import LeptonTensor

/// Writing a trained model back out: a `.graph` whose params load from an `.npz` beside it.
///
/// Every param of the graph goes into the archive (trained or not), so the written model
/// stands alone: a `load("mlp/w2.npy")` relative to the original file would break once the
/// model is written somewhere else. The text is the printed IR of the trained graph with its
/// train block, so it can be run, evaluated, or trained further.
public enum TrainedModel {
    /// `graph` with each param's initializer replaced by `load(archive, key: name)`.
    public static func loadingParameters(of graph: Graph, from archive: String) -> Graph {
        var copy = graph
        for i in copy.params.indices {
            copy.params[i].initializer = .load(path: archive, key: graph.name(of: graph.params[i].value))
        }
        return copy
    }

    /// Writes `<path>` (a `.graph`) and the `.npz` beside it with `parameters` (every param of
    /// `graph` by name), or only the archive when `path` ends in `.npz`. Both writes are atomic;
    /// the archive is written first, so the graph never names an archive that is not there.
    /// Returns the paths written.
    @discardableResult
    public static func write(graph: Graph, training: TrainingSpec?, parameters: [String: Tensor], baseDirectory: String,
                             to path: String) throws(DiagnosticError) -> [String] {
        var arrays: [(name: String, tensor: Tensor)] = []
        for param in graph.params {
            let name = graph.name(of: param.value)
            guard let tensor = parameters[name] else { throw trainingError("internal: no value for param '\(name)'") }
            arrays.append((name, tensor))
        }
        let isArchiveOnly = path.hasSuffix(".npz")
        let archivePath = isArchiveOnly ? path : (path.hasSuffix(".graph") ? String(path.dropLast(6)) : path) + ".npz"
        do throws(TensorIOError) {
            try NPZ.write(arrays, to: archivePath)
        } catch {
            throw trainingError(error.message, path: error.path)
        }
        guard !isArchiveOnly else { return [archivePath] }
        let archiveName = (archivePath as NSString).lastPathComponent
        let module = Module(graphs: [loadingParameters(of: graph, from: archiveName)], baseDirectory: baseDirectory,
                            training: training.map { [$0] } ?? [])
        let text = "# trained by lepton train; params in \(archiveName)\n" + Printer.print(module)
        do throws(TensorIOError) {
            try FileIO.writeAtomically(Array(text.utf8), to: path)
        } catch {
            throw trainingError(error.message, path: error.path)
        }
        return [archivePath, path]
    }
}
