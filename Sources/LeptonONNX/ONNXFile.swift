import Foundation
import LeptonIR

/// Reading an `.onnx` file into a Lepton graph: the public entry of the importer.
public enum ONNXFile {
    /// The file at `path`, mapped and decoded (no tensor data is copied yet).
    public static func read(_ path: String) throws(DiagnosticError) -> (model: ONNXModel, bytes: AlignedBytes) {
        let location = SourceLocation(file: path, line: 0, column: 0)
        let bytes: AlignedBytes
        do throws(TensorIOError) {
            bytes = try FileIO.map(path)
        } catch {
            throw DiagnosticError(at: location, error.message)
        }
        do throws(ONNXError) {
            return (try ONNXModel(decoding: bytes, path: path), bytes)
        } catch {
            throw DiagnosticError(at: location, error.message)
        }
    }

    /// The Lepton graph of the ONNX model at `path` (constants folded, params holding the
    /// initializers' values).
    public static func importGraph(_ path: String) throws(DiagnosticError) -> Graph {
        let (model, bytes) = try read(path)
        return try importGraph(model, bytes: bytes, path: path)
    }

    /// The Lepton graph of `model`, whose raw tensor data lies in `bytes` (external data files
    /// are looked up beside `path`).
    public static func importGraph(_ model: ONNXModel, bytes: AlignedBytes, path: String) throws(DiagnosticError) -> Graph {
        try ONNXImport.graph(of: model, bytes: bytes, path: path)
    }
}
