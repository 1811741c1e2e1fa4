import Testing
import LeptonIR
import LeptonTensor
import LeptonTraining

/// Two params of different shapes and types, and a deterministic gradient for each step.
private let initial: [(name: String, tensor: Tensor)] = [
    ("w1", Tensor(shape: [2, 3], scalars: [Float(0.5), -0.25, 1, 2, -3, 0.125])),
    ("b1", Tensor(shape: [2], scalars: [0.1, -0.2])),
]

private func gradients(at step: Int) -> [Tensor] {
    let s = Double(step)
    return [
        Tensor(shape: [2, 3], scalars: (0..<6).map { Float(sin(s * 1.7 + Double($0))) }),
        Tensor(shape: [2], scalars: [cos(s), sin(2 * s)]),
    ]
}

private func sin(_ x: Double) -> Double { Double(Float80(x).sine) }
private func cos(_ x: Double) -> Double { sin(x + .pi / 2) }

private extension Float80 {
    /// A sine good enough to make varied gradients without Foundation: a Taylor series.
    var sine: Float80 {
        var x = self.truncatingRemainder(dividingBy: 2 * .pi)
        if x > .pi { x -= 2 * .pi }
        var (term, sum) = (x, x)
        for n in stride(from: 3, through: 31, by: 2) {
            term *= -x * x / Float80(n * (n - 1))
            sum += term
        }
        return sum
    }
}

@Suite struct OptimizerStateTests {
    static let specs: [OptimizerSpec] = [
        OptimizerSpec(kind: .sgd),
        OptimizerSpec(kind: .sgd, momentum: 0.9, nesterov: true, weightDecay: 0.01),
        OptimizerSpec(kind: .adam, weightDecay: 0.1),
        OptimizerSpec(kind: .adamw),
    ]

    @Test(arguments: specs)
    func restoringStateContinuesBitForBit(spec: OptimizerSpec) throws {
        var uninterrupted = try Optimizer(spec, parameters: initial)
        var straight = initial.map(\.tensor)
        for step in 0..<5 { uninterrupted.step(&straight, gradients: gradients(at: step)) }

        var first = try Optimizer(spec, parameters: initial)
        var params = initial.map(\.tensor)
        for step in 0..<2 { first.step(&params, gradients: gradients(at: step)) }
        let saved = first.state
        var resumed = try Optimizer(spec, parameters: initial)
        try resumed.restore(saved)
        for step in 2..<5 { resumed.step(&params, gradients: gradients(at: step)) }

        #expect(params == straight)
        #expect(resumed.stepCount == 5)
        #expect(resumed.state.map(\.name) == uninterrupted.state.map(\.name))
        #expect(resumed.state.map(\.tensor) == uninterrupted.state.map(\.tensor))
    }

    @Test func stateIsNamedLikePyTorchs() throws {
        #expect(try Optimizer(OptimizerSpec(kind: .sgd), parameters: initial).state.map(\.name) == ["step"])
        #expect(try Optimizer(OptimizerSpec(kind: .sgd, momentum: 0.5), parameters: initial).state.map(\.name)
                == ["step", "momentum_buffer.w1", "momentum_buffer.b1"])
        #expect(try Optimizer(OptimizerSpec(kind: .adam), parameters: initial).state.map(\.name)
                == ["step", "exp_avg.w1", "exp_avg_sq.w1", "exp_avg.b1", "exp_avg_sq.b1"])
    }

    @Test func restoreRejectsStateThatDoesNotFit() throws {
        var adam = try Optimizer(OptimizerSpec(kind: .adam), parameters: initial)
        let good = adam.state
        func without(_ name: String) -> [(name: String, tensor: Tensor)] { good.filter { $0.name != name } }
        func replacing(_ name: String, with tensor: Tensor) -> [(name: String, tensor: Tensor)] {
            good.map { $0.name == name ? (name, tensor) : $0 }
        }
        #expect(throws: TrainingError("optimizer state is missing 'exp_avg_sq.b1' (adam keeps it for param 'b1')")) {
            try adam.restore(without("exp_avg_sq.b1"))
        }
        #expect(throws: TrainingError("optimizer state is missing 'step'")) { try adam.restore(without("step")) }
        #expect(throws: TrainingError("optimizer state 'exp_avg.w1' is f32[3, 2], but param 'w1' is f32[2, 3]")) {
            try adam.restore(replacing("exp_avg.w1", with: Tensor.zeros(.f32, shape: [3, 2])))
        }
        #expect(throws: TrainingError("optimizer state 'exp_avg.b1' is f32[2], but param 'b1' is f64[2]")) {
            try adam.restore(replacing("exp_avg.b1", with: Tensor.zeros(.f32, shape: [2])))
        }
        #expect(throws: TrainingError("optimizer state 'step' must be a non-negative i64 scalar, got f32[][3.0]")) {
            try adam.restore(replacing("step", with: Tensor(scalar: Float(3))))
        }
        #expect(throws: TrainingError("unexpected optimizer state 'momentum_buffer.w1' (not kept by adam for these params)")) {
            try adam.restore(good + [("momentum_buffer.w1", Tensor.zeros(.f32, shape: [2, 3]))])
        }
        // A failed restore changes nothing.
        var params = initial.map(\.tensor)
        adam.step(&params, gradients: gradients(at: 0))
        #expect(adam.stepCount == 1)
        #expect(throws: TrainingError.self) { try adam.restore(without("exp_avg.b1")) }
        #expect(adam.stepCount == 1)
    }
}
