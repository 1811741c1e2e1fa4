import LeptonTensor

/// torch.optim.SGD's update (`_single_tensor_sgd`, dampening 0), one element at a time:
///
///     g = grad + weight_decay · w                    (when weight_decay ≠ 0)
///     b = g                        at the first step (PyTorch clones the first gradient)
///     b = b · momentum + g         after it          (buf.mul_(momentum).add_(g, alpha=1))
///     g = g + momentum · b         with nesterov, else g = b
///     w = w + (−lr) · g                              (param.add_(g, alpha=−lr))
///
/// Each line is one PyTorch tensor op, so each intermediate is rounded to the param's type
/// just as PyTorch rounds it; the hyperparameters are converted to that type first, as
/// PyTorch converts a Python float `alpha`. With dampening 0, cloning the first gradient is
/// the same as starting the buffer at zero (0·momentum + g = g); it is written as PyTorch has it.
extension Optimizer {
    /// Updates param `index` and its momentum buffer in place. The type dispatch sits in the
    /// same file as the generic loop so it is specialized even without whole-module
    /// optimization (debug builds compile file by file; unspecialized it is ~50x slower).
    mutating func sgdStep(_ index: Int, _ param: inout Tensor, _ gradient: Tensor) {
        switch param.dtype {
        case .f32: sgdStep(Float.self, index, &param, gradient)
        case .f64: sgdStep(Double.self, index, &param, gradient)
        default: preconditionFailure("optimizer step: param '\(parameterNames[index])' is not floating point")
        }
    }
}

private extension Optimizer {
    mutating func sgdStep<T: BinaryFloatingPoint & TensorElement>(_: T.Type, _ index: Int, _ param: inout Tensor, _ gradient: Tensor) {
        guard let grad = T.unwrap(gradient.storage) else { preconditionFailure("gradient type checked by step") }
        var values: [T] = param.takeScalars()
        if spec.momentum == 0 {
            var none: [T] = []
            sgdUpdate(&values, grad, momentumBuffer: &none)
        } else {
            var buffer: [T] = firstMoments[index].takeScalars()
            sgdUpdate(&values, grad, momentumBuffer: &buffer)
            firstMoments[index].storage = T.wrap(buffer)
        }
        param.storage = T.wrap(values)
    }

    /// One SGD update of `param` in place; `momentumBuffer` is empty when momentum is 0.
    func sgdUpdate<T: BinaryFloatingPoint>(_ param: inout [T], _ gradient: [T], momentumBuffer: inout [T]) {
        let lr = T(learningRate), momentum = T(spec.momentum), decay = T(spec.weightDecay)
        let (nesterov, first, hasMomentum) = (spec.nesterov, stepCount == 1, !momentumBuffer.isEmpty)
        param.withUnsafeMutableBufferPointer { w in
            gradient.withUnsafeBufferPointer { grad in
                momentumBuffer.withUnsafeMutableBufferPointer { buffer in
                    for i in 0..<w.count {
                        var g = grad[i]
                        if decay != 0 { g = g + decay * w[i] }
                        if hasMomentum {
                            let b = first ? g : buffer[i] * momentum + g
                            buffer[i] = b
                            g = nesterov ? g + momentum * b : b
                        }
                        w[i] = w[i] + -lr * g
                    }
                }
            }
        }
    }
}
