/// Losses: a prediction and a target reduced to one scalar, the sum of the per-position (or
/// per-element) losses in order from zero, divided by their count unless `sum`. The formulas
/// and the order are the reference's (PyTorch's CrossEntropyLoss with class indices, BCELoss,
/// MSELoss), so the results are its bits. Labels and probabilities are data: out-of-range ones
/// fail with the reference's message before anything is summed. They are small (a batch of
/// rows), so they run on one thread.

/// cross_entropy over `rows` rows of `classes` logits: log Σ e^(x − max) − (x[label] − max)
/// per row, so large logits neither overflow nor lose the label's term.
@inlinable public func crossEntropy<T: KernelFloat, I: FixedWidthInteger>(logits: UnsafePointer<T>, labels: UnsafePointer<I>, rows: Int,
                                                                         classes: Int, sum: Bool) throws(KernelFailure) -> T {
    for row in 0..<rows {
        let label = Int(labels[row])
        if label < 0 || label >= classes { throw KernelFailure("cross_entropy: label \(label) is out of range [0, \(classes))") }
    }
    var total = T.zero
    for row in 0..<rows {
        let x = logits + row * classes
        var peak = -T.infinity
        for c in 0..<classes { peak = T.larger(peak, x[c]) }
        var exponentials = T.zero
        for c in 0..<classes { exponentials += T.exp(x[c] - peak) }
        total += T.log(exponentials) - (x[Int(labels[row])] - peak)
    }
    return sum ? total : total / T(count: rows)
}

/// binary_cross_entropy over `count` elements: −(y·log p + (1 − y)·log(1 − p)), each log
/// clamped to ≥ −100 and log(1 − p) taken as log1p(−p). p and y must lie in [0, 1].
@inlinable public func binaryCrossEntropy<T: KernelFloat>(p: UnsafePointer<T>, y: UnsafePointer<T>, count: Int,
                                                         sum: Bool) throws(KernelFailure) -> T {
    try requireProbabilities(p, count: count, name: "p")
    try requireProbabilities(y, count: count, name: "y")
    let floor: T = -100
    var total = T.zero
    for i in 0..<count {
        total += -(y[i] * Swift.max(T.log(p[i]), floor) + (1 - y[i]) * Swift.max(T.log1p(-p[i]), floor))
    }
    return sum ? total : total / T(count: count)
}

/// Fails on the first of `count` values outside [0, 1] (or NaN).
@inlinable func requireProbabilities<T: KernelFloat>(_ values: UnsafePointer<T>, count: Int, name: StaticString) throws(KernelFailure) {
    for i in 0..<count where !(values[i] >= 0 && values[i] <= 1) {
        throw KernelFailure("binary_cross_entropy: \(name) \(values[i]) is out of range [0, 1]")
    }
}

/// mse over `count` elements: (pred − target)².
@inlinable public func meanSquaredError<T: KernelFloat>(pred: UnsafePointer<T>, target: UnsafePointer<T>, count: Int, sum: Bool) -> T {
    var total = T.zero
    for i in 0..<count {
        let d = pred[i] - target[i]
        total += d * d
    }
    return sum ? total : total / T(count: count)
}
