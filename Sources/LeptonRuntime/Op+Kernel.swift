import LeptonKernels

/// The kernel facet: for every op, how a node becomes a prepared step over arena buffers.
/// One exhaustive switch, so a new op case makes the compiler ask for its kernel here.
extension Op {
    /// Whether the prepared kernel may write its output over an input it reads (exactly the
    /// same buffer): elementwise steps read each element before writing it.
    var kernelRunsInPlace: Bool {
        isElementwise || self == .batch_norm || self == .layer_norm || self == .instance_norm
            || self == .softmax || self == .log_softmax
    }

    /// The prepared step, or nil when this op has no buffer kernel (the executor then falls
    /// back to the reference `evaluate`).
    func prepareKernel(_ context: StepContext) -> StepBody? {
        switch self {
        case .exp, .log, .sqrt, .rsqrt, .reciprocal, .sigmoid, .tanh, .softplus, .erf, .gelu, .leaky_relu, .elu,
             .floor, .ceil, .neg, .abs, .relu, .clip, .identity, .cast,
             .add, .sub, .mul, .div, .pow, .max, .min, .eq, .ne, .lt, .le, .gt, .ge, .and, .or, .xor, .not, .where:
            return context.elementwiseStep()
        case .matmul:
            return MatmulKernel(context: context).step
        case .gemm:
            return GemmKernel(context: context).step
        case .linear:
            return LinearKernel(context: context).step
        case .conv2d, .conv_transpose2d:
            return ConvKernel(context: context).step
        case .max_pool2d, .avg_pool2d, .global_avg_pool:
            return PoolKernel(context: context).step
        case .batch_norm, .layer_norm, .instance_norm, .softmax, .log_softmax:
            return NormKernel(context: context).step
        case .reduce_sum, .reduce_mean, .reduce_max, .reduce_min, .reduce_prod, .argmax, .argmin:
            return ReduceKernel(context: context).step
        case .reshape, .flatten, .squeeze, .unsqueeze:
            // Views in a planned graph (then the copy is a no-op); a copy otherwise.
            return context.copyStep()
        case .transpose, .concat, .split, .slice, .expand, .pad, .tile:
            return context.movementStep()
        case .gather:
            return context.gatherStep()
        case .lstm, .gru:
            return RecurrentKernel(context: context).step
        case .constant:
            return context.constantStep()
        case .scatter_add, .one_hot, .max_pool2d_grad, .avg_pool2d_grad, .conv2d_weight_grad,
             .cross_entropy, .binary_cross_entropy, .mse:
            return TrainingKernel(context: context).step
        case .fused:
            // Prepared by `FusedPreparer`, which needs the executor's body machinery.
            return nil
        }
    }
}
