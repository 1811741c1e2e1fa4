/// Reductions (sum, mean, max, min, prod) and argmax/argmin.

public enum ReduceKind: Hashable, Sendable { case sum, mean, max, min, prod }

/// Reduces x (row-major `shape`) into out: input element (i₀, i₁, …) combines into
/// out[Σ iₐ·outStrides[a]], where reduced axes have out-stride 0. Elements combine in input
/// order, as the reference does; `reducedCount` divides for mean. The first kept axis is split
/// over `parallelism`'s threads: each output element is still combined by one thread, in order.
@inlinable public func reduce<T: KernelScalar>(_ kind: ReduceKind, x: UnsafePointer<T>, shape: [Int], outStrides: [Int],
                                    out: UnsafeMutablePointer<T>, outCount: Int, reducedCount: Int,
                                    parallelism: Parallelism = .serial) {
    let initial: T = switch kind {
    case .sum, .mean: T.zero
    case .prod: T.one
    case .max: T.lowest
    case .min: T.highest
    }
    out.update(repeating: initial, count: outCount)
    let count = shape.reduce(1, *)
    if count > 0 {
        switch kind {
        case .sum, .mean: accumulate(x, shape, outStrides, out, parallelism, .add, T.add)
        case .prod: accumulate(x, shape, outStrides, out, parallelism, .multiply, T.multiply)
        case .max: accumulate(x, shape, outStrides, out, parallelism, .larger, T.larger)
        case .min: accumulate(x, shape, outStrides, out, parallelism, .smaller, T.smaller)
        }
    }
    if kind == .mean {
        let divisor = T(count: reducedCount)
        for i in 0..<outCount { out[i] = divide(out[i], divisor) }
    }
}

/// `accumulate` with the first kept axis `k` split into chunks: per chunk, the leading
/// (reduced) axes are walked in order and each visits the chunk's contiguous sub-block.
@inline(__always)
@inlinable func accumulate<T>(_ x: UnsafePointer<T>, _ shape: [Int], _ strides: [Int], _ out: UnsafeMutablePointer<T>,
                                                _ parallelism: Parallelism, _ kind: ReduceSplit.Kind, _ combine: (T, T) -> T) {
    let count = shape.reduce(1, *)
    guard let k = strides.firstIndex(where: { $0 != 0 }), parallelism.chunks(shape[k], cost: count / shape[k]) > 1 else {
        return accumulate(x, shape, strides, from: 0, extent: shape.first ?? 1, out, combine)
    }
    if T.self == Float.self {
        // Through a C function and a pointer: the closure form allocates per fork-join.
        var split = ReduceSplit(kind: kind, x: UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), shape: shape, strides: strides,
                                out: UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self), k: k)
        return withUnsafeMutablePointer(to: &split) { split in
            parallelism.forEach(shape[k], cost: count / shape[k], context: UnsafeMutableRawPointer(split)) { context, lower, upper, _ in
                context.assumingMemoryBound(to: ReduceSplit.self).pointee.run(lower..<upper)
            }
        }
    }
    let shared = Shared((x, out))
    parallelism.forEach(shape[k], cost: count / shape[k]) { range, _ in
        accumulate(shared.value.0, shape, strides, k: k, positions: range, shared.value.1, combine)
    }
}

/// Positions `positions` of axis k (the first kept axis) of the reduction: for each index of
/// the leading (reduced) axes in order, the block of those positions.
@inline(__always)
@inlinable func accumulate<T>(_ x: UnsafePointer<T>, _ shape: [Int], _ strides: [Int], k: Int, positions: Range<Int>,
                              _ out: UnsafeMutablePointer<T>, _ combine: (T, T) -> T) {
    let block = shape[(k + 1)...].reduce(1, *), leading = shape[..<k].reduce(1, *)
    for p in 0..<leading {
        accumulate(x + (p * shape[k] + positions.lowerBound) * block, shape, strides, from: k, extent: positions.count,
                   out + positions.lowerBound * strides[k], combine)
    }
}

/// The f32 reduction's split, handed to the threads as a pointer; `kind` names the combine
/// (the chunk function cannot capture one).
@usableFromInline struct ReduceSplit {
    @usableFromInline enum Kind { case add, multiply, larger, smaller }
    let kind: Kind
    let x: UnsafePointer<Float>, shape: [Int], strides: [Int], out: UnsafeMutablePointer<Float>, k: Int

    @usableFromInline init(kind: Kind, x: UnsafePointer<Float>, shape: [Int], strides: [Int], out: UnsafeMutablePointer<Float>, k: Int) {
        (self.kind, self.x, self.shape, self.strides, self.out, self.k) = (kind, x, shape, strides, out, k)
    }

    @usableFromInline func run(_ positions: Range<Int>) {
        switch kind {
        case .add: accumulate(x, shape, strides, k: k, positions: positions, out, Float.add)
        case .multiply: accumulate(x, shape, strides, k: k, positions: positions, out, Float.multiply)
        case .larger: accumulate(x, shape, strides, k: k, positions: positions, out, Float.larger)
        case .smaller: accumulate(x, shape, strides, k: k, positions: positions, out, Float.smaller)
        }
    }
}

/// Combines x (row-major over axes `from...` of `shape`, axis `from` being `extent` long)
/// into out, element by element in order. Allocates nothing.
@inline(__always)
@inlinable func accumulate<T>(_ x: UnsafePointer<T>, _ shape: [Int], _ strides: [Int], from first: Int, extent: Int,
                              _ out: UnsafeMutablePointer<T>, _ combine: (T, T) -> T) {
    let rank = shape.count
    guard first < rank else {
        out[0] = combine(out[0], x[0])
        return
    }
    let inner = rank - 1 == first ? extent : shape[rank - 1], innerStride = strides[rank - 1]
    var rows = 1
    for axis in first..<(rank - 1) { rows *= axis == first ? extent : shape[axis] }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
        index.initialize(repeating: 0)
        var base = 0, source = x
        for _ in 0..<rows {
            if innerStride == 0 {
                var acc = out[base]
                for j in 0..<inner { acc = combine(acc, source[j]) }
                out[base] = acc
            } else {
                for j in 0..<inner { out[base + j * innerStride] = combine(out[base + j * innerStride], source[j]) }
            }
            source += inner
            var axis = rank - 2
            while axis >= first {
                index[axis] += 1
                base += strides[axis]
                let size = axis == first ? extent : shape[axis]
                if index[axis] < size { break }
                base -= strides[axis] * size
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// argmax / argmin of x[outer, dim, inner] along the middle axis -> out[outer, inner] (i64).
/// Ties go to the first index (the last with `last`); NaN counts as the extreme value.
@inlinable public func argExtreme<T: KernelScalar>(x: UnsafePointer<T>, out: UnsafeMutablePointer<Int64>, outer: Int, dim: Int, inner: Int,
                                        largest: Bool, last: Bool) {
    for o in 0..<outer {
        for i in 0..<inner {
            let base = o * dim * inner + i
            var best = 0
            for j in 1..<Swift.max(dim, 1) {
                let value = x[base + j * inner], current = x[base + best * inner]
                if current.isNaNValue {
                    if last && value.isNaNValue { best = j }
                    continue
                }
                let better = value.isNaNValue || (largest ? value > current : value < current) || (last && value == current)
                if better { best = j }
            }
            out[o * inner + i] = Int64(best)
        }
    }
}
