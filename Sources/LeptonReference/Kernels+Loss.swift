/// Losses: each reduces a prediction and a target to one scalar of the prediction's dtype,
/// the mean over positions (or elements) or, with `reduction: sum`, the sum. Per-position
/// losses are computed in the prediction's dtype and summed in order; an empty mean is 0/0
/// (NaN, as PyTorch gives). Definitions follow PyTorch's CrossEntropyLoss (class indices),
/// BCELoss and MSELoss.

/// cross_entropy(logits[B..., C], labels[B...]): −log_softmax(logits)[label] per position,
/// as log Σ e^(x − max) − (x[label] − max), so large logits neither overflow nor lose the
/// label's term (a row holding ±∞ or NaN gives NaN, as PyTorch). A label outside [0, C) throws.
func crossEntropy(_ logits: Tensor, _ labels: Tensor, reduction: String) throws(KernelError) -> Tensor {
    guard let classes = logits.shape.last else { preconditionFailure("cross_entropy takes logits[B..., C]") }
    let targets = integerValues(labels, op: "cross_entropy")
    if let bad = targets.first(where: { $0 < 0 || $0 >= classes }) {
        throw KernelError("cross_entropy: label \(bad) is out of range [0, \(classes))")
    }
    func run<T: FloatScalar>(_ x: [T]) -> Tensor {
        let losses = targets.enumerated().map { row, label in
            let values = x[(row * classes)..<((row + 1) * classes)]
            let peak = values.reduce(-T.infinity, T.larger)
            let sum = values.reduce(T.zero) { $0 + T.exp($1 - peak) }
            return T.log(sum) - (x[row * classes + label] - peak)
        }
        return Tensor(scalar: reduced(losses, reduction))
    }
    switch logits.storage {
    case .f32(let a): return run(a)
    case .f64(let a): return run(a)
    default: preconditionFailure("cross_entropy takes float logits, got \(logits.dtype)")
    }
}

/// binary_cross_entropy(p, y): −(y·log p + (1 − y)·log(1 − p)) per element with each log
/// clamped to ≥ −100 (so p = 0 or 1 gives a finite loss) and log(1 − p) as log1p(−p), as
/// PyTorch computes it. p and y outside [0, 1] (or NaN) throw, as PyTorch's checks do.
func binaryCrossEntropy(_ p: Tensor, _ y: Tensor, reduction: String) throws(KernelError) -> Tensor {
    func run<T: FloatScalar>(_ p: [T], _ y: [T]) throws(KernelError) -> Tensor {
        for (name, values) in [("p", p), ("y", y)] {
            if let bad = values.first(where: { !($0 >= 0 && $0 <= 1) }) {
                throw KernelError("binary_cross_entropy: \(name) \(bad) is out of range [0, 1]")
            }
        }
        let floor: T = -100
        let losses = zip(p, y).map { p, y in
            -(y * Swift.max(T.log(p), floor) + (1 - y) * Swift.max(T.log1p(-p), floor))
        }
        return Tensor(scalar: reduced(losses, reduction))
    }
    switch (p.storage, y.storage) {
    case (.f32(let a), .f32(let b)): return try run(a, b)
    case (.f64(let a), .f64(let b)): return try run(a, b)
    default: preconditionFailure("binary_cross_entropy takes floats of one dtype, got \(p.dtype) and \(y.dtype)")
    }
}

/// mse(pred, target): (pred − target)² per element.
func meanSquaredError(_ pred: Tensor, _ target: Tensor, reduction: String) -> Tensor {
    func run<T: FloatScalar>(_ a: [T], _ b: [T]) -> Tensor {
        Tensor(scalar: reduced(zip(a, b).map { ($0 - $1) * ($0 - $1) }, reduction))
    }
    switch (pred.storage, target.storage) {
    case (.f32(let a), .f32(let b)): return run(a, b)
    case (.f64(let a), .f64(let b)): return run(a, b)
    default: preconditionFailure("mse takes floats of one dtype, got \(pred.dtype) and \(target.dtype)")
    }
}

/// The sum of `losses` in order, divided by their count for `mean`.
private func reduced<T: FloatScalar>(_ losses: [T], _ reduction: String) -> T {
    let sum = losses.reduce(T.zero, +)
    return reduction == "sum" ? sum : sum / T(count: losses.count)
}
