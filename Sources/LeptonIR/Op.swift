/// Every operation the IR knows. The raw value is the op's name in `.graph` text.
///
/// Each op is declared once, here; its facets are exhaustive switches elsewhere, so adding a
/// case makes the compiler list every facet still missing:
/// `Op+Schema.swift` (inputs, attributes), `Op+Shape*.swift` (type and shape rule), and
/// `Op+Reference.swift` in LeptonReference (semantics). Semantics follow ONNX where ONNX
/// defines the op.
public enum Op: String, CaseIterable, Hashable, Sendable {
    // MARK: Elementwise unary, floating point
    /// e^x
    case exp
    /// Natural logarithm.
    case log
    /// Square root.
    case sqrt
    /// 1 / sqrt(x)
    case rsqrt
    /// 1 / x
    case reciprocal
    /// 1 / (1 + e^-x)
    case sigmoid
    /// Hyperbolic tangent.
    case tanh
    /// log(1 + e^x), computed without overflow.
    case softplus
    /// Gauss error function.
    case erf
    /// x·Φ(x); `approximate: tanh` uses the tanh formula.
    case gelu
    /// x if x ≥ 0 else alpha·x
    case leaky_relu
    /// x if x > 0 else alpha·(e^x − 1)
    case elu
    /// Round toward −∞.
    case floor
    /// Round toward +∞.
    case ceil

    // MARK: Elementwise unary, any numeric type
    /// −x
    case neg
    /// |x|
    case abs
    /// max(x, 0)
    case relu
    /// min(max(x, min), max); relu6 is `clip(x, min: 0, max: 6)`.
    case clip
    /// Copies its input (what `y = x` lowers to).
    case identity
    /// Converts to another dtype (floats to ints truncate toward zero, nonzero to bool is true).
    case cast

    // MARK: Elementwise binary with numpy broadcasting (both operands of one dtype)
    case add, sub, mul, div
    /// x^y
    case pow
    /// Elementwise maximum / minimum.
    case max, min
    /// Comparisons; the result is bool.
    case eq, ne, lt, le, gt, ge
    /// Logical operations on bool tensors.
    case and, or, xor
    /// Logical negation of a bool tensor.
    case not
    /// cond ? x : y, broadcasting all three.
    case `where`

    // MARK: Linear algebra
    /// numpy matmul: batched, broadcasting leading dims, 1-D operands promoted.
    case matmul
    /// alpha·op(A)·op(B) + beta·C for 2-D A, B; C optional and broadcast to the result.
    case gemm
    /// x[..., K]·w[K, N] + b[N]: a dense layer with weights stored [in, out].
    case linear

    // MARK: Convolution, pooling, normalization (NCHW)
    /// 2-D convolution: strides, pads, dilations, groups, `padding: same|same_lower|valid`.
    case conv2d
    /// Transposed 2-D convolution (the gradient of conv2d w.r.t. its input).
    case conv_transpose2d
    /// Max over sliding windows.
    case max_pool2d
    /// Mean over sliding windows.
    case avg_pool2d
    /// Mean over H and W, keeping them as size 1.
    case global_avg_pool
    /// Inference batch norm: scale·(x − mean)/sqrt(var + epsilon) + bias per channel.
    case batch_norm
    /// Normalizes over the dimensions from `axis` on, then scale and bias.
    case layer_norm
    /// Normalizes each (n, c) plane over H, W, then per-channel scale and bias.
    case instance_norm

    // MARK: Normalized exponentials and reductions
    /// e^x / Σ e^x along `axis`.
    case softmax
    /// log(softmax(x)) along `axis`, computed stably.
    case log_softmax
    /// Reductions over `axes` (all when empty), keeping reduced dims when `keepdims`.
    case reduce_sum, reduce_mean, reduce_max, reduce_min, reduce_prod
    /// Index (i64) of the largest / smallest element along `axis`.
    case argmax, argmin

    // MARK: Shape and data movement
    /// New shape with the same elements; 0 copies the input dim, −1 is inferred.
    case reshape
    /// Permutes dimensions (reverses them when `perm` is empty).
    case transpose
    /// Collapses to 2-D: dims before `axis` and dims from `axis` on.
    case flatten
    /// Removes size-1 dims at `axes` (all size-1 dims when empty, which needs every dim known).
    case squeeze
    /// Inserts size-1 dims at `axes` (positions in the result).
    case unsqueeze
    /// Joins tensors along `axis`.
    case concat
    /// Splits along `axis` into `sizes`, or into `parts` equal pieces.
    case split
    /// Strided sub-tensor: starts, ends, axes, steps (negative indices and steps allowed).
    case slice
    /// Picks entries of `data` along `axis` by integer `indices` (an embedding lookup on axis 0).
    case gather
    /// Broadcasts to `shape` (numpy rules, both ways as in ONNX Expand).
    case expand
    /// Pads with `mode: constant|reflect|edge`; `pads` is [begin…, end…].
    case pad
    /// Repeats the tensor `repeats[i]` times along each dim.
    case tile

    // MARK: Sequence models (ONNX layouts and gate orders)
    /// LSTM over x[seq, batch, input]; outputs y, y_h, y_c. Gates i, o, f, c.
    case lstm
    /// GRU over x[seq, batch, input]; outputs y, y_h. Gates z, r, h.
    case gru

    // MARK: Training: gradients and losses (the ops reverse-mode autodiff emits)
    /// Adds slices of `updates` into a copy of `data` at `indices` along `axis`: the adjoint of gather.
    case scatter_add
    /// `dtype[indices.shape..., depth]`: 1 where the last index equals the value, else 0.
    case one_hot
    /// Gradient of max_pool2d w.r.t. x: each dy goes to its window's first maximal position.
    case max_pool2d_grad
    /// Gradient of avg_pool2d w.r.t. x: each dy spread over its window by the forward's divisor.
    case avg_pool2d_grad
    /// Gradient of conv2d w.r.t. its weight: dW[o, c, i, j] = Σ dy[n, o, y, x]·x[n, c', …].
    case conv2d_weight_grad
    /// Mean (or sum) over positions of −log_softmax(logits)[label], labels integer class ids.
    case cross_entropy
    /// Mean (or sum) of −(y·log p + (1 − y)·log(1 − p)), each log clamped to ≥ −100.
    case binary_cross_entropy
    /// Mean (or sum) of (pred − target)².
    case mse

    // MARK: Sources
    /// A literal tensor.
    case constant

    // MARK: Compiler-made
    /// A fused kernel: its one region (`Node.regions[0]`, a graph whose inputs stand for the
    /// operands) computes the results in one pass. Made by the fusion passes; prints and
    /// parses as `y: T = fused(a, b) graph(x0: A, x1: B) -> (y0: T) { body }` (spec/language.md 9.1).
    case fused
}

extension Op {
    /// The op's name in `.graph` text.
    public var mnemonic: String { rawValue }

    /// Ops that map each output element to the inputs at the same (broadcast) index.
    public var isElementwise: Bool {
        switch self {
        case .exp, .log, .sqrt, .rsqrt, .reciprocal, .sigmoid, .tanh, .softplus, .erf, .gelu,
             .leaky_relu, .elu, .floor, .ceil, .neg, .abs, .relu, .clip, .identity, .cast,
             .add, .sub, .mul, .div, .pow, .max, .min, .eq, .ne, .lt, .le, .gt, .ge,
             .and, .or, .xor, .not, .where:
            true
        default:
            false
        }
    }

    /// Binary ops where swapping the operands gives the same result.
    public var isCommutative: Bool {
        switch self {
        case .add, .mul, .max, .min, .eq, .ne, .and, .or, .xor: true
        default: false
        }
    }
}
