/// Index arithmetic shared by the kernels: every data-movement op (transpose, slice, expand,
/// tile, pad, split, broadcasting) is "output element i reads source element offsets[i]",
/// where an offset is a sum of one per-axis table entry per output axis.

/// A table entry that marks "outside the source" (constant padding). Any sum containing it is
/// negative, since real offsets are far smaller than 2^40.
let outsideSource = -(1 << 40)

/// Flat source offsets for every element (row-major) of a result of `shape`: element
/// (i0, i1, …) reads `tables[0][i0] + tables[1][i1] + …`. Negative offsets mean "fill".
func gatherOffsets(shape: [Int], tables: [[Int]]) -> [Int] {
    precondition(tables.count == shape.count, "one offset table per axis")
    let count = product(shape)
    guard count > 0 else { return [] }
    guard let innerTable = tables.last else { return [0] }
    let outerRank = shape.count - 1
    var result: [Int] = []
    result.reserveCapacity(count)
    var index = Array(repeating: 0, count: outerRank)
    var base = (0..<outerRank).reduce(0) { $0 + tables[$1][0] }
    for _ in 0..<(count / innerTable.count) {
        for entry in innerTable { result.append(base + entry) }
        // Advance the odometer over the outer axes, keeping `base` in step.
        var axis = outerRank - 1
        while axis >= 0 {
            base -= tables[axis][index[axis]]
            index[axis] += 1
            if index[axis] < shape[axis] {
                base += tables[axis][index[axis]]
                break
            }
            index[axis] = 0
            base += tables[axis][0]
            axis -= 1
        }
    }
    return result
}

/// `start, start + step, …` (`count` entries), each times `stride`.
func stridedTable(count: Int, start: Int = 0, step: Int = 1, stride: Int) -> [Int] {
    (0..<count).map { (start + $0 * step) * stride }
}

/// Per-axis tables reading a tensor of `source` shape broadcast (numpy rules) to `shape`.
func broadcastTables(from source: [Int], to shape: [Int]) -> [[Int]] {
    let strides = broadcastStrides(from: source, to: shape)
    return shape.indices.map { stridedTable(count: shape[$0], stride: strides[$0]) }
}

/// Row-major strides of `source` aligned right to `shape`, 0 on broadcast (size-1 or
/// missing) axes.
func broadcastStrides(from source: [Int], to shape: [Int]) -> [Int] {
    let sourceStrides = rowMajorStrides(source)
    let lead = shape.count - source.count
    precondition(lead >= 0, "cannot broadcast \(source) to \(shape)")
    return shape.indices.map { axis in
        guard axis >= lead else { return 0 }
        let dim = source[axis - lead]
        precondition(dim == shape[axis] || dim == 1, "cannot broadcast \(source) to \(shape)")
        return dim == 1 ? 0 : sourceStrides[axis - lead]
    }
}

/// numpy broadcasting of concrete shapes (the shape rules already accepted them).
func broadcast(_ a: [Int], _ b: [Int]) -> [Int] {
    guard let shape = try? broadcastShapes(a.map(Dim.fixed), b.map(Dim.fixed)) else {
        preconditionFailure("cannot broadcast \(a) with \(b)")
    }
    return shape.map { dim in
        guard let n = dim.fixedValue else { preconditionFailure("broadcast of fixed shapes is fixed") }
        return n
    }
}

/// Applies `f` to each pair of elements of `a` and `b` broadcast together, row-major.
/// The innermost axis runs as a plain strided loop; only outer axes use offset tables.
func zipBroadcast<A, B, R>(_ a: [A], _ aShape: [Int], _ b: [B], _ bShape: [Int],
                           _ f: (A, B) -> R) -> (values: [R], shape: [Int]) {
    if aShape == bShape { return (zip(a, b).map(f), aShape) }
    let shape = broadcast(aShape, bShape)
    let count = product(shape)
    guard count > 0, let inner = shape.last else { return (count == 0 ? [] : [f(a[0], b[0])], shape) }
    let aStrides = broadcastStrides(from: aShape, to: shape)
    let bStrides = broadcastStrides(from: bShape, to: shape)
    let outer = Array(shape.dropLast())
    let aBases = gatherOffsets(shape: outer, tables: outer.indices.map { stridedTable(count: outer[$0], stride: aStrides[$0]) })
    let bBases = gatherOffsets(shape: outer, tables: outer.indices.map { stridedTable(count: outer[$0], stride: bStrides[$0]) })
    let aStep = aStrides[shape.count - 1], bStep = bStrides[shape.count - 1]
    var result: [R] = []
    result.reserveCapacity(count)
    for row in aBases.indices {
        let aBase = aBases[row], bBase = bBases[row]
        for j in 0..<inner { result.append(f(a[aBase + j * aStep], b[bBase + j * bStep])) }
    }
    return (result, shape)
}

extension Tensor {
    /// A tensor of `shape` whose element i is this tensor's element `offsets[i]`, or `fill`
    /// (converted to the dtype) where the offset is negative.
    func gathering(_ offsets: [Int], shape: [Int], fill: Double = 0) -> Tensor {
        func pick<T>(_ a: [T], _ fill: T) -> [T] { offsets.map { $0 < 0 ? fill : a[$0] } }
        switch storage {
        case .f32(let a): return Tensor(shape: shape, storage: .f32(pick(a, Float(fill))))
        case .f64(let a): return Tensor(shape: shape, storage: .f64(pick(a, fill)))
        case .i32(let a): return Tensor(shape: shape, storage: .i32(pick(a, Int32(attribute: fill))))
        case .i64(let a): return Tensor(shape: shape, storage: .i64(pick(a, Int64(attribute: fill))))
        case .bool(let a): return Tensor(shape: shape, storage: .bool(pick(a, fill != 0)))
        }
    }
}
