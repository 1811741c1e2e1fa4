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
        case .sum, .mean: accumulate(x, shape, outStrides, out, parallelism, T.add)
        case .prod: accumulate(x, shape, outStrides, out, parallelism, T.multiply)
        case .max: accumulate(x, shape, outStrides, out, parallelism, T.larger)
        case .min: accumulate(x, shape, outStrides, out, parallelism, T.smaller)
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
                                                _ parallelism: Parallelism, _ combine: (T, T) -> T) {
    let count = shape.reduce(1, *)
    guard let k = strides.firstIndex(where: { $0 != 0 }), parallelism.chunks(shape[k], cost: count / shape[k]) > 1 else {
        return accumulate(x, shape, strides, out, combine)
    }
    let block = shape[(k + 1)...].reduce(1, *), leading = shape[..<k].reduce(1, *)
    let subShape = Array(shape[k...]), subStrides = Array(strides[k...])
    let shared = Shared((x, out))
    parallelism.forEach(shape[k], cost: count / shape[k]) { range, _ in
        let (x, out) = shared.value
        var chunkShape = subShape
        chunkShape[0] = range.count
        for p in 0..<leading {
            accumulate(x + (p * shape[k] + range.lowerBound) * block, chunkShape, subStrides,
                       out + range.lowerBound * strides[k], combine)
        }
    }
}

@inline(__always)
@inlinable func accumulate<T>(_ x: UnsafePointer<T>, _ shape: [Int], _ strides: [Int], _ out: UnsafeMutablePointer<T>,
                           _ combine: (T, T) -> T) {
    guard let inner = shape.last else {
        out[0] = combine(out[0], x[0])
        return
    }
    let rank = shape.count, innerStride = strides[rank - 1]
    let rows = shape.dropLast().reduce(1, *)
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
            while axis >= 0 {
                index[axis] += 1
                base += strides[axis]
                if index[axis] < shape[axis] { break }
                base -= strides[axis] * shape[axis]
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
