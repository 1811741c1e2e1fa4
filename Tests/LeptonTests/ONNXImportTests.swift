import Foundation
import Testing
@testable import LeptonONNX
import Lepton

/// The ONNX reader and importer against hostile and unusual files: truncations, bit flips and
/// byte mutations never crash (an error, or a graph that verifies and runs), lengths past the
/// end, absurd sizes and deep nesting are refused before anything is allocated, unsupported
/// ops are listed together, and `lepton import`'s text parses back to the imported graph.
@Suite struct ONNXImportTests {
    /// A small classifier in the forms exporters write: Gemm with transB, a Shape → Gather →
    /// Unsqueeze → Concat → Reshape chain over a symbolic batch, Softmax.
    static func classifier() -> ONNXModel {
        var model = ONNXModel()
        model.opsets = ["": 17]
        model.producerName = "test"
        var g = ONNXGraph()
        g.name = "classifier"
        g.inputs = [ONNXValueInfo(name: "input.1", elementType: .float, shape: [.param("batch"), .value(2), .value(3)])]
        g.outputs = [ONNXValueInfo(name: "probs", elementType: .float, shape: [.param("batch"), .value(4)])]
        let w = (0..<24).map { Float($0) / 10 - 1 }
        g.initializers = [
            ONNXTensor(name: "fc.weight", dataType: .float, dims: [4, 6], payload: .raw(w.flatMap { bytes(of: $0) })),
            ONNXTensor(name: "fc.bias", dataType: .float, dims: [4], payload: .floats([0.1, -0.2, 0.3, 0])),
            ONNXTensor(name: "zero", dataType: .int64, dims: [], payload: .int64s([0])),
            ONNXTensor(name: "minus_one", dataType: .int64, dims: [1], payload: .int64s([-1])),
            ONNXTensor(name: "axes0", dataType: .int64, dims: [1], payload: .int64s([0])),
        ]
        g.nodes = [
            ONNXNode("Shape", inputs: ["input.1"], outputs: ["/Shape_output_0"]),
            ONNXNode("Gather", inputs: ["/Shape_output_0", "zero"], outputs: ["/Gather_output_0"], attributes: [ONNXAttribute("axis", .int(0))]),
            ONNXNode("Unsqueeze", inputs: ["/Gather_output_0", "axes0"], outputs: ["/Unsqueeze_output_0"]),
            ONNXNode("Concat", inputs: ["/Unsqueeze_output_0", "minus_one"], outputs: ["/Concat_output_0"], attributes: [ONNXAttribute("axis", .int(0))]),
            ONNXNode("Reshape", inputs: ["input.1", "/Concat_output_0"], outputs: ["/Reshape_output_0"]),
            ONNXNode("Gemm", inputs: ["/Reshape_output_0", "fc.weight", "fc.bias"], outputs: ["/fc/Gemm_output_0"], name: "/fc/Gemm",
                     attributes: [ONNXAttribute("transB", .int(1))]),
            ONNXNode("Softmax", inputs: ["/fc/Gemm_output_0"], outputs: ["probs"], attributes: [ONNXAttribute("axis", .int(-1))]),
        ]
        model.graph = g
        return model
    }

    static func bytes(of value: Float) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }

    static func importing(_ bytes: [UInt8]) throws -> Graph {
        let aligned = AlignedBytes(copying: bytes)
        do {
            let model = try ONNXModel(decoding: aligned, path: "m.onnx")
            return try ONNXFile.importGraph(model, bytes: aligned, path: "m.onnx")
        } catch let error as ONNXError {
            throw error
        }
    }

    static func message(_ bytes: [UInt8]) -> String {
        do { _ = try importing(bytes); return "" } catch { return String(describing: error) }
    }

    @Test func classifierImportsWithSymbolicBatchAndRuns() throws {
        let graph = try Self.importing(Self.classifier().encoded())
        #expect(graph.name == "classifier")
        #expect(graph.type(of: graph.inputs[0]).description == "f32[batch, 2, 3]")
        #expect(graph.name(of: graph.inputs[0]) == "input_1")
        // The shape chain folded into reshape(…, shape: [0, -1]): no Shape/Gather/Concat nodes.
        #expect(graph.nodes.map(\.op) == [.reshape, .gemm, .softmax])
        #expect(graph.nodes[0].attributes.ints("shape") == [0, -1])
        let model = Model(importedGraph: graph)
        let x = Tensor(shape: [2, 2, 3], scalars: (0..<12).map { Float($0) / 6 })
        let reference = try model.run(inputs: ["input_1": x], level: 0)[0].tensor
        let optimized = try model.compile(threads: 2).run(["input_1": x])[0].tensor
        let sums = try #require(reference.scalars(as: Float.self))
        #expect(abs(sums[0..<4].reduce(0, +) - 1) < 1e-6)
        #expect(reference.shape == [2, 4])
        #expect(try #require(optimized.scalars(as: Float.self)).elementsEqual(sums) { abs($0 - $1) <= 1e-6 })
    }

    /// Unnamed dynamic dims get fresh symbols that no dim_param uses; keyword-like names are
    /// made identifiers; the printed graph parses back.
    @Test func dynamicDimsBecomeSymbolsThatPrintAndParse() throws {
        var model = ONNXModel()
        model.opsets = ["": 17]
        var g = ONNXGraph()
        g.inputs = [
            ONNXValueInfo(name: "x", elementType: .float, shape: [.unknown, .param("nan"), .param("x_dim0")]),
            ONNXValueInfo(name: "y", elementType: .float, shape: [.unknown, .param("nan"), .value(1)]),
        ]
        g.outputs = [ONNXValueInfo(name: "u", elementType: .float, shape: []), ONNXValueInfo(name: "v", elementType: .float, shape: [])]
        g.nodes = [ONNXNode("Relu", inputs: ["x"], outputs: ["u"]), ONNXNode("Relu", inputs: ["y"], outputs: ["v"])]
        model.graph = g
        let graph = try Self.importing(model.encoded())
        #expect(graph.inputs.map { graph.type(of: $0).description } == ["f32[x_dim0_2, nan_, x_dim0]", "f32[y_dim0, nan_, 1]"])
        let text = Printer.print(graph)
        #expect(try Frontend.parse(source: text, path: "p.graph").graphs.map { $0.withoutLocations() } == [graph.withoutLocations()])
    }

    /// Every prefix of the file, and many damaged copies: an error or a graph that runs.
    @Test func truncationsAndMutationsNeverCrash() throws {
        let bytes = Self.classifier().encoded()
        for length in 0..<bytes.count {
            if let graph = try? Self.importing(Array(bytes.prefix(length))) { try Self.runSafely(graph) }
        }
        var random = SplitMix64(seed: 3)
        var refused = 0
        // LEPTON_FUZZ_ITERATIONS=200000 swift test --filter ONNXImportTests runs a longer campaign.
        let iterations = ProcessInfo.processInfo.environment["LEPTON_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 1500
        for _ in 0..<iterations {
            var damaged = bytes
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let index = Int(random.next() % UInt64(bytes.count))
                damaged[index] = random.next() % 2 == 0 ? damaged[index] ^ UInt8(1 << (random.next() % 8)) : UInt8(truncatingIfNeeded: random.next())
            }
            if let graph = try? Self.importing(damaged) { try Self.runSafely(graph) } else { refused += 1 }
        }
        #expect(refused > 100)
    }

    /// The same campaign over every op case's model (all the converters, their attribute and
    /// constant-input checks): byte mutations and damaged attribute values never crash.
    @Test func mutatedOpCasesNeverCrash() throws {
        var random = SplitMix64(seed: ProcessInfo.processInfo.environment["LEPTON_FUZZ_SEED"].flatMap { UInt64($0) } ?? 17)
        let perCase = ProcessInfo.processInfo.environment["LEPTON_FUZZ_ITERATIONS"].flatMap { Int($0) }.map { max(1, $0 / 100) } ?? 12
        for golden in ONNXOpManifest.runnable {
            let bytes = try golden.model(arrays: golden.arrays()).encoded()
            for _ in 0..<perCase {
                var damaged = bytes
                for _ in 0..<(1 + Int(random.next() % 2)) {
                    let index = Int(random.next() % UInt64(bytes.count))
                    damaged[index] = UInt8(truncatingIfNeeded: random.next())
                }
                if let graph = try? Self.importing(damaged) { try Self.runSafely(graph) }
            }
        }
    }

    static func runSafely(_ graph: Graph) throws {
        let model = Model(importedGraph: graph)
        let sizes = Dictionary(uniqueKeysWithValues: graph.inputSymbols.map { ($0, 2) })
        let elements = graph.inputs.map { id in
            graph.type(of: id).shape.reduce(1) { total, dim in
                switch dim {
                case .fixed(let n): total.multipliedReportingOverflow(by: n).overflow ? Int.max : total * n
                case .symbol: total * 2
                }
            }
        }
        guard elements.allSatisfy({ $0 >= 0 && $0 <= 1 << 16 }) else { return }
        _ = try? model.run(inputs: randomInputs(graph, bindings: sizes), level: 0)
    }

    @Test func hostileSizesAreRefusedBeforeAllocating() throws {
        var huge = Self.classifier()
        huge.graph.initializers[0] = ONNXTensor(name: "fc.weight", dataType: .float, dims: [1 << 40, 1 << 40], payload: .raw([0, 0, 0, 0]))
        #expect(Self.message(huge.encoded()).contains("too large"))
        var short = Self.classifier()
        short.graph.initializers[0] = ONNXTensor(name: "fc.weight", dataType: .float, dims: [4, 6], payload: .raw([0, 0, 0, 0]))
        #expect(Self.message(short.encoded()).contains("needs 24 float elements, its data has 1"))
        // A length-delimited field claiming far more bytes than the file has.
        var w = ProtoWriter()
        w.varint(7 << 3 | 2)
        w.varint(1 << 62)
        #expect(Self.message(w.bytes).contains("with only 0 left (truncated file?)"))
        // A varint that never ends.
        #expect(Self.message([0x08] + [UInt8](repeating: 0xFF, count: 12)).contains("varint"))
        // Graphs nested in attributes far deeper than any real model.
        var nested = ONNXGraph()
        for _ in 0..<80 {
            var outer = ONNXGraph()
            outer.nodes = [ONNXNode("If", inputs: ["c"], outputs: ["y"], attributes: [ONNXAttribute("then_branch", .graph(nested))])]
            nested = outer
        }
        var deep = ONNXModel()
        deep.opsets = ["": 17]
        deep.graph = nested
        #expect(Self.message(deep.encoded()).contains("nests messages deeper than 64 levels"))
        // Groups, which ONNX never writes.
        #expect(Self.message([0x0B]).contains("groups"))
        #expect(Self.message([]).contains("not an ONNX model: no graph"))
    }

    /// PyTorch's GELU before opset 20 (Div by √2, Erf, Add 1, Mul x, Mul 0.5, in both orders)
    /// imports as one gelu, equal to the five ops within rounding; a pattern whose middle value
    /// is read elsewhere stays five ops.
    @Test func erfGeluPatternsBecomeGelu() throws {
        func model(halfFirst: Bool, leak: Bool) -> ONNXModel {
            var m = ONNXModel()
            m.opsets = ["": 17]
            var g = ONNXGraph()
            g.inputs = [ONNXValueInfo(name: "x", elementType: .float, shape: [.value(2), .value(5)])]
            g.outputs = [ONNXValueInfo(name: "y", elementType: .float, shape: [.value(2), .value(5)])]
            if leak { g.outputs.append(ONNXValueInfo(name: "e", elementType: .float, shape: [.value(2), .value(5)])) }
            g.initializers = [
                ONNXTensor(name: "sqrt2", dataType: .float, dims: [], payload: .floats([1.4142135])),
                ONNXTensor(name: "one", dataType: .float, dims: [], payload: .floats([1])),
            ]
            g.nodes = [
                ONNXNode("Div", inputs: ["x", "sqrt2"], outputs: ["d"]),
                ONNXNode("Erf", inputs: ["d"], outputs: ["e"]),
                ONNXNode("Add", inputs: ["e", "one"], outputs: ["a"]),
                ONNXNode("Constant", inputs: [], outputs: ["half"], attributes: [ONNXAttribute("value_float", .float(0.5))]),
            ]
            g.nodes += halfFirst
                ? [ONNXNode("Mul", inputs: ["half", "x"], outputs: ["h"]), ONNXNode("Mul", inputs: ["h", "a"], outputs: ["y"])]
                : [ONNXNode("Mul", inputs: ["a", "x"], outputs: ["m"]), ONNXNode("Mul", inputs: ["m", "half"], outputs: ["y"])]
            m.graph = g
            return m
        }
        let x = Tensor(shape: [2, 5], scalars: (0..<10).map { Float($0) / 2 - 2.5 })
        for halfFirst in [false, true] {
            let fused = try Self.importing(model(halfFirst: halfFirst, leak: false).encoded())
            #expect(fused.nodes.map(\.op) == [.gelu])
            let kept = try Self.importing(model(halfFirst: halfFirst, leak: true).encoded())
            #expect(kept.nodes.count == 5)
            let a = try Model(importedGraph: fused).run(inputs: ["x": x], level: 0)[0].tensor
            let b = try Model(importedGraph: kept).run(inputs: ["x": x], level: 0)[0].tensor
            let (p, q) = (try #require(a.scalars(as: Float.self)), try #require(b.scalars(as: Float.self)))
            #expect(zip(p, q).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) }, "\(p) vs \(q)")
        }
    }

    /// The CLI on .onnx files: import writes text that runs; run takes the file directly;
    /// damaged files and unsupported ops are one error line each, exit code 1.
    @Test func commandLineTakesONNXFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-cli-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let onnxPath = directory.appendingPathComponent("classifier.onnx").path
        let bytes = Self.classifier().encoded()
        try Data(bytes).write(to: URL(fileURLWithPath: onnxPath))
        let graphPath = directory.appendingPathComponent("classifier.graph").path
        let imported = try lepton("import", onnxPath, "-o", graphPath)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("classifier.graph: classifier, 1 inputs, 2 params, 3 ops"))
        let direct = try lepton("run", onnxPath, "--random-inputs", "1", "--dim", "batch=2")
        let viaText = try lepton("run", graphPath, "--random-inputs", "1", "--dim", "batch=2")
        #expect(direct.status == 0 && direct.stdout.hasPrefix("probs: f32[2, 4]"), "\(direct.stderr)")
        #expect(direct.stdout == viaText.stdout)
        let artifactPath = directory.appendingPathComponent("classifier.lepton").path
        let compiled = try lepton("compile", onnxPath, "-o", artifactPath, "--dim", "batch=2")
        #expect(compiled.status == 0, "\(compiled.stderr)")
        #expect(try lepton("run", artifactPath, "--random-inputs", "1", "--dim", "batch=2").stdout == direct.stdout)
        let bench = try lepton("bench", onnxPath, "--dim", "batch=2", "--runs", "2", "--warmup", "0", "--json")
        #expect(bench.status == 0 && bench.stdout.contains("\"ops_o0\""), "\(bench.stderr)")

        let truncated = directory.appendingPathComponent("truncated.onnx").path
        try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: truncated))
        let refused = try lepton("run", truncated, "--random-inputs", "1")
        #expect(refused.status == 1)
        #expect(refused.firstErrorLine.hasPrefix(truncated + ": error: malformed ONNX file"), "\(refused.stderr)")
        var unsupported = Self.classifier()
        unsupported.graph.nodes.insert(ONNXNode("NonZero", inputs: ["input.1"], outputs: ["nz"]), at: 0)
        unsupported.graph.nodes.insert(ONNXNode("TopK", inputs: ["input.1"], outputs: ["k"]), at: 0)
        let unsupportedPath = directory.appendingPathComponent("unsupported.onnx").path
        try Data(unsupported.encoded()).write(to: URL(fileURLWithPath: unsupportedPath))
        let listed = try lepton("import", unsupportedPath, "-o", graphPath)
        #expect(listed.status == 1)
        #expect(listed.stderr.split(separator: "\n").filter { $0.contains("unsupported ONNX op") }.count == 2, "\(listed.stderr)")
    }

    @Test func unsupportedOpsAreListedTogether() throws {
        var model = Self.classifier()
        model.graph.nodes.insert(ONNXNode("NonMaxSuppression", inputs: ["input.1"], outputs: ["nms"], name: "nms_node"), at: 0)
        model.graph.nodes.insert(ONNXNode("Loop", inputs: ["input.1"], outputs: ["l"]), at: 1)
        model.graph.nodes.insert(ONNXNode("NonMaxSuppression", inputs: ["input.1"], outputs: ["nms2"]), at: 2)
        model.graph.nodes.insert(ONNXNode("Custom", inputs: ["input.1"], outputs: ["c"]), at: 3)
        model.graph.nodes[3].domain = "com.example"
        let lines = Self.message(model.encoded()).split(separator: "\n")
        #expect(lines.count == 3, "\(lines)")
        #expect(lines.first?.hasSuffix("unsupported ONNX op NonMaxSuppression (first at node 0 'nms_node', opset 17)") == true)
        #expect(lines.contains { $0.hasSuffix("unsupported ONNX op Loop (first at node 1, opset 17)") })
        #expect(lines.contains { $0.hasSuffix("unsupported ONNX op com.example.Custom (first at node 3, opset 17)") })
    }

    @Test func problemsNameTheirNodeAndOpset() throws {
        var old = Self.classifier()
        old.opsets = ["": 11]
        #expect(Self.message(old.encoded()).contains("ONNX opset 11 (default domain); Lepton imports opsets 13 to 28"))
        var computedAxes = Self.classifier()
        computedAxes.graph.nodes[2].inputs[1] = "input.1"
        #expect(Self.message(computedAxes.encoded()).contains("node 2 (Unsqueeze, opset 17): axes ('input.1') must be a constant integer tensor"))
        var undefined = Self.classifier()
        undefined.graph.nodes[6].inputs = ["nowhere"]
        #expect(Self.message(undefined.encoded()).contains("node 6 (Softmax, opset 17): input 'nowhere' is not defined"))
        var badType = Self.classifier()
        badType.graph.inputs[0].elementType = ONNXDataType.float16.rawValue
        #expect(Self.message(badType.encoded()).contains("graph input 'input.1' is float16"))
        var outside = Self.classifier()
        outside.graph.initializers[1].payload = .external(location: "../secret.bin", offset: 0, length: 16)
        #expect(Self.message(outside.encoded()).contains("external data '../secret.bin' is outside the model's directory"))
    }

    /// External data beside the model, and the written .graph + .npz parsing back to the
    /// imported graph (`lepton import`).
    @Test func externalDataAndImportedTextRoundTrip() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var model = Self.classifier()
        let weights = (0..<24).map { Float($0) / 10 - 1 }.flatMap(Self.bytes(of:))
        try Data([1, 2, 3, 4] + weights).write(to: directory.appendingPathComponent("weights.bin"))
        model.graph.initializers[0].payload = .external(location: "weights.bin", offset: 4, length: Int64(weights.count))
        let onnxPath = directory.appendingPathComponent("classifier.onnx").path
        try Data(model.encoded()).write(to: URL(fileURLWithPath: onnxPath))
        let imported = try Model.load(contentsOf: onnxPath)
        let inline = try Self.importing(Self.classifier().encoded())
        #expect(try imported.graph(named: nil).withoutLocations() == inline.withoutLocations())

        let graphPath = directory.appendingPathComponent("classifier.graph").path
        let written = try imported.writeGraph(to: graphPath, header: "# test\n")
        #expect(written.map { ($0 as NSString).lastPathComponent } == ["classifier.npz", "classifier.graph"])
        let reparsed = try Model.load(contentsOf: graphPath)
        let x = Tensor(shape: [3, 2, 3], scalars: (0..<18).map { Float($0) / 9 - 1 })
        #expect(try reparsed.run(inputs: ["input_1": x], level: 0)[0].tensor == imported.run(inputs: ["input_1": x], level: 0)[0].tensor)
        let text = try String(contentsOfFile: graphPath, encoding: .utf8)
        #expect(text.contains("param fc_bias: f32[4] = tensor("), "small params stay inline")
        #expect(text.contains("param fc_weight: f32[4, 6] = load(\"classifier.npz\", key: \"fc_weight\")"))
    }
}

extension Model {
    /// A model of one imported graph (what `Model.importONNX` makes from a file).
    init(importedGraph graph: Graph) {
        self.init(module: Module(graphs: [graph], baseDirectory: "."), source: "", path: "m.onnx")
    }
}
