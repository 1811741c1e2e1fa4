import Foundation
import Testing
import Lepton

/// Every example model with a train block, differentiated: the executor at -O2 (fused, planned,
/// 1 and 2 threads) against the reference interpreter on the unoptimized backward graph, on a
/// few real samples. Same loss, outputs and gradients within float tolerance; the two thread
/// counts bit-identical.
@Suite struct TrainingDifferentialTests {
    static let cases: [(graph: String, data: String)] = [
        ("xor.graph", "xor.npz"), ("digits_mlp.graph", "digits_train.npz"),
        ("digits_cnn.graph", "digits_train.npz"), ("textclf.graph", "textclf_train.npz"),
    ]

    @Test(arguments: cases.map(\.graph))
    func executorGradientsMatchTheReference(_ name: String) throws {
        let data = try #require(Self.cases.first { $0.graph == name }?.data)
        let model = try Model.load(contentsOf: ExampleTrainingTests.example(name))
        let samples = try Dataset.load([.npz(path: ExampleTrainingTests.example("data/" + data))]).subset([0, 1, 2])
        var results: [[Tensor]] = []
        for threads in [1, 2] {
            let trainer = try model.trainer(threads: threads)
            let batch = try trainer.prepare(samples).batch([0, 1, 2][...])
            let inputs = trainer.dataInputs.compactMap { batch[$0.name] } + trainer.parameters
            var outputs: [Tensor] = []
            try trainer.program.step(inputs, into: &outputs)
            results.append(outputs)
            if threads == 1 {
                let sizes = try trainer.program.bindings(for: Array(inputs.prefix(trainer.dataInputs.count)))
                let backward = try trainer.program.gradientGraph(sizes)
                let reference = try Interpreter(graph: backward, parameters: materializeParameters(of: backward, baseDirectory: model.module.baseDirectory))
                let feed = Dictionary(uniqueKeysWithValues: zip(backward.inputs.map { backward.name(of: $0) }, inputs))
                let expected = try reference.run(feed)
                #expect(expected.count == outputs.count)
                for (k, (got, want)) in zip(outputs, expected).enumerated() {
                    let problem = mismatch(got, want, rtol: 1e-4, atol: 1e-5)
                    #expect(problem == nil, "\(name) output \(k) (\(backward.name(of: backward.outputs[k]))): \(problem ?? "")")
                }
            }
        }
        #expect(results[0] == results[1], "\(name): 1 and 2 threads differ")
    }
}

/// Training is deterministic, resumes exactly, and stops clearly when the loss blows up.
@Suite struct TrainingRunTests {
    static let regression = """
        graph line(x: f32[N, 2]) -> (y: f32[N, 1]) {
          param w: f32[2, 1] = uniform(low: -1, high: 1, seed: 1)
          param b: f32[1] = zeros
          y = linear(x, w, b)
        }
        train line(t: f32[N, 1]) {
          loss = mse(y, t)
          optimizer = sgd(lr: LR, momentum: 0.9)
        }
        """

    static func data(count: Int = 50) throws -> Dataset {
        var random = SplitMix64(seed: 3)
        let x: [Float] = random.uniform(count: 2 * count, low: -1, high: 1).map { Float($0) }
        var t: [Float] = []
        for i in 0..<count { t.append(3 * x[2 * i] - 2 * x[2 * i + 1] + 0.5) }
        return try Dataset([("x", Tensor(shape: [count, 2], scalars: x)), ("t", Tensor(shape: [count, 1], scalars: t))])
    }

    static func trainer(lr: String = "0.05") throws -> Trainer {
        try Model(source: regression.replacingOccurrences(of: "LR", with: lr), path: "line.graph").trainer(threads: 1)
    }

    static func options(epochs: Int) -> TrainingOptions {
        var options = TrainingOptions(epochs: epochs, batchSize: 8)  // 50 samples: the last batch has 2
        options.shuffle = true
        options.seed = 42
        return options
    }

    @Test func convergesToTheKnownLineAndLoss() throws {
        let trainer = try Self.trainer()
        try trainer.fit(try Self.data(), validation: nil, options: Self.options(epochs: 60))
        let w = try #require(trainer.parameters[0].scalars(as: Float.self)), b = try #require(trainer.parameters[1].scalars(as: Float.self))
        #expect(abs(w[0] - 3) < 1e-3 && abs(w[1] + 2) < 1e-3 && abs(b[0] - 0.5) < 1e-3, "w \(w), b \(b)")
        #expect((trainer.history.rows.last?.trainLoss ?? 1) < 1e-6)
    }

    @Test func onlyTheTrainableParamsChange() throws {
        let source = Self.regression.replacingOccurrences(of: "LR", with: "0.05")
            .replacingOccurrences(of: "optimizer = sgd", with: "trainable = [w]\n  optimizer = sgd")
        let trainer = try Model(source: source, path: "line.graph").trainer(threads: 1)
        #expect(trainer.program.training.trained == ["w"])
        try trainer.fit(try Self.data(), validation: nil, options: Self.options(epochs: 2))
        #expect(trainer.namedParameters.map(\.name) == ["w"])
        #expect(trainer.program.training.graph.params.map { trainer.program.training.graph.name(of: $0.value) } == ["b"])
    }

    @Test func sameSeedSameParamsBitForBit() throws {
        let a = try Self.trainer(), b = try Self.trainer()
        try a.fit(try Self.data(), validation: nil, options: Self.options(epochs: 3))
        try b.fit(try Self.data(), validation: nil, options: Self.options(epochs: 3))
        #expect(a.parameters == b.parameters)
        #expect(a.history.rows.map(\.trainLoss) == b.history.rows.map(\.trainLoss))
    }

    @Test func resumingFromACheckpointEqualsAnUninterruptedRun() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-resume-\(getpid()).npz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let uninterrupted = try Self.trainer()
        try uninterrupted.fit(try Self.data(), validation: nil, options: Self.options(epochs: 4))

        var first = Self.options(epochs: 2)
        first.checkpointEvery = 2
        first.checkpointPath = path
        try Self.trainer().fit(try Self.data(), validation: nil, options: first)
        let resumed = try Self.trainer()
        try resumed.resume(from: path, seed: 42)
        #expect(resumed.history.rows.count == 2 && resumed.globalStep == 14)
        try resumed.fit(try Self.data(), validation: nil, options: Self.options(epochs: 4))
        #expect(resumed.parameters == uninterrupted.parameters)
        #expect(resumed.optimizer.state.map(\.tensor) == uninterrupted.optimizer.state.map(\.tensor))
        #expect(resumed.history.rows.map(\.trainLoss) == uninterrupted.history.rows.map(\.trainLoss))
        #expect(throws: DiagnosticError.self) { try Self.trainer().resume(from: path, seed: 7) }
    }

    @Test func aLossThatBlowsUpStopsWithTheEpochAndStepAndKeepsTheLastCheckpoint() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("lepton-nan-\(getpid()).npz").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let trainer = try Self.trainer(lr: "40")  // diverges: the loss overflows after a few epochs
        var options = Self.options(epochs: 100)
        options.checkpointEvery = 1
        options.checkpointPath = path
        var message = ""
        do {
            try trainer.fit(try Self.data(), validation: nil, options: options)
        } catch let error as DiagnosticError {
            message = error.description
        }
        #expect(message.contains("the loss became"), "\(message)")
        #expect(message.contains("at epoch \(trainer.history.rows.count + 1), step"), "\(message)")
        let checkpoint = try Checkpoint.read(from: path)
        #expect(checkpoint.epoch == trainer.history.rows.count)
        #expect(checkpoint.parameters.allSatisfy { $0.tensor.doubles.allSatisfy(\.isFinite) })
    }
}
