import Foundation
import LeptonIR

extension ONNXImport {
    /// The opsets whose semantics the op table follows: 13 (where axes, pads, shapes and split
    /// sizes became inputs) through 28 (ONNX 1.23), checked against ONNX Runtime by the cases
    /// of Tests/LeptonTests/Fixtures/onnx_ops (Tools/gen_onnx_goldens.py).
    static let supportedOpsets: ClosedRange<Int64> = 13...28

    /// The Lepton graph of `model` (read from `path`, whose bytes hold raw tensor data).
    static func graph(of model: ONNXModel, bytes: AlignedBytes, path: String) throws(DiagnosticError) -> Graph {
        let directory = (path as NSString).deletingLastPathComponent
        var importer = ONNXImport(model: model, bytes: bytes, path: path, directory: directory.isEmpty ? "." : directory)
        try importer.importGraph(model)
        return importer.graph
    }

    private mutating func importGraph(_ model: ONNXModel) throws(DiagnosticError) {
        var onnx = model.graph
        guard Self.supportedOpsets.contains(opset) else {
            throw DiagnosticError(at: location, "ONNX opset \(opset) (default domain); Lepton imports opsets "
                + "\(Self.supportedOpsets.lowerBound) to \(Self.supportedOpsets.upperBound): re-export with opset_version in that range")
        }
        try checkEveryOpIsSupported(onnx)
        graph.name = identifier(onnx.name.isEmpty ? "main" : onnx.name)
        for initializer in onnx.initializers {
            known[initializer.name] = .tensor(try tensor(initializer, bytes: fileBytes))
        }
        fuseGeluPatterns(&onnx)
        consumed = Set(onnx.nodes.flatMap(\.inputs) + onnx.outputs.map(\.name))
        // Unnamed dynamic dims get fresh symbols that no dim_param of the file uses.
        var symbols = UniqueNames()
        for input in onnx.inputs {
            for case .param(let name) in input.shape ?? [] { symbols.reserve(symbol(name)) }
        }
        for input in onnx.inputs where known[input.name] == nil {
            let what = "graph input '\(input.name)'"
            let dtype = try dtype(input.elementType, what)
            guard let shape = input.shape else { throw DiagnosticError(at: location, "\(what) has no shape (its rank must be known)") }
            var dims: [Dim] = []
            for dim in shape {
                switch dim {
                case .value(let n):
                    guard n >= 0, n <= Int64(Int32.max) else { throw DiagnosticError(at: location, "\(what) has dimension \(n)") }
                    dims.append(.fixed(Int(n)))
                case .param(let name): dims.append(.symbol(symbol(name)))
                case .unknown:
                    dims.append(.symbol(symbols.claim(symbol("\(input.name)_dim\(dims.count)"))))
                }
            }
            let id = graph.addValue(identifier(input.name), TensorType(dtype, dims), at: location)
            graph.inputs.append(id)
            values[input.name] = id
        }
        for (index, onnxNode) in onnx.nodes.enumerated() {
            node = onnxNode
            nodeIndex = index
            guard let conversion = Self.conversions[onnxNode.opType] else { continue }  // checked above
            // Results are named after the outputs; optional ones may be "" (an LSTM's Y), not all.
            guard onnxNode.outputs.contains(where: { !$0.isEmpty }) else { throw fail("has no output") }
            try convert(conversion)
        }
        node = ONNXNode("", inputs: [], outputs: [])
        for output in onnx.outputs {
            var id = try operand(output.name)
            if graph.inputs.contains(id) || graph.outputs.contains(id) { id = try temporary(.identity, [id]) }
            graph.outputs.append(id)
        }
        graph = graph.canonicalized()
        do throws(DiagnosticError) {
            try graph.verify()
        } catch {
            throw DiagnosticError(at: location, "the imported graph does not verify: \(error.diagnostics.first?.message ?? "")")
        }
    }

    /// A `dim_param` as a symbol name (an identifier, shared by every input that names it).
    private func symbol(_ name: String) -> String { Self.sanitized(name, prefix: "d") }

    /// Every op the file uses that Lepton cannot map, listed at once.
    private func checkEveryOpIsSupported(_ onnx: ONNXGraph) throws(DiagnosticError) {
        var problems: [Diagnostic] = []
        var seen = Set<String>()
        for (index, node) in onnx.nodes.enumerated() {
            let domain = node.domain == "ai.onnx" ? "" : node.domain
            guard !domain.isEmpty || Self.conversions[node.opType] == nil else { continue }
            guard seen.insert("\(node.domain)/\(node.opType)").inserted else { continue }
            let name = node.name.isEmpty ? "" : " '\(node.name)'"
            let op = domain.isEmpty ? node.opType : "\(domain).\(node.opType)"
            problems.append(Diagnostic(at: location, "unsupported ONNX op \(op) (first at node \(index)\(name), opset \(opset))"))
        }
        guard problems.isEmpty else { throw DiagnosticError(problems) }
    }
}
