/// Shape and data-movement kernels. Each builds per-axis offset tables (Indexing.swift) and
/// gathers, so every dtype shares one implementation and results are exact.

/// reshape: 0 copies the input dim at that position, −1 is inferred (ONNX, allowzero 0).
func reshape(_ x: Tensor, to requested: [Int]) -> Tensor {
    var shape = requested
    for i in shape.indices where shape[i] == 0 { shape[i] = x.shape[i] }
    if let inferred = shape.firstIndex(of: -1) {
        let known = shape.enumerated().reduce(1) { $1.offset == inferred ? $0 : $0 * $1.element }
        shape[inferred] = known == 0 ? 0 : x.count / known
    }
    return x.reshaped(shape)
}

/// transpose: output axis i is input axis perm[i]; an empty perm reverses the axes.
func transpose(_ x: Tensor, perm requested: [Int]) -> Tensor {
    let perm = requested.isEmpty ? Array(x.shape.indices.reversed()) : requested.map { normalized(axis: $0, rank: x.rank) }
    let strides = rowMajorStrides(x.shape)
    let shape = perm.map { x.shape[$0] }
    let tables = perm.map { stridedTable(count: x.shape[$0], stride: strides[$0]) }
    return x.gathering(gatherOffsets(shape: shape, tables: tables), shape: shape)
}

/// flatten: [d0 … d(axis−1), d(axis) …] -> [product before, product from]; axis may equal rank.
func flatten(_ x: Tensor, axis requested: Int) -> Tensor {
    let axis = requested < 0 ? requested + x.rank : requested
    precondition(axis >= 0 && axis <= x.rank, "flatten axis out of range")
    return x.reshaped([product(x.shape[..<axis]), product(x.shape[axis...])])
}

/// squeeze: drops the size-1 dims at `axes`, or every size-1 dim when `axes` is empty.
func squeeze(_ x: Tensor, axes requested: [Int]) -> Tensor {
    let axes = Set(requested.map { normalized(axis: $0, rank: x.rank) })
    let shape = x.shape.enumerated().filter { axes.isEmpty ? $0.element != 1 : !axes.contains($0.offset) }.map(\.element)
    return x.reshaped(shape)
}

/// unsqueeze: inserts size-1 dims so that they sit at `axes` of the result.
func unsqueeze(_ x: Tensor, axes requested: [Int]) -> Tensor {
    let rank = x.rank + requested.count
    let axes = Set(requested.map { normalized(axis: $0, rank: rank) })
    var remaining = x.shape.makeIterator()
    let shape = (0..<rank).map { axes.contains($0) ? 1 : remaining.next() ?? 1 }
    return x.reshaped(shape)
}

/// concat: joins along `axis`; all other dims agree.
func concat(_ inputs: [Tensor], axis requested: Int) -> Tensor {
    guard let first = inputs.first else { preconditionFailure("concat takes at least one tensor") }
    let axis = normalized(axis: requested, rank: first.rank)
    var shape = first.shape
    shape[axis] = inputs.reduce(0) { $0 + $1.shape[axis] }
    let outer = product(shape[..<axis])
    // Each input contributes one contiguous block of dim·inner scalars per outer index.
    let blocks = inputs.map { product($0.shape[axis...]) }
    func join<T: TensorElement>(_: T.Type) -> Tensor {
        let arrays = inputs.map { $0.array(T.self) }
        var result: [T] = []
        result.reserveCapacity(product(shape))
        for o in 0..<outer {
            for (array, block) in zip(arrays, blocks) { result += array[(o * block)..<((o + 1) * block)] }
        }
        return Tensor(shape: shape, scalars: result)
    }
    switch first.dtype {
    case .f32: return join(Float.self)
    case .f64: return join(Double.self)
    case .i32: return join(Int32.self)
    case .i64: return join(Int64.self)
    case .bool: return join(Bool.self)
    }
}

/// split: pieces along `axis` of `sizes`, or `parts` pieces of ceil(dim / parts) with a smaller
/// last one (ONNX num_outputs), or (neither given) one piece per element.
func split(_ x: Tensor, axis requested: Int, sizes: [Int], parts: Int) -> [Tensor] {
    let axis = normalized(axis: requested, rank: x.rank)
    let dim = x.shape[axis]
    var pieces = sizes
    if pieces.isEmpty {
        let count = parts > 0 ? parts : dim
        let size = count == 0 ? 0 : (dim + count - 1) / count
        pieces = (0..<count).map { Swift.max(0, Swift.min(size, dim - $0 * size)) }
    }
    let strides = rowMajorStrides(x.shape)
    var start = 0
    return pieces.map { size in
        var shape = x.shape
        shape[axis] = size
        let tables = shape.indices.map { stridedTable(count: shape[$0], start: $0 == axis ? start : 0, stride: strides[$0]) }
        start += size
        return x.gathering(gatherOffsets(shape: shape, tables: tables), shape: shape)
    }
}

/// slice: ONNX Slice. Negative starts/ends count from the end; both are clamped to the dim
/// ([0, dim] for positive steps, [−1, dim − 1] for negative ones); steps may be negative.
func slice(_ x: Tensor, starts: [Int], ends: [Int], axes givenAxes: [Int], steps givenSteps: [Int]) -> Tensor {
    let axes = givenAxes.isEmpty ? Array(starts.indices) : givenAxes.map { normalized(axis: $0, rank: x.rank) }
    let steps = givenSteps.isEmpty ? Array(repeating: 1, count: starts.count) : givenSteps
    let strides = rowMajorStrides(x.shape)
    var shape = x.shape
    var tables = x.shape.indices.map { stridedTable(count: x.shape[$0], stride: strides[$0]) }
    for (i, axis) in axes.enumerated() {
        let (start, count) = sliceRange(start: starts[i], end: ends[i], step: steps[i], size: x.shape[axis])
        shape[axis] = count
        tables[axis] = stridedTable(count: count, start: start, step: steps[i], stride: strides[axis])
    }
    return x.gathering(gatherOffsets(shape: shape, tables: tables), shape: shape)
}

/// gather: ONNX Gather. Result shape is data[..<axis] + indices + data[axis+1...]; negative
/// indices count from the end.
func gather(_ data: Tensor, _ indices: Tensor, axis requested: Int) throws(KernelError) -> Tensor {
    let axis = normalized(axis: requested, rank: data.rank)
    let dim = data.shape[axis]
    let positions = try indexPositions(indices, op: "gather", axis: axis, size: dim)
    let outer = product(data.shape[..<axis]), inner = product(data.shape[(axis + 1)...])
    var offsets: [Int] = []
    offsets.reserveCapacity(outer * positions.count * inner)
    for o in 0..<outer {
        for position in positions {
            let base = (o * dim + position) * inner
            for i in 0..<inner { offsets.append(base + i) }
        }
    }
    let shape = Array(data.shape[..<axis]) + indices.shape + Array(data.shape[(axis + 1)...])
    return data.gathering(offsets, shape: shape)
}

/// expand: ONNX Expand, broadcasting the input and `shape` against each other.
func expand(_ x: Tensor, to requested: [Int]) -> Tensor {
    let shape = broadcast(x.shape, requested)
    return x.gathering(gatherOffsets(shape: shape, tables: broadcastTables(from: x.shape, to: shape)), shape: shape)
}

/// tile: repeats the tensor `repeats[i]` times along axis i.
func tile(_ x: Tensor, repeats: [Int]) -> Tensor {
    let strides = rowMajorStrides(x.shape)
    let shape = zip(x.shape, repeats).map { $0 * $1 }
    let tables = x.shape.indices.map { axis in (0..<shape[axis]).map { ($0 % x.shape[axis]) * strides[axis] } }
    return x.gathering(gatherOffsets(shape: shape, tables: tables), shape: shape)
}
