/// What a `train` block says: how a model graph is trained (spec/language.md, section 13).
///
/// The loss is a small graph of its own whose inputs are the model's outputs (same names and
/// types, in order) followed by the block's label inputs, and whose one output is the scalar
/// loss. Keeping it apart from the model keeps the model graph exactly what inference runs;
/// `trainingGraph(model:)` joins the two when the trainer needs them together.
public struct TrainingSpec: Hashable, Sendable {
    /// The model graph this block trains.
    public var model: String
    /// Inputs: the model's outputs, then `labelCount` label inputs; one output, the loss (`f32[]`).
    public var loss: Graph
    /// How many of `loss.inputs` (the last ones) are labels the data must supply.
    public var labelCount: Int
    public var optimizer: OptimizerSpec
    /// Names of the params that are trained; nil trains every floating-point param.
    public var trainable: [String]?
    /// Adds `l2 · Σ w²` over the trained params to the loss (0: none).
    public var l2: Double
    public var location: SourceLocation

    public init(model: String, loss: Graph, labelCount: Int, optimizer: OptimizerSpec, trainable: [String]?,
                l2: Double, location: SourceLocation) {
        self.model = model
        self.loss = loss
        self.labelCount = labelCount
        self.optimizer = optimizer
        self.trainable = trainable
        self.l2 = l2
        self.location = location
    }

    /// The label inputs' ids in `loss`.
    public var labelInputs: ArraySlice<ValueID> { loss.inputs.suffix(labelCount) }

    /// The same spec with every source location erased, as `Graph.withoutLocations()`:
    /// what "the same training" means when a printed block is parsed back.
    public func withoutLocations() -> TrainingSpec {
        var copy = self
        copy.loss = loss.withoutLocations()
        copy.location = .unknown
        return copy
    }
}

/// An optimizer and its settings, with PyTorch's defaults and update rules.
public struct OptimizerSpec: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// SGD, optionally with (Nesterov) momentum and L2-style weight decay added to the gradient.
        case sgd
        /// Adam; `weightDecay` is added to the gradient (L2), as in torch.optim.Adam.
        case adam
        /// Adam with decoupled weight decay: w -= lr·wd·w before the Adam step.
        case adamw
    }

    public var kind: Kind
    public var learningRate: Double
    public var momentum: Double
    public var nesterov: Bool
    public var weightDecay: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double

    public init(kind: Kind, learningRate: Double? = nil, momentum: Double = 0, nesterov: Bool = false,
                weightDecay: Double? = nil, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.kind = kind
        self.learningRate = learningRate ?? (kind == .sgd ? 0.01 : 0.001)
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay ?? (kind == .adamw ? 0.01 : 0)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
    }
}
