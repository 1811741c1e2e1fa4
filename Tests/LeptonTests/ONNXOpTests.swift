import Foundation
import LeptonIR
import LeptonTensor
import Testing
@testable import Lepton
@testable import LeptonONNX

/// Every op the ONNX importer maps, against ONNX Runtime. Each case of
/// Fixtures/onnx_ops/cases.json is built with Lepton's own ONNX structures, encoded to bytes and
/// decoded back, imported, and run both as imported on the reference interpreter (-O0) and
/// optimized on the executor (-O2, two threads); both must match the outputs ONNX Runtime gave
/// `python3 Tools/gen_onnx_goldens.py` (see its header; rerun it after editing the cases).
/// Python never runs here.
@Suite struct ONNXOpTests {
    static let defaultTolerance = (rtol: 1e-5, atol: 1e-6)

    @Test(arguments: ONNXOpManifest.runnable)
    func importedModelMatchesOnnxRuntime(_ golden: ONNXOpCase) throws {
        let arrays = try golden.arrays()
        let graph = try golden.importedGraph(arrays: arrays)
        let model = Model(module: Module(graphs: [graph], baseDirectory: "."), source: "", path: "\(golden.name).onnx")
        let feeds = try golden.feeds(arrays: arrays)
        let expected = try golden.outputNames.map { name throws in
            guard let tensor = arrays[name] else { throw ONNXOpCase.SetupError(description: "\(golden.name).npz has no '\(name)'") }
            return tensor
        }
        let runs: [(level: String, run: () throws -> [(name: String, tensor: Tensor)])] = [
            ("-O0", { try model.run(inputs: feeds, level: 0) }),
            ("-O2", { try model.compile(threads: 2).run(feeds) }),
        ]
        for (level, run) in runs {
            let actual = try run().map(\.tensor)
            guard actual.count == expected.count else {
                Issue.record("\(golden.name) at \(level): \(actual.count) outputs, expected \(expected.count)")
                continue
            }
            let (rtol, atol) = (golden.rtol ?? Self.defaultTolerance.rtol, golden.atol ?? Self.defaultTolerance.atol)
            for (k, (got, want)) in zip(actual, expected).enumerated() {
                if let problem = mismatch(got, want, rtol: rtol, atol: atol) {
                    Issue.record("\(golden.name) at \(level): output y\(k): \(problem)")
                }
            }
        }
    }

    /// Forms the importer does not support are refused by name, not mistranslated.
    @Test(arguments: ONNXOpManifest.refused)
    func unsupportedFormIsRefused(_ golden: ONNXOpCase) throws {
        let arrays = try golden.arrays()
        do {
            let graph = try golden.importedGraph(arrays: arrays)
            Issue.record("\(golden.name): imported (\(graph.nodes.count) nodes), expected an error containing '\(golden.error ?? "")'")
        } catch let error as DiagnosticError {
            let message = error.diagnostics.map(\.message).joined(separator: "\n")
            #expect(message.contains(golden.error ?? ""), "\(golden.name): \(message)")
        }
    }

    /// The same bytes written to an `.onnx` file load through `Model.load` like any model.
    @Test func caseLoadsFromAFile() throws {
        let golden = try #require(ONNXOpManifest.runnable.first { $0.name == "conv" })
        let arrays = try golden.arrays()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-op-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("conv.onnx").path
        try Data(golden.model(arrays: arrays).encoded()).write(to: URL(fileURLWithPath: path))
        let outputs = try Model.load(contentsOf: path).run(inputs: golden.feeds(arrays: arrays), level: 2)
        let expected = try #require(arrays["y0"])
        #expect(mismatch(outputs[0].tensor, expected, rtol: Self.defaultTolerance.rtol, atol: Self.defaultTolerance.atol) == nil)
    }

    /// A new entry in the importer's op table must come with a case.
    @Test func everyMappedOpHasACase() throws {
        let covered = try ONNXOpManifest.load().filter { $0.error == nil }.reduce(into: Set<String>()) { $0.formUnion($1.opTypes) }
        for op in ONNXImport.conversions.keys.sorted() {
            #expect(covered.contains(op), "no case runs ONNX op \(op): add one to Fixtures/onnx_ops/cases.json and rerun Tools/gen_onnx_goldens.py")
        }
        for op in covered.subtracting(ONNXImport.conversions.keys).sorted() {
            Issue.record("cases use \(op), which the importer does not map")
        }
    }

    @Test func manifestIsReadable() throws {
        let cases = try ONNXOpManifest.load()
        #expect(cases.count >= 200)
        #expect(Set(cases.map(\.name)).count == cases.count, "case names must be unique")
        for golden in cases {
            #expect((golden.op == nil) != (golden.nodes == nil), "\(golden.name): give either op or nodes")
            let npz = ONNXOpManifest.root.appendingPathComponent("\(golden.name).npz").path
            #expect(FileManager.default.fileExists(atPath: npz), "\(golden.name): no .npz; run Tools/gen_onnx_goldens.py")
        }
    }
}
