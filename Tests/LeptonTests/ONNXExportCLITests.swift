import Foundation
import Testing
import Lepton

/// `lepton export` as a user runs it: a model trained with `lepton train` exports with its
/// trained weights and runs the same from the .onnx; mistakes are one clear error.
@Suite struct ONNXExportCLITests {
    static func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "lepton-export-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    static func repository(_ file: String) -> String { TestPaths.repositoryRoot.appendingPathComponent(file).path }

    @Test func aTrainedModelExportsWithItsTrainedWeights() throws {
        let dir = try Self.scratch()
        let train = try lepton("train", Self.repository("graphs/xor.graph"), "--data", Self.repository("graphs/data/xor.npz"),
                               "--epochs", "40", "--batch", "4", "-o", dir + "/trained.graph")
        try #require(train.status == 0, "\(train.stderr)")
        let export = try lepton("export", dir + "/trained.graph", "-o", dir + "/trained.onnx")
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.hasPrefix("wrote \(dir)/trained.onnx: xor_net, opset 17, 1 inputs, 4 initializers, 4 nodes, "))

        let x = Tensor(shape: [4, 3], scalars: [Float(0), 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1])
        let trained = try Model.load(contentsOf: dir + "/trained.graph").run(inputs: ["x": x])
        let exported = try Model.load(contentsOf: dir + "/trained.onnx").run(inputs: ["x": x])
        #expect(exported.map(\.name) == ["p"])
        #expect(exported.map(\.tensor) == trained.map(\.tensor), "the .onnx computes what the trained .graph does")
        let untrained = try Model.load(contentsOf: Self.repository("graphs/xor.graph")).run(inputs: ["x": x])
        #expect(untrained.map(\.tensor) != trained.map(\.tensor), "the export holds the trained weights, not the seeded start")
    }

    @Test func exportedFileRunsThroughLeptonRun() throws {
        let dir = try Self.scratch()
        let export = try lepton("export", Self.repository("graphs/lenet.graph"), "-o", dir + "/lenet.onnx", "-O1")
        #expect(export.status == 0, "\(export.stderr)")
        let run = try lepton("run", dir + "/lenet.onnx", "--random-inputs", "1", "--dim", "N=2")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("logits: f32[2, 10]"))
    }

    @Test(arguments: [
        (["export", "two.graph"], "missing -o OUT.onnx"),
        (["export", "two.graph", "-o", "x.onnx", "-O0", "-O1"], "give one of -O0, -O1"),
        (["export", "two.graph", "-o", "x.onnx", "-O2"], "unknown option '-O2'"),
        (["export", "two.graph", "-o", "x.onnx", "--opset", "new"], "--opset needs a positive integer, got 'new'"),
        (["export", "two.graph", "-o", "x.onnx", "--graph", "nope"], "no graph named 'nope'"),
    ])
    func mistakesAreOneClearError(_ arguments: [String], _ message: String) throws {
        let result = try runLepton(arguments)
        #expect(result.status != 0)
        #expect(result.firstErrorLine.contains(message), "\(result.stderr)")
    }

    @Test func everyOpONNXLacksIsListedWithItsSourceLine() throws {
        let dir = try Self.scratch()
        let result = try lepton("export", "../roundtrip/training_ops.graph", "-o", dir + "/x.onnx")
        #expect(result.status == 1)
        let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: cannot export ") }
        #expect(errors.count == 7, "\(result.stderr)")
        #expect(result.stderr.contains("training_ops.graph:3:16: error: cannot export scatter_add to ONNX"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x.onnx"))
    }
}
