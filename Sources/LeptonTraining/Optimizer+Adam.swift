import Foundation
import LeptonTensor

/// torch.optim.Adam and AdamW's update (`_single_tensor_adam`, no amsgrad), one element at a
/// time, at step t (counted from 1):
///
///     w = w · (1 − lr·weight_decay)                  AdamW only (decoupled, before the rest)
///     g = grad + weight_decay · w                    Adam only, when weight_decay ≠ 0
///     m = m + (1−β1) · (g − m)                       (exp_avg.lerp_(g, 1−β1); as 1−β1 < 0.5)
///     v = v · β2 + ((1−β2) · g) · g                  (exp_avg_sq.mul_(β2).addcmul_(g, g, 1−β2))
///     d = sqrt(v) / sqrt(1 − β2^t) + eps             (bias_correction2 ** 0.5, then add_(eps))
///     w = w + ((−lr / (1 − β1^t)) · m) / d           (param.addcdiv_(m, d, value=−step_size))
///
/// The scalars (bias corrections, step size, decay factor) are computed in Double as Python
/// computes them, then converted to the param's type as PyTorch converts them; every tensor op
/// rounds to that type. PyTorch's vectorized CPU kernels fuse some multiply-adds, so its
/// results may differ from these (and from its own scalar path) in the last bit.
extension Optimizer {
    /// Updates param `index` and its moments in place (dispatching on the type here, beside
    /// the generic loop, for the reason given in Optimizer+SGD.swift).
    mutating func adamStep(_ index: Int, _ param: inout Tensor, _ gradient: Tensor) {
        switch param.dtype {
        case .f32: adamStep(Float.self, index, &param, gradient)
        case .f64: adamStep(Double.self, index, &param, gradient)
        default: preconditionFailure("optimizer step: param '\(parameterNames[index])' is not floating point")
        }
    }
}

private extension Optimizer {
    mutating func adamStep<T: BinaryFloatingPoint & TensorElement>(_: T.Type, _ index: Int, _ param: inout Tensor, _ gradient: Tensor) {
        guard let grad = T.unwrap(gradient.storage) else { preconditionFailure("gradient type checked by step") }
        var values: [T] = param.takeScalars()
        var (m, v): ([T], [T]) = (firstMoments[index].takeScalars(), secondMoments[index].takeScalars())
        adamUpdate(&values, grad, &m, &v)
        firstMoments[index].storage = T.wrap(m)
        secondMoments[index].storage = T.wrap(v)
        param.storage = T.wrap(values)
    }

    /// One Adam or AdamW update of `param` and its moments in place.
    func adamUpdate<T: BinaryFloatingPoint>(_ param: inout [T], _ gradient: [T], _ exp_avg: inout [T], _ exp_avg_sq: inout [T]) {
        let (beta1, beta2, step) = (spec.beta1, spec.beta2, Double(stepCount))
        let decoupled = spec.kind == .adamw
        let decayFactor = T(1 - learningRate * spec.weightDecay)
        let decay = T(spec.weightDecay)
        let (averageWeight, squareWeight, b2) = (T(1 - beta1), T(1 - beta2), T(beta2))
        let correction2Root = T(pow(1 - pow(beta2, step), 0.5))
        let negativeStepSize = T(-(learningRate / (1 - pow(beta1, step))))
        let eps = T(spec.epsilon)
        param.withUnsafeMutableBufferPointer { w in
            gradient.withUnsafeBufferPointer { grad in
                exp_avg.withUnsafeMutableBufferPointer { m in
                    exp_avg_sq.withUnsafeMutableBufferPointer { v in
                        for i in 0..<w.count {
                            var g = grad[i]
                            if decoupled {
                                if decay != 0 { w[i] = w[i] * decayFactor }
                            } else if decay != 0 {
                                g = g + decay * w[i]
                            }
                            m[i] = lerp(m[i], g, averageWeight)
                            v[i] = v[i] * b2 + squareWeight * g * g
                            let denominator = v[i].squareRoot() / correction2Root + eps
                            w[i] = w[i] + negativeStepSize * m[i] / denominator
                        }
                    }
                }
            }
        }
    }
}

/// PyTorch's `lerp` (ATen/native/Lerp.h): the form that is exact at its nearer end.
@inline(__always)
private func lerp<T: BinaryFloatingPoint>(_ start: T, _ end: T, _ weight: T) -> T {
    weight.magnitude < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}
