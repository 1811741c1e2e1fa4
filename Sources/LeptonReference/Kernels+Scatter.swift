/// The index-driven writes training needs: scatter_add (the adjoint of gather: where gather
/// reads a slice, scatter_add adds one back) and one_hot (class labels as rows of 0s and 1s).
/// Indices are data, so a bad one is a KernelError naming the index and the range allowed.

/// scatter_add: a copy of `data` with slice k of `updates` added at position indices[k] along
/// `axis`. `updates` has gather(data, indices)'s shape. Repeated indices accumulate, in index
/// order (row-major over `indices`), so the result is deterministic.
func scatterAdd(_ data: Tensor, _ indices: Tensor, _ updates: Tensor, axis requested: Int) throws(KernelError) -> Tensor {
    let axis = normalized(axis: requested, rank: data.rank)
    let dim = data.shape[axis]
    let positions = try indexPositions(indices, op: "scatter_add", axis: axis, size: dim)
    let outer = product(data.shape[..<axis]), inner = product(data.shape[(axis + 1)...])
    func run<T: FloatScalar>(_ base: [T]) -> Tensor {
        var out = base
        let slices = updates.array(T.self)
        var source = 0
        for o in 0..<outer {
            for position in positions {
                let target = (o * dim + position) * inner
                for i in 0..<inner { out[target + i] += slices[source + i] }
                source += inner
            }
        }
        return Tensor(shape: data.shape, scalars: out)
    }
    switch data.storage {
    case .f32(let a): return run(a)
    case .f64(let a): return run(a)
    default: preconditionFailure("scatter_add takes floats, got \(data.dtype)")
    }
}

/// The positions `indices` name along an axis of `size`, negative ones counted from the end
/// (as numpy and ONNX Gather do). Throws for one outside [-size, size).
func indexPositions(_ indices: Tensor, op: String, axis: Int, size: Int) throws(KernelError) -> [Int] {
    let positions = integerValues(indices, op: op)
    if let bad = positions.first(where: { $0 < -size || $0 >= size }) {
        throw KernelError("\(op) index \(bad) is out of range for axis \(axis) of size \(size)")
    }
    return positions.map { $0 < 0 ? $0 + size : $0 }
}

/// one_hot: dtype[indices.shape..., depth], 1 where the last index equals the value. Values
/// outside [0, depth) throw rather than wrap: that is how a bad class label gets reported.
func oneHot(_ indices: Tensor, depth: Int, dtype: DType) throws(KernelError) -> Tensor {
    let values = integerValues(indices, op: "one_hot")
    if let bad = values.first(where: { $0 < 0 || $0 >= depth }) {
        throw KernelError("one_hot: index \(bad) is out of range [0, \(depth))")
    }
    var rows = Array(repeating: 0.0, count: values.count * depth)
    for (k, value) in values.enumerated() { rows[k * depth + value] = 1 }
    return cast(Tensor(shape: indices.shape + [depth], scalars: rows), to: dtype)
}

/// An i32 or i64 tensor's values as Ints (the shape rules only let integer indices through).
func integerValues(_ indices: Tensor, op: String) -> [Int] {
    switch indices.storage {
    case .i32(let a): a.map(Int.init)
    case .i64(let a): a.map(Int.init)
    default: preconditionFailure("\(op) indices are i32 or i64, got \(indices.dtype)")
    }
}
