/// Reductions (ONNX Reduce*, ArgMax, ArgMin).
///
/// Sums accumulate in the input dtype, in input order. numpy sums contiguous f32 runs pairwise,
/// so its f32 sums are more accurate: expect agreement to ~1e-6 · n relative for n-element
/// reductions (about 1e-5 for the sizes the tests use).

/// reduce_sum / mean / max / min / prod over `axes` (all when empty). Empty reductions give
/// the op's identity (0, 1, −∞/min, +∞/max as ONNX says); an empty mean is 0/0 (NaN for floats).
func reduce(_ op: Op, _ x: Tensor, axes requested: [Int], keepdims: Bool) -> Tensor {
    let reduced = requested.isEmpty ? Set(x.shape.indices) : Set(requested.map { normalized(axis: $0, rank: x.rank) })
    let kept = x.shape.indices.map { reduced.contains($0) ? 1 : x.shape[$0] }
    // Input element i accumulates into output element targets[i].
    let keptStrides = rowMajorStrides(kept)
    let tables = x.shape.indices.map { stridedTable(count: x.shape[$0], stride: reduced.contains($0) ? 0 : keptStrides[$0]) }
    let targets = gatherOffsets(shape: x.shape, tables: tables)
    let count = product(reduced.map { x.shape[$0] })
    let shape = keepdims ? kept : x.shape.indices.filter { !reduced.contains($0) }.map { x.shape[$0] }
    switch x.storage {
    case .f32(let a): return Tensor(shape: shape, scalars: reduce(op, a, targets, product(kept), count))
    case .f64(let a): return Tensor(shape: shape, scalars: reduce(op, a, targets, product(kept), count))
    case .i32(let a): return Tensor(shape: shape, scalars: reduce(op, a, targets, product(kept), count))
    case .i64(let a): return Tensor(shape: shape, scalars: reduce(op, a, targets, product(kept), count))
    case .bool: preconditionFailure("\(op) takes numbers, got bool")
    }
}

private func reduce<T: ArithmeticScalar>(_ op: Op, _ x: [T], _ targets: [Int], _ outputCount: Int, _ reducedCount: Int) -> [T] {
    let (initial, combine): (T, (T, T) -> T) = switch op {
    case .reduce_sum, .reduce_mean: (T.zero, T.add)
    case .reduce_prod: (T.one, T.multiply)
    case .reduce_max: (T.lowest, T.larger)
    case .reduce_min: (T.highest, T.smaller)
    default: preconditionFailure("\(op) is not a reduction")
    }
    var out = Array(repeating: initial, count: outputCount)
    for i in x.indices { out[targets[i]] = combine(out[targets[i]], x[i]) }
    if op == .reduce_mean {
        let divisor = T(count: reducedCount)
        out = out.map { T.divide($0, divisor) ?? T.zero }
    }
    return out
}

/// argmax / argmin along `axis` -> i64. Ties go to the first index (the last with
/// select_last_index); NaN counts as the extreme value, as numpy's argmax/argmin do.
func argExtreme(_ op: Op, _ x: Tensor, _ attributes: Attributes) throws(KernelError) -> Tensor {
    let axis = normalized(axis: attributes.int("axis"), rank: x.rank)
    let last = attributes.bool("select_last_index")
    let dim = x.shape[axis]
    var shape = x.shape
    shape[axis] = 1
    if dim == 0 && product(shape) > 0 { throw KernelError("\(op) of an empty axis \(axis) has no result") }
    let indices: [Int64] = switch x.storage {
    case .f32(let a): argExtreme(a, x.shape, axis, largest: op == .argmax, last: last)
    case .f64(let a): argExtreme(a, x.shape, axis, largest: op == .argmax, last: last)
    case .i32(let a): argExtreme(a, x.shape, axis, largest: op == .argmax, last: last)
    case .i64(let a): argExtreme(a, x.shape, axis, largest: op == .argmax, last: last)
    case .bool: preconditionFailure("\(op) takes numbers, got bool")
    }
    if !attributes.bool("keepdims") { shape.remove(at: axis) }
    return Tensor(shape: shape, scalars: indices)
}

private func argExtreme<T: ArithmeticScalar>(_ x: [T], _ shape: [Int], _ axis: Int, largest: Bool, last: Bool) -> [Int64] {
    let dim = shape[axis], inner = product(shape[(axis + 1)...])
    let outer = product(shape[..<axis])
    var result: [Int64] = []
    result.reserveCapacity(outer * inner)
    for o in 0..<outer {
        for i in 0..<inner {
            let base = o * dim * inner + i
            var best = 0
            for j in 1..<Swift.max(dim, 1) {
                let value = x[base + j * inner], current = x[base + best * inner]
                if current.isNaNValue { if last && value.isNaNValue { best = j }; continue }
                let better = value.isNaNValue || (largest ? value > current : value < current) || (last && value == current)
                if better { best = j }
            }
            result.append(Int64(best))
        }
    }
    return result
}
