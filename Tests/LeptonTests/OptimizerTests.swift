import Testing
import LeptonIR
import LeptonTensor
import LeptonTraining

// Expected values: the PyTorch update formulas (torch/optim/sgd.py and adam.py, single-tensor
// path) computed once in numpy (Tools/optimizer_expected_values.py), every op in the param's
// dtype — not by this code. Params start at [0.5, -1, 2, -1]; the three steps' gradients are
// below. Hand check of sgd+momentum step 2:
// buf = 0.9·[0.1, -0.2, 0.3] + [-0.4, 0.5, 0.05] = [-0.31, 0.32, 0.32], w = [0.49, -0.98, 1.97]
// − 0.1·buf = [0.521, -1.012, 1.938]; Adam's first step moves each weight by lr against its
// gradient's sign; AdamW's first multiplies by 1 − 0.01·0.5 first (0.5 → 0.4975 → 0.4875).
// The fourth element's gradients were picked (searching in numpy) so that Adam's result
// changes in the last bit under another order of operations: (−step_size)·(m/d) instead of
// ((−step_size)·m)/d, sqrt(v / bc2) instead of sqrt(v) / sqrt(bc2), β1·m + (1−β1)·g for lerp.
private let start: [Double] = [0.5, -1.0, 2.0, -1.0]
private let gradients: [[Double]] = [[0.1, -0.2, 0.3, 0.35], [-0.4, 0.5, 0.05, -0.95], [0.2, 0.2, -0.1, 0.25]]

/// The params after each of three steps of `spec` on f32 params.
private func stepsF32(_ spec: OptimizerSpec) throws -> [[Float]] {
    var optimizer = try Optimizer(spec, parameters: [("w", Tensor(shape: [4], scalars: start.map { Float($0) }))])
    var params = [Tensor(shape: [4], scalars: start.map { Float($0) })]
    return gradients.map { gradient in
        optimizer.step(&params, gradients: [Tensor(shape: [4], scalars: gradient.map { Float($0) })])
        return params[0].scalars(as: Float.self) ?? []
    }
}

/// The same on f64 params.
private func stepsF64(_ spec: OptimizerSpec) throws -> [[Double]] {
    var optimizer = try Optimizer(spec, parameters: [("w", Tensor(shape: [4], scalars: start))])
    var params = [Tensor(shape: [4], scalars: start)]
    return gradients.map { gradient in
        optimizer.step(&params, gradients: [Tensor(shape: [4], scalars: gradient)])
        return params[0].scalars(as: Double.self) ?? []
    }
}

@Suite struct OptimizerUpdateTests {
    @Test func sgd() throws {
        #expect(try stepsF32(OptimizerSpec(kind: .sgd, learningRate: 0.1)) == [
            [0.49, -0.98, 1.97, -1.035],
            [0.53000003, -1.03, 1.965, -0.93999994],
            [0.51000005, -1.05, 1.975, -0.9649999],
        ])
    }

    @Test func sgdWithMomentum() throws {
        #expect(try stepsF32(OptimizerSpec(kind: .sgd, learningRate: 0.1, momentum: 0.9)) == [
            [0.49, -0.98, 1.97, -1.035],
            [0.521, -1.012, 1.9380001, -0.9715],
            [0.5289, -1.0608, 1.9192001, -0.93935],
        ])
    }

    @Test func sgdWithNesterovMomentum() throws {
        #expect(try stepsF32(OptimizerSpec(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true)) == [
            [0.481, -0.962, 1.943, -1.0665],
            [0.5489, -1.0408, 1.9092, -0.9143499],
            [0.53601, -1.10472, 1.90228, -0.91041493],
        ])
    }

    @Test func sgdWithWeightDecay() throws {
        #expect(try stepsF32(OptimizerSpec(kind: .sgd, learningRate: 0.1, weightDecay: 0.5)) == [
            [0.465, -0.93, 1.87, -0.985],
            [0.48175, -0.9335, 1.7715, -0.84075],
            [0.4376625, -0.906825, 1.692925, -0.82371247],
        ])
    }

    @Test func adam() throws {
        #expect(try stepsF32(OptimizerSpec(kind: .adam, learningRate: 0.01)) == [
            [0.49, -0.99, 1.99, -1.01],
            [0.49559504, -0.99442214, 1.9821668, -1.0053325],
            [0.49669677, -0.9998516, 1.9784123, -1.0033619],
        ])
    }

    @Test func adamWithWeightDecayAddedToTheGradient() throws {
        #expect(try stepsF32(OptimizerSpec(kind: .adam, learningRate: 0.01, weightDecay: 0.5)) == [
            [0.49, -0.99, 1.99, -0.99],
            [0.4868883, -0.9833528, 1.9801149, -0.9819069],
            [0.48047978, -0.97615135, 1.9703654, -0.9746895],
        ])
    }

    @Test func adamWDecaysTheWeightsFirst() throws {
        #expect(try stepsF32(OptimizerSpec(kind: .adamw, learningRate: 0.01, weightDecay: 0.5)) == [
            [0.4875, -0.985, 1.98, -1.005],
            [0.49065754, -0.98449713, 1.9622668, -0.99530745],
            [0.48930597, -0.98500407, 1.948701, -0.98836046],
        ])
    }

    @Test func f64ParamsStepInDouble() throws {
        #expect(try stepsF64(OptimizerSpec(kind: .adamw, learningRate: 0.01, weightDecay: 0.5)) == [
            [0.4875000009999999, -0.9850000004999999, 1.9800000003333333, -1.0049999997142858],
            [0.49065753574351284, -0.9844971530192232, 1.962266727213394, -0.995307432981819],
            [0.4893059846627092, -0.985004097045223, 1.9487008527805392, -0.988360426328064],
        ])
        #expect(try stepsF64(OptimizerSpec(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.5)) == [
            [0.4335, -0.867, 1.753, -0.9715],
            [0.4399675, -0.822935, 1.4716649999999998, -0.6865574999999999],
            [0.3494988375, -0.737112675, 1.1810403249999997, -0.5416037874999999],
        ])
    }

    @Test func learningRateCanBeOverridden() throws {
        var optimizer = try Optimizer(OptimizerSpec(kind: .sgd), parameters: [("w", Tensor(shape: [1], scalars: [Float(1)]))])
        #expect(optimizer.learningRate == 0.01)
        optimizer.learningRate = 0.5
        var params = [Tensor(shape: [1], scalars: [Float(1)])]
        optimizer.step(&params, gradients: [Tensor(shape: [1], scalars: [Float(0.25)])])
        #expect(params[0] == Tensor(shape: [1], scalars: [Float(0.875)]))
        #expect(optimizer.stepCount == 1)
    }

    @Test func rejectsUntrainableParamsAndBadHyperparameters() {
        let w = Tensor(shape: [2], scalars: [Float(1), 2])
        #expect(throws: TrainingError("param 'ids' is i64; only f32 and f64 params can be trained")) {
            try Optimizer(OptimizerSpec(kind: .adam), parameters: [("w", w), ("ids", Tensor(shape: [1], scalars: [Int64(3)]))])
        }
        #expect(throws: TrainingError("param 'w' is listed twice")) {
            try Optimizer(OptimizerSpec(kind: .adam), parameters: [("w", w), ("w", w)])
        }
        #expect(throws: TrainingError("nesterov momentum requires a momentum above 0")) {
            try Optimizer(OptimizerSpec(kind: .sgd, nesterov: true), parameters: [("w", w)])
        }
        #expect(throws: TrainingError("invalid beta2 1.0 (must be in [0, 1))")) {
            try Optimizer(OptimizerSpec(kind: .adamw, beta2: 1), parameters: [("w", w)])
        }
        #expect(throws: TrainingError("invalid learning rate -0.1")) {
            try Optimizer(OptimizerSpec(kind: .sgd, learningRate: -0.1), parameters: [("w", w)])
        }
    }
}
