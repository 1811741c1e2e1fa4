import LeptonTensor

/// Why `actual` does not match `expected`, or nil when it does: same dtype and shape exactly;
/// floats within `atol + rtol·|expected|` (NaN matches NaN, infinities match only themselves);
/// ints and bools exactly. The message names the worst element by index with both values.
func mismatch(_ actual: Tensor, _ expected: Tensor, rtol: Double, atol: Double) -> String? {
    if actual.dtype != expected.dtype {
        return "dtype \(actual.dtype), expected \(expected.dtype)"
    }
    if actual.shape != expected.shape {
        return "shape \(actual.shape), expected \(expected.shape)"
    }
    let worst: (index: Int, excess: Double, failures: Int)?
    switch (actual.storage, expected.storage) {
    case (.f32, .f32), (.f64, .f64):
        worst = worstFloat(actual.doubles, expected.doubles, rtol: rtol, atol: atol)
    default:
        worst = worstExact(exactValues(actual), exactValues(expected))
    }
    guard let worst else { return nil }
    let index = multiIndex(worst.index, shape: expected.shape)
    let got = scalarText(actual, worst.index)
    let want = scalarText(expected, worst.index)
    return "\(worst.failures) of \(expected.count) elements differ; worst at \(index): got \(got), expected \(want)"
        + (expected.dtype.isFloatingPoint ? " (rtol \(rtol), atol \(atol))" : "")
}

/// The element that most exceeds its tolerance, and how many exceed it.
private func worstFloat(_ a: [Double], _ e: [Double], rtol: Double, atol: Double) -> (index: Int, excess: Double, failures: Int)? {
    var worst: (index: Int, excess: Double, failures: Int)?
    var failures = 0
    for i in e.indices {
        let excess: Double
        if a[i].isNaN && e[i].isNaN || a[i] == e[i] {
            continue
        } else if a[i].isNaN || e[i].isNaN || a[i].isInfinite || e[i].isInfinite {
            excess = .infinity
        } else {
            excess = abs(a[i] - e[i]) - (atol + rtol * abs(e[i]))
            if excess <= 0 { continue }
        }
        failures += 1
        if worst == nil || excess > worst!.excess { worst = (i, excess, 0) }
    }
    return worst.map { ($0.index, $0.excess, failures) }
}

/// The first differing element (ints and bools have no "worst"), and how many differ.
private func worstExact(_ a: [Int64], _ e: [Int64]) -> (index: Int, excess: Double, failures: Int)? {
    let differing = e.indices.filter { a[$0] != e[$0] }
    return differing.first.map { ($0, 0, differing.count) }
}

/// Integer and bool scalars widened to Int64 exactly (Double would round i64 beyond 2^53).
private func exactValues(_ t: Tensor) -> [Int64] {
    switch t.storage {
    case .i32(let v): v.map(Int64.init)
    case .i64(let v): v
    case .bool(let v): v.map { $0 ? 1 : 0 }
    case .f32, .f64: preconditionFailure("exactValues is for integer and bool tensors")
    }
}

private func scalarText(_ t: Tensor, _ flat: Int) -> String {
    switch t.storage {
    case .f32(let v): "\(v[flat])"
    case .f64(let v): "\(v[flat])"
    case .i32(let v): "\(v[flat])"
    case .i64(let v): "\(v[flat])"
    case .bool(let v): "\(v[flat])"
    }
}

/// `[i, j, k]` of a row-major flat index.
private func multiIndex(_ flat: Int, shape: [Int]) -> [Int] {
    var rest = flat
    return rowMajorStrides(shape).map { stride in
        defer { rest %= stride }
        return rest / stride
    }
}
