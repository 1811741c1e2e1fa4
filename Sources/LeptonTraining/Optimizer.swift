import LeptonIR
import LeptonTensor

/// Updates the trained params from their gradients, step after step, with exactly PyTorch's
/// update rules (torch.optim.SGD, Adam and AdamW, single-tensor path): the same formulas, the
/// same order of operations, the hyperparameters rounded to the param's type where PyTorch
/// rounds them. A value type whose whole state — the step count and the moment buffers — is
/// `state`, so a checkpoint can save it and `restore(_:)` continue bit for bit.
///
/// Element loops run over unsafe buffers of the params' own storage, updated in place: once
/// the params and buffers are uniquely referenced, a step allocates nothing (an embedding table
/// of 640k floats is updated every step). f32 and f64 params are supported.
public struct Optimizer: Sendable {
    /// The update rule and its hyperparameters.
    public let spec: OptimizerSpec
    /// The learning rate the next steps use; starts at `spec.learningRate`, may be overridden.
    public var learningRate: Double
    /// The trained params' names, in the order `step` receives them.
    public let parameterNames: [String]
    /// The trained params' shapes, in the same order.
    public let parameterShapes: [[Int]]
    /// The trained params' element types, in the same order.
    public let parameterTypes: [DType]
    /// Steps taken so far. Adam's bias correction uses it; SGD takes its momentum buffer
    /// from the gradient at step 0, as PyTorch initialises it.
    public internal(set) var stepCount: Int
    /// Per param: SGD's momentum buffer or Adam's `exp_avg`; empty when the rule has none.
    var firstMoments: [Tensor]
    /// Per param: Adam's `exp_avg_sq`; empty when the rule has none.
    var secondMoments: [Tensor]

    /// An optimizer for `parameters` (their names, shapes and types; the values are not kept),
    /// with zeroed buffers at step 0. Throws when a param is not f32 or f64, names repeat, or a
    /// hyperparameter is out of the range PyTorch accepts.
    public init(_ spec: OptimizerSpec, parameters: [(name: String, tensor: Tensor)]) throws(TrainingError) {
        try Self.validate(spec)
        var seen: Set<String> = []
        for (name, tensor) in parameters {
            guard seen.insert(name).inserted else { throw TrainingError("param '\(name)' is listed twice") }
            guard tensor.dtype.isFloatingPoint else {
                throw TrainingError("param '\(name)' is \(tensor.dtype); only f32 and f64 params can be trained")
            }
        }
        self.spec = spec
        learningRate = spec.learningRate
        parameterNames = parameters.map(\.name)
        parameterShapes = parameters.map(\.tensor.shape)
        parameterTypes = parameters.map(\.tensor.dtype)
        stepCount = 0
        let zeros = parameters.map { Tensor.zeros($0.tensor.dtype, shape: $0.tensor.shape) }
        firstMoments = spec.usesFirstMoments ? zeros : []
        secondMoments = spec.usesSecondMoments ? zeros : []
    }

    /// Applies one update to `params` in place: `params[i]` is the param named
    /// `parameterNames[i]` and `gradients[i]` its gradient, of the same shape and type.
    /// A mismatch is a bug in the caller, not bad user input, and stops the program.
    public mutating func step(_ params: inout [Tensor], gradients: [Tensor]) {
        precondition(params.count == parameterNames.count && gradients.count == parameterNames.count,
                     "optimizer step: expected \(parameterNames.count) params and gradients, got \(params.count) and \(gradients.count)")
        stepCount += 1
        for index in params.indices {
            let (param, gradient) = (params[index], gradients[index])
            precondition(param.shape == parameterShapes[index] && gradient.shape == parameterShapes[index]
                         && param.dtype == parameterTypes[index] && gradient.dtype == parameterTypes[index],
                         "optimizer step: param '\(parameterNames[index])' is \(param.dtype)\(param.shape) with gradient "
                         + "\(gradient.dtype)\(gradient.shape), expected \(parameterTypes[index])\(parameterShapes[index])")
            switch spec.kind {
            case .sgd: sgdStep(index, &params[index], gradient)
            case .adam, .adamw: adamStep(index, &params[index], gradient)
            }
        }
    }
}

extension OptimizerSpec {
    /// Whether the rule keeps a first buffer per param (SGD's momentum, Adam's `exp_avg`).
    var usesFirstMoments: Bool { kind != .sgd || momentum != 0 }
    /// Whether the rule keeps a second buffer per param (Adam's `exp_avg_sq`).
    var usesSecondMoments: Bool { kind != .sgd }
}

private extension Optimizer {
    /// The checks torch.optim makes on construction, with its wording.
    static func validate(_ spec: OptimizerSpec) throws(TrainingError) {
        func check(_ ok: Bool, _ message: String) throws(TrainingError) {
            guard ok else { throw TrainingError(message) }
        }
        try check(spec.learningRate >= 0 && spec.learningRate.isFinite, "invalid learning rate \(spec.learningRate)")
        try check(spec.weightDecay >= 0 && spec.weightDecay.isFinite, "invalid weight decay \(spec.weightDecay)")
        switch spec.kind {
        case .sgd:
            try check(spec.momentum >= 0 && spec.momentum.isFinite, "invalid momentum \(spec.momentum)")
            try check(!spec.nesterov || spec.momentum > 0, "nesterov momentum requires a momentum above 0")
        case .adam, .adamw:
            try check((0..<1).contains(spec.beta1), "invalid beta1 \(spec.beta1) (must be in [0, 1))")
            try check((0..<1).contains(spec.beta2), "invalid beta2 \(spec.beta2) (must be in [0, 1))")
            try check(spec.epsilon >= 0 && spec.epsilon.isFinite, "invalid epsilon \(spec.epsilon)")
        }
    }
}

extension Tensor {
    /// Moves the scalars out, leaving the tensor empty-storaged until they are put back: the
    /// array is then the only reference to its buffer, so writing it in place never copies.
    mutating func takeScalars<T: TensorElement>() -> [T] {
        guard let scalars = T.unwrap(storage) else { preconditionFailure("tensor is \(dtype), not \(T.dtype)") }
        storage = T.wrap([])
        return scalars
    }
}
