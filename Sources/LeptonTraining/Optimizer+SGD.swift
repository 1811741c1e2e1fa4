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
