/// The index-driven writes of training: scatter_add (gather's adjoint: each update row added
/// back at the position its index names) and one_hot. Indices are data, so they are checked
/// before anything is written, and the first bad one fails with the reference's message.

/// Checks `indices` (positions along an axis of `dim`, negative ones counting from the end)
/// and writes each as a position in 0..<dim to `positions`.
@inlinable public func scatterPositions<I: FixedWidthInteger>(_ indices: UnsafePointer<I>, count: Int, dim: Int, axis: Int,
                                                             into positions: UnsafeMutablePointer<Int>) throws(KernelFailure) {
    for p in 0..<count {
        let index = Int(indices[p])
        if index < -dim || index >= dim {
            throw KernelFailure("scatter_add index \(index) is out of range for axis \(axis) of size \(dim)")
        }
        positions[p] = index < 0 ? index + dim : index
    }
}

/// The shape of a scatter_add: data and out are [outer, dim, inner], updates [outer, count, inner],
/// and update row (o, p) is added to out row (o, positions[p]).
public struct ScatterShape: Sendable {
    public var outer: Int, dim: Int, inner: Int, count: Int
    public init(outer: Int, dim: Int, inner: Int, count: Int) { (self.outer, self.dim, self.inner, self.count) = (outer, dim, inner, count) }
}

/// out = data (zeros when `data` is nil: an all-zero constant need not be read), then
/// out[o, positions[p], :] += updates[o, p, :] for p in order. Threads split the positions
/// along the axis; each walks every update and adds those landing in its part, so each row
/// still sums its updates in index order, whatever the thread count.
public func scatterAdd(_ shape: ScatterShape, data: UnsafePointer<Float>?, positions: UnsafePointer<Int>,
                       updates: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, parallelism: Parallelism) {
    ScatterAdd(shape: shape, data: data, positions: positions, updates: updates, out: out).run(parallelism) { context, lower, upper, _ in
        context.assumingMemoryBound(to: ScatterAdd<Float>.self).pointee.positions(lower..<upper)
    }
}

/// scatterAdd in f64.
public func scatterAdd(_ shape: ScatterShape, data: UnsafePointer<Double>?, positions: UnsafePointer<Int>,
                       updates: UnsafePointer<Double>, out: UnsafeMutablePointer<Double>, parallelism: Parallelism) {
    ScatterAdd(shape: shape, data: data, positions: positions, updates: updates, out: out).run(parallelism) { context, lower, upper, _ in
        context.assumingMemoryBound(to: ScatterAdd<Double>.self).pointee.positions(lower..<upper)
    }
}

/// One scatterAdd call, handed to the threads as a pointer (no closure to allocate).
struct ScatterAdd<T: KernelFloat> {
    let shape: ScatterShape
    let data: UnsafePointer<T>?, positions: UnsafePointer<Int>, updates: UnsafePointer<T>, out: UnsafeMutablePointer<T>

    func run(_ parallelism: Parallelism, _ chunk: Parallelism.ChunkFunction) {
        let s = shape
        // Per position: its rows' copy plus, on average, count / dim update rows.
        let cost = s.outer * s.inner * (1 + s.count / Swift.max(1, s.dim)) / 4 + 1
        var state = self
        withUnsafeMutablePointer(to: &state) { parallelism.forEach(s.dim, cost: cost, context: UnsafeMutableRawPointer($0), chunk) }
    }

    /// Rows `part` of the axis: copied (or zeroed), then every update landing there added.
    func positions(_ part: Range<Int>) {
        let (outer, dim, inner, count) = (shape.outer, shape.dim, shape.inner, shape.count)
        for o in 0..<outer {
            let (start, length) = ((o * dim + part.lowerBound) * inner, part.count * inner)
            if let data {
                (out + start).update(from: data + start, count: length)
            } else {
                (out + start).update(repeating: T.zero, count: length)
            }
        }
        for o in 0..<outer {
            for p in 0..<count where part.contains(positions[p]) {
                let (row, source) = (out + (o * dim + positions[p]) * inner, updates + (o * count + p) * inner)
                for i in 0..<inner { row[i] += source[i] }
            }
        }
    }
}

/// one_hot: out[k, :] is `depth` elements, all `zero` but for `one` at column indices[k]. An
/// index outside [0, depth) fails (no wrapping).
@inlinable public func oneHot<I: FixedWidthInteger, T>(_ indices: UnsafePointer<I>, count: Int, depth: Int,
                                                      out: UnsafeMutablePointer<T>, zero: T, one: T) throws(KernelFailure) {
    for k in 0..<count {
        let index = Int(indices[k])
        if index < 0 || index >= depth { throw KernelFailure("one_hot: index \(index) is out of range [0, \(depth))") }
    }
    out.update(repeating: zero, count: count * depth)
    for k in 0..<count { out[k * depth + Int(indices[k])] = one }
}
