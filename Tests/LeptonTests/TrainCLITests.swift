import Foundation
import Testing
import LeptonTensor

/// `lepton train`, `lepton eval` and `lepton dump --grad` as a user runs them, including the
/// bad-input cases: each is one clear error line and a non-zero exit, never a crash.
@Suite struct TrainCLITests {
    /// A scratch directory with a good data set and one broken variant per failure.
    static func scratch() throws -> String {
        let directory = NSTemporaryDirectory() + "lepton-train-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let x = Tensor(shape: [6, 2], scalars: [Float(1), 0, 0, 1, -1, -1, 2, 0, 0, 2, -2, -2])
        let y = Tensor(shape: [6], scalars: [Int64(0), 1, 2, 0, 1, 2])
        try NPZ.write([("x", x), ("y", y)], to: directory + "/good.npz")
        try NPZ.write([("x", x), ("y", Tensor(shape: [6], scalars: [Int64(0), 1, 5, 0, 1, 2]))], to: directory + "/labels.npz")
        try NPZ.write([("x", Tensor(shape: [6, 3], scalars: [Float](repeating: 0, count: 18))), ("y", y)], to: directory + "/shape.npz")
        try NPZ.write([("x", Tensor(shape: [0, 2], scalars: [Float]())), ("y", Tensor(shape: [0], scalars: [Int64]()))], to: directory + "/empty.npz")
        try NPZ.write([("x", x)], to: directory + "/missing.npz")
        return directory
    }

    @Test func trainsWritesLogPlotAndAModelThatEvaluates() throws {
        let dir = try Self.scratch()
        let result = try lepton("train", "classifier.graph", "--data", dir + "/good.npz", "--epochs", "20", "--batch", "4",
                                "--shuffle", "--seed", "3", "-o", dir + "/out.graph", "--log", dir + "/m.csv", "--plot", dir + "/m.svg")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("epoch") }.count == 20)
        #expect(result.stdout.contains("wrote \(dir)/out.npz, \(dir)/out.graph"))
        let csv = try String(contentsOfFile: dir + "/m.csv", encoding: .utf8)
        #expect(csv.hasPrefix("epoch,train_loss,") && csv.split(separator: "\n").count == 21)
        #expect(try String(contentsOfFile: dir + "/m.svg", encoding: .utf8).contains("<polyline"))

        let eval = try lepton("eval", dir + "/out.graph", "--data", dir + "/good.npz", "--json")
        #expect(eval.status == 0, "\(eval.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        #expect(json["accuracy"] as? Double == 1, "\(eval.stdout)")
        #expect((json["loss"] as? Double ?? 1) < 0.2)
        let table = try lepton("eval", dir + "/out.graph", "--data", dir + "/good.npz")
        #expect(table.stdout.contains("confusion matrix"))
    }

    @Test(arguments: [
        ("labels.npz", "classifier.graph:9:10: error: cross_entropy: label 5 is out of range [0, 3)"),
        ("shape.npz", "array 'x' has samples of shape [3], but input x is f32[N, 2]"),
        ("empty.npz", "the dataset has no samples"),
        ("missing.npz", "the data has no array 'y' for the label y: i64[N] (arrays: x)"),
        ("nothing.npz", "nothing.npz"),
    ])
    func badDataIsOneClearError(_ file: String, _ message: String) throws {
        let dir = try Self.scratch()
        let result = try lepton("train", "classifier.graph", "--data", dir + "/" + file, "--epochs", "1")
        #expect(result.status == 1)
        #expect(result.firstErrorLine.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func resumeContinuesToTheSameModelAsAnUninterruptedRun() throws {
        let dir = try Self.scratch()
        let common = ["train", "classifier.graph", "--data", dir + "/good.npz", "--batch", "4", "--shuffle", "--val-split", "0.3"]
        let whole = try runLepton(common + ["--epochs", "6", "-o", dir + "/whole.npz"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let first = try runLepton(common + ["--epochs", "3", "--checkpoint-every", "3", "--checkpoint", dir + "/ck.npz"])
        #expect(first.status == 0 && first.stdout.contains("checkpoint after epoch 3"), "\(first.stderr)")
        let rest = try runLepton(common + ["--epochs", "6", "--resume", dir + "/ck.npz", "-o", dir + "/resumed.npz"])
        #expect(rest.status == 0 && rest.stdout.contains("resumed from \(dir)/ck.npz after epoch 3"), "\(rest.stderr)")
        let a = try NPZ.read(contentsOf: dir + "/whole.npz"), b = try NPZ.read(contentsOf: dir + "/resumed.npz")
        #expect(a.map(\.name) == b.map(\.name) && a.map(\.tensor) == b.map(\.tensor))
        let wrongSeed = try runLepton(common + ["--epochs", "6", "--seed", "9", "--resume", dir + "/ck.npz"])
        #expect(wrongSeed.status == 1 && wrongSeed.firstErrorLine.contains("resume with the same seed"), "\(wrongSeed.stderr)")
    }

    @Test func aModelWithoutATrainBlockSaysHowToWriteOne() throws {
        let dir = try Self.scratch()
        let result = try lepton("train", "chain3.graph", "--data", dir + "/good.npz")
        #expect(result.status == 1)
        #expect(result.firstErrorLine.contains("no train block says how to train this model; add one, e.g. train "), "\(result.stderr)")
    }

    @Test func checkSummarizesTheTrainBlock() throws {
        let result = try lepton("check", "classifier.graph")
        #expect(result.status == 0)
        #expect(result.stdout.contains("train classifier(y: i64[N])  loss cross_entropy  sgd(lr: 0.5, momentum: 0.9, nesterov: false, weight_decay: 0.0)  trains 2 of 2 params"), "\(result.stdout)")
    }

    @Test func dumpGradPrintsTheBackwardGraph() throws {
        let missing = try lepton("dump", "classifier.graph", "--grad")
        #expect(missing.status == 1 && missing.firstErrorLine.contains("give --dim N=SIZE"), "\(missing.stderr)")
        let result = try lepton("dump", "classifier.graph", "--grad", "--dim", "N=4")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("graph classifier.train(x: f32[4, 2], y: i64[4], w: f32[2, 3], b: f32[3]) -> (loss: f32[], logits: f32[4, 3], grad.w: f32[2, 3], grad.b: f32[3])"))
        #expect(result.stdout.contains("one_hot(y, depth: 3)"))
    }
}
