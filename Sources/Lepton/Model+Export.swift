import Foundation

extension Model {
    /// The graph called `name` (the entry graph when nil) as an ONNX model, after the passes
    /// `options` select (default none: the graph as written), with its params' values as
    /// initializers. ONNX has the plain ops, not the fused or pre-packed ones -O2 makes, so
    /// export at -O0 or -O1. `opset` nil picks the lowest the graph's ops allow.
    public func exportONNX(graph name: String? = nil, options: OptimizationOptions = OptimizationOptions(level: 0),
                           opset: Int64? = nil) throws(DiagnosticError) -> ONNXModel {
        let optimized = try optimized(graph: name, options: options)
        var model = try ONNXExport.model(of: optimized.graph, parameters: optimized.parameters, opset: opset)
        model.producerVersion = leptonVersion
        return model
    }

    /// Writes `exportONNX`'s model to `path` atomically; returns it.
    @discardableResult
    public func writeONNX(to path: String, graph name: String? = nil, options: OptimizationOptions = OptimizationOptions(level: 0),
                          opset: Int64? = nil) throws(DiagnosticError) -> ONNXModel {
        let model = try exportONNX(graph: name, options: options, opset: opset)
        do throws(TensorIOError) {
            try FileIO.writeAtomically(model.encoded(), to: path)
        } catch {
            throw DiagnosticError(at: SourceLocation(file: path, line: 0, column: 0), error.message)
        }
        return model
    }
}
