import Foundation
import Testing
import Lepton

/// ONNX export as a user relies on it: every example graph exports, its bytes decode and
/// import back to a graph that computes bit-identical outputs; import → export → import is a
/// fixpoint; ops ONNX lacks are listed in one error; a model trained with `lepton train`
/// exports with its trained weights. (Tools/onnx_export_check.py runs the same files on
/// onnxruntime.)
@Suite struct ONNXExportTests {
    /// The examples' entry graphs (all are made of ops ONNX has) and the export fixtures.
    static let examples = ["mlp", "lenet", "resblock", "lstm", "transformer", "textclf", "cifar_cnn", "face_cnn",
                           "mobilenet_v2", "digits_mlp", "digits_cnn", "xor"].map { "graphs/\($0).graph" }
    static let fixtures = ["every_op", "gelu", "symbolic_windows", "one_hot"].map { "Tests/LeptonTests/Fixtures/onnx_export/\($0).graph" }

    static func load(_ file: String) throws -> Model {
        try Model.load(contentsOf: TestPaths.repositoryRoot.appendingPathComponent(file).path)
    }

    /// `onnx` encoded, decoded and imported: what `lepton run model.onnx` would run.
    static func reimported(_ onnx: ONNXModel) throws -> Graph {
        let bytes = AlignedBytes(copying: onnx.encoded())
        let decoded = try ONNXModel(decoding: bytes, path: "exported.onnx")
        return try ONNXFile.importGraph(decoded, bytes: bytes, path: "exported.onnx")
    }

    /// `graph` run by the reference interpreter on seeded inputs (batch dims of 2; 1 for the
    /// 224×224 models, to keep the reference convolutions quick).
    static func outputs(of graph: Graph, parameters: [Tensor], inputs: [String: Tensor]) throws -> [Tensor] {
        try Interpreter(graph: graph, parameters: parameters).run(inputs)
    }

    static func inputs(for graph: Graph) -> [String: Tensor] {
        let large = graph.inputs.contains { graph.type(of: $0).shape.last == .fixed(224) }
        return randomInputs(graph, bindings: ["N": large ? 1 : 2, "B": 1])
    }

    @Test(arguments: examples + fixtures)
    func exportsAndImportsBackToTheSameOutputs(file: String) throws {
        let model = try Self.load(file)
        let original = try model.optimized(graph: nil, level: 0)
        let imported = try Self.reimported(try model.exportONNX())
        let inputs = Self.inputs(for: original.graph)
        let expected = try Self.outputs(of: original.graph, parameters: original.parameters, inputs: inputs)
        let actual = try Self.outputs(of: imported, parameters: materializeParameters(of: imported, baseDirectory: "."), inputs: inputs)
        try #require(actual.count == expected.count)
        for (k, (a, e)) in zip(actual, expected).enumerated() {
            let identical = a == e  // bitwise: the same reference kernels run the same ops
            #expect(identical, "\(file) output \(original.graph.name(of: original.graph.outputs[k])): \(mismatch(a, e, rtol: 0, atol: 0) ?? "")")
        }
        #expect(imported.inputs.map { imported.type(of: $0) } == original.graph.inputs.map { original.graph.type(of: $0) })
        #expect(imported.outputs.map { imported.name(of: $0) } == original.graph.outputs.map { original.graph.name(of: $0) })
    }

    /// Every file at the opset chosen for it, and the fixture of every op at 18 too (where
    /// reductions take their axes and Split its piece count in another form).
    static let fixpointCases: [(String, Int64?)] = (examples + fixtures).map { ($0, nil) } + [(fixtures[0], 18)]

    @Test(arguments: fixpointCases)
    func importExportImportGivesTheSameGraph(file: String, opset: Int64?) throws {
        let first = try Self.reimported(try Self.load(file).exportONNX(opset: opset))
        let again = try ONNXExport.model(of: first, parameters: materializeParameters(of: first, baseDirectory: "."), opset: opset)
        let second = try Self.reimported(again)
        let (printed, printedFirst) = (Printer.print(second), Printer.print(first))
        let firstDifference = zip(printed.split(separator: "\n"), printedFirst.split(separator: "\n")).first { $0 != $1 }
        #expect(printed == printedFirst, "first differing line: \(firstDifference.map { "\($0.0) vs \($0.1)" } ?? "none")")
        let sameGraph = second.withoutLocations() == first.withoutLocations()
        #expect(sameGraph, "the re-imported graphs differ")
        let third = try ONNXExport.model(of: second, parameters: materializeParameters(of: second, baseDirectory: "."), opset: opset)
        let sameBytes = third.encoded() == again.encoded()
        #expect(sameBytes, "exporting the re-imported graph gives other bytes")
    }

    @Test func inputsOutputsAndParamsKeepTheirNamesTypesAndValues() throws {
        let model = try Self.load("graphs/mlp.graph")
        let onnx = try model.exportONNX()
        #expect(onnx.opset == 17 && onnx.irVersion == 8 && onnx.producerName == "lepton")
        #expect(onnx.graph.name == "mlp")
        let input = try #require(onnx.graph.inputs.first)
        #expect(input.name == "x" && input.elementType == ONNXDataType.float.rawValue && input.shape == [.param("N"), .value(784)])
        #expect(onnx.graph.outputs.map(\.name) == ["probs"] && onnx.graph.outputs[0].shape == [.param("N"), .value(10)])
        let graph = try model.graph(named: nil)
        let values = try materializeParameters(of: graph, baseDirectory: model.module.baseDirectory)
        for (param, value) in zip(graph.params, values) {
            let initializer = try #require(onnx.graph.initializers.first { $0.name == graph.name(of: param.value) })
            #expect(initializer.dims == value.shape.map { Int64($0) })
            guard case .raw(let bytes) = initializer.payload else { Issue.record("\(initializer.name) is not raw_data"); continue }
            #expect(bytes == value.littleEndianBytes)
        }
    }

    @Test func attributesONNXTakesAsInputsBecomeInitializers() throws {
        let source = """
        graph shapes(x: f32[N, 6]) -> (y: f32[N, 2, 3], z: f32[N, 4], w: f32[N, 2, 2]) {
          y = reshape(clip(x, max: 6), shape: [0, 2, -1])
          z = slice(x, starts: [1], ends: [5], axes: [1])
          a, b = split(y, axis: 2, sizes: [2, 1])
          w = reduce_mean(reshape(a, shape: [0, 2, 2, 1]), axes: [3], keepdims: false)
        }
        """
        let onnx = try ONNXExport.model(of: try parseGraph(source), parameters: [])
        let byName = Dictionary(uniqueKeysWithValues: onnx.graph.initializers.map { ($0.name, $0) })
        func node(_ output: String) -> ONNXNode? { onnx.graph.nodes.first { $0.outputs.first == output } }
        #expect(node("y")?.inputs.count == 2 && byName[node("y")!.inputs[1]]?.dims == [3])
        #expect(node("z")?.inputs.count == 4, "Slice(data, starts, ends, axes), no steps")
        #expect(node("a")?.opType == "Split" && node("a")?.outputs == ["a", "b"] && node("a")?.inputs.count == 2)
        // At opset 17 ReduceMean's axes are an attribute; from 18 an input.
        #expect(node("w")?.inputs.count == 1 && node("w")?.attribute("axes") != nil)
        let clip = try #require(onnx.graph.nodes.first { $0.opType == "Clip" })
        #expect(clip.inputs.count == 3 && clip.inputs[1] == "", "no lower bound: the min input is left empty")
        let later = try ONNXExport.model(of: try parseGraph(source), parameters: [], opset: 18)
        #expect(later.graph.nodes.first { $0.outputs.first == "w" }?.inputs.count == 2)
    }

    @Test func oneHotGetsItsDepthAndValuesAsInitializers() throws {
        let onnx = try Self.load("Tests/LeptonTests/Fixtures/onnx_export/one_hot.graph").exportONNX()
        let node = try #require(onnx.graph.nodes.first { $0.outputs == ["counts"] })
        #expect(node.opType == "OneHot" && node.inputs.count == 3)
        let depth = try #require(onnx.graph.initializers.first { $0.name == node.inputs[1] })
        let values = try #require(onnx.graph.initializers.first { $0.name == node.inputs[2] })
        #expect(depth.dataType == ONNXDataType.int64.rawValue && depth.dims == [])
        #expect(values.dataType == ONNXDataType.int64.rawValue && values.dims == [2])
    }

    @Test func opsONNXLacksAreAllListedInOneError() throws {
        let model = try Self.load("Tests/LeptonTests/Fixtures/roundtrip/training_ops.graph")
        let error = #expect(throws: DiagnosticError.self) { try model.exportONNX() }
        let diagnostics = error?.diagnostics ?? []
        let ops = diagnostics.compactMap { $0.message.split(separator: " ").dropFirst(2).first.map(String.init) }
        #expect(ops == ["scatter_add", "max_pool2d_grad", "avg_pool2d_grad", "conv2d_weight_grad", "cross_entropy",
                        "binary_cross_entropy", "mse"])
        #expect(diagnostics.allSatisfy { $0.location.line > 0 }, "each points at its node in the source")
        #expect(diagnostics.first?.message
            == "cannot export scatter_add to ONNX: a gradient op ONNX does not have; export the model's graph, not its training graph")
    }

    @Test func optimizedKernelsAreRefusedWithTheLevelsThatExport() throws {
        let model = try Self.load("graphs/lenet.graph")
        let error = #expect(throws: DiagnosticError.self) { try model.exportONNX(options: OptimizationOptions(level: 2)) }
        let messages = error?.diagnostics.map(\.message) ?? []
        #expect(!messages.isEmpty && messages.allSatisfy { $0.hasSuffix("export works on the plain graph: use -O0 or -O1") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("cannot export fused to ONNX (") })
        _ = try model.exportONNX(options: OptimizationOptions(level: 1))
    }

    @Test func theOpsetIsTheLowestThatWorksAndCanBeRaised() throws {
        #expect(try Self.load("graphs/transformer.graph").exportONNX().opset == 20)
        #expect(try Self.load("graphs/mlp.graph").exportONNX(opset: 21).irVersion == 10)
        let gelu = try Self.load("Tests/LeptonTests/Fixtures/onnx_export/gelu.graph")
        let error = #expect(throws: DiagnosticError.self) { try gelu.exportONNX(opset: 17) }
        #expect(error?.diagnostics.first?.message == "cannot export gelu to ONNX opset 17: ONNX has it from opset 20")
        let tooOld = #expect(throws: DiagnosticError.self) { try gelu.exportONNX(opset: 13) }
        #expect(tooOld?.diagnostics.first?.message.hasPrefix("cannot export to ONNX opset 13: Lepton writes opsets 17 to") == true)
    }
}
