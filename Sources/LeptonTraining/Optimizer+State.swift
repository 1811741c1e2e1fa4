import LeptonTensor

/// The optimizer's state as named tensors, for checkpoints: `step` (i64 scalar), then per param
/// its buffers under PyTorch's state names — `momentum_buffer.<param>` for SGD with momentum,
/// `exp_avg.<param>` and `exp_avg_sq.<param>` for Adam and AdamW. Restoring it and stepping on
/// gives bit for bit what uninterrupted stepping gives.
extension Optimizer {
    /// Every piece of state, named; the tensors share storage with the optimizer's buffers.
    public var state: [(name: String, tensor: Tensor)] {
        var entries: [(name: String, tensor: Tensor)] = [("step", Tensor(shape: [], scalars: [Int64(stepCount)]))]
        for (index, name) in parameterNames.enumerated() {
            for (prefix, buffers) in bufferKinds {
                entries.append(("\(prefix).\(name)", buffers[index]))
            }
        }
        return entries
    }

    /// Replaces the step count and buffers with `state` (as `state` returns it, in any order).
    /// Throws, changing nothing, when an entry is missing or unexpected (a checkpoint written
    /// for another optimizer or other params) or has the wrong shape or type.
    public mutating func restore(_ state: [(name: String, tensor: Tensor)]) throws(TrainingError) {
        var byName: [String: Tensor] = [:]
        for (name, tensor) in state {
            guard byName.updateValue(tensor, forKey: name) == nil else {
                throw TrainingError("optimizer state '\(name)' appears twice")
            }
        }
        guard let step = byName.removeValue(forKey: "step") else { throw TrainingError("optimizer state is missing 'step'") }
        guard step.shape == [], let count = step.scalars(as: Int64.self)?.first, count >= 0 else {
            throw TrainingError("optimizer state 'step' must be a non-negative i64 scalar, got \(step)")
        }
        var restored = self
        restored.stepCount = Int(count)
        for (prefix, keyPath) in bufferPaths {
            for (index, name) in parameterNames.enumerated() {
                let key = "\(prefix).\(name)"
                guard let tensor = byName.removeValue(forKey: key) else {
                    throw TrainingError("optimizer state is missing '\(key)' (\(spec.kind.rawValue) keeps it for param '\(name)')")
                }
                let expected = "\(parameterTypes[index])\(parameterShapes[index])"
                guard tensor.shape == parameterShapes[index], tensor.dtype == parameterTypes[index] else {
                    throw TrainingError("optimizer state '\(key)' is \(tensor.dtype)\(tensor.shape), but param '\(name)' is \(expected)")
                }
                restored[keyPath: keyPath][index] = tensor
            }
        }
        if let extra = byName.keys.sorted().first {
            throw TrainingError("unexpected optimizer state '\(extra)' (not kept by \(spec.kind.rawValue) for these params)")
        }
        self = restored
    }
}

private extension Optimizer {
    /// The buffer arrays this rule keeps, with their state-name prefixes.
    var bufferPaths: [(String, WritableKeyPath<Optimizer, [Tensor]>)] {
        switch spec.kind {
        case .sgd: spec.usesFirstMoments ? [("momentum_buffer", \.firstMoments)] : []
        case .adam, .adamw: [("exp_avg", \.firstMoments), ("exp_avg_sq", \.secondMoments)]
        }
    }

    var bufferKinds: [(String, [Tensor])] {
        bufferPaths.map { ($0.0, self[keyPath: $0.1]) }
    }
}
