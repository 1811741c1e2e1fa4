import Testing
import LeptonFrontend
import LeptonIR
import LeptonTensor
import LeptonTraining

/// The compiled training step on a problem with a known answer: fitting y = 2x − 1 with a
/// one-weight linear model converges to w = 2, b = −1, and the gradients the executor returns
/// (-O2, fused) equal the reference interpreter's.
@Suite struct TrainingProgramTests {
    static let model = """
        graph lin(x: f32[N, 1]) -> (y: f32[N, 1]) {
          param w: f32[1, 1] = zeros
          param b: f32[1] = zeros
          y = matmul(x, w) + b
        }
        graph lin_loss(y: f32[N, 1], t: f32[N, 1]) -> (loss: f32[]) { loss = reduce_mean((y - t) * (y - t), keepdims: false) }
        """

    static func program(l2: Double = 0) throws -> TrainingProgram {
        let module = try Frontend.parse(source: model, path: "lin.graph")
        let spec = TrainingSpec(model: "lin", loss: try #require(module.graph(named: "lin_loss")), labelCount: 1,
                                optimizer: OptimizerSpec(kind: .sgd, learningRate: 0.1), trainable: nil, l2: l2, location: .unknown)
        let training = try TrainingGraph(model: try #require(module.graph(named: "lin")), spec: spec)
        return TrainingProgram(training: training, baseDirectory: ".", threads: 1)
    }

    @Test func gradientDescentFindsTheLine() throws {
        let program = try Self.program()
        #expect(program.training.trained == ["w", "b"])
        let xs: [Float] = [-1, 0, 1, 2, 3]
        let x = Tensor(shape: [5, 1], scalars: xs), t = Tensor(shape: [5, 1], scalars: xs.map { 2 * $0 - 1 })
        var w: Float = 0, b: Float = 0
        var outputs: [Tensor] = []
        for _ in 0..<300 {
            try program.step([x, t, Tensor(shape: [1, 1], scalars: [w]), Tensor(shape: [1], scalars: [b])], into: &outputs)
            #expect(outputs.count == 4)  // loss, y, grad.w, grad.b
            w -= 0.1 * (outputs[2].scalars(as: Float.self)?[0] ?? .nan)
            b -= 0.1 * (outputs[3].scalars(as: Float.self)?[0] ?? .nan)
        }
        #expect(abs(w - 2) < 1e-3 && abs(b + 1) < 1e-3, "w \(w), b \(b)")
        #expect((outputs[0].scalars(as: Float.self)?[0] ?? 1) < 1e-6)
    }

    @Test func gradientsMatchHandComputedValues() throws {
        // loss = mean((w·x + b − t)²) at w = 0.5, b = 0.25 over x = [1, 2], t = [0, 1]:
        // residuals r = [0.75, 0.25]; ∂/∂w = mean(2·r·x) = 1.25; ∂/∂b = mean(2·r) = 1.0.
        let program = try Self.program(l2: 0.1)  // + 0.1·(w² + b²): adds 2·0.1·w = 0.1 and 0.05
        var outputs: [Tensor] = []
        try program.step([Tensor(shape: [2, 1], scalars: [Float(1), 2]), Tensor(shape: [2, 1], scalars: [Float(0), 1]),
                          Tensor(shape: [1, 1], scalars: [Float(0.5)]), Tensor(shape: [1], scalars: [Float(0.25)])], into: &outputs)
        let loss = try #require(outputs[0].scalars(as: Float.self))[0]
        #expect(abs(loss - (0.3125 + 0.1 * 0.3125)) < 1e-6)
        #expect(abs(try #require(outputs[2].scalars(as: Float.self))[0] - 1.35) < 1e-6)
        #expect(abs(try #require(outputs[3].scalars(as: Float.self))[0] - 1.05) < 1e-6)
    }

    @Test func aDataTensorThatDoesNotFitIsAClearError() throws {
        let program = try Self.program()
        var outputs: [Tensor] = []
        #expect(throws: DiagnosticError.self) {
            try program.step([Tensor(shape: [2, 3], scalars: [Float](repeating: 0, count: 6)), Tensor(shape: [2, 1], scalars: [Float(0), 1]),
                              Tensor(shape: [1, 1], scalars: [Float(0.5)]), Tensor(shape: [1], scalars: [Float(0.25)])], into: &outputs)
        }
    }
}
