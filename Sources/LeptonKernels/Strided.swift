/// Data movement as strided copies: one kernel covers transpose, slice (negative steps too),
/// expand, tile (as an expand over interleaved axes), concat and split (an offset and strides
/// per piece), flatten and friends. Strides and offsets are in elements and may be negative or
/// zero (broadcast); the caller computes them once when it prepares the step.

/// dst[dstOffset + Σ iₐ·dstStrides[a]] = src[srcOffset + Σ iₐ·srcStrides[a]] for every index
/// of `shape`. Adjacent axes that are contiguous in both are merged at init, so a plain copy
/// becomes one memcpy.
public struct StridedCopy: Sendable {
    public private(set) var shape: [Int]
    public private(set) var srcStrides: [Int]
    public private(set) var dstStrides: [Int]
    public var srcOffset: Int
    public var dstOffset: Int
    public let elementSize: Int

    public init(shape: [Int], srcStrides: [Int], srcOffset: Int = 0, dstStrides: [Int], dstOffset: Int = 0, elementSize: Int) {
        precondition(shape.count == srcStrides.count && shape.count == dstStrides.count, "one stride per axis")
        (self.shape, self.srcStrides, self.dstStrides) = coalesce(shape, srcStrides, dstStrides)
        self.srcOffset = srcOffset
        self.dstOffset = dstOffset
        self.elementSize = elementSize
    }

    /// Copies from `src` into `dst`, the outermost axis split over `parallelism`'s threads
    /// (every destination element is written once, so chunks never touch the same one).
    public func run(src: UnsafeRawPointer, dst: UnsafeMutableRawPointer, parallelism: Parallelism) {
        guard let outer = shape.first, !shape.contains(0) else { return run(src: src, dst: dst) }
        let perItem = shape.dropFirst().reduce(1, *)
        // Through a C function and a pointer: a capturing closure would allocate per run.
        var state = (copy: self, src: src, dst: dst)
        withUnsafeMutablePointer(to: &state) { state in
            parallelism.forEach(outer, cost: perItem, context: UnsafeMutableRawPointer(state)) { context, lower, upper, _ in
                let state = context.assumingMemoryBound(to: (copy: StridedCopy, src: UnsafeRawPointer, dst: UnsafeMutableRawPointer).self)
                // A chunk is the same copy from its first outer index on, for fewer of them (offsets
                // moved instead of a shortened shape: copying `shape` to change it would allocate).
                var chunk = state.pointee.copy
                chunk.srcOffset += lower * chunk.srcStrides[0]
                chunk.dstOffset += lower * chunk.dstStrides[0]
                chunk.run(src: state.pointee.src, dst: state.pointee.dst, outerCount: upper - lower)
            }
        }
    }

    /// `run(src:dst:)` over the first `outerCount` indices of the outermost axis.
    func run(src: UnsafeRawPointer, dst: UnsafeMutableRawPointer, outerCount: Int) {
        if shape.contains(0) || outerCount == 0 { return }
        switch elementSize {
        case 1: typed(src, dst, UInt8.self, outerCount: outerCount)
        case 4: typed(src, dst, UInt32.self, outerCount: outerCount)
        case 8: typed(src, dst, UInt64.self, outerCount: outerCount)
        default: preconditionFailure("unsupported element size \(elementSize)")
        }
    }

    /// Copies from `src` into `dst` (element-typed buffers viewed as raw bytes).
    public func run(src: UnsafeRawPointer, dst: UnsafeMutableRawPointer) {
        if shape.contains(0) { return }
        switch elementSize {
        case 1: typed(src, dst, UInt8.self)
        case 4: typed(src, dst, UInt32.self)
        case 8: typed(src, dst, UInt64.self)
        default: preconditionFailure("unsupported element size \(elementSize)")
        }
    }

    /// `outerCount` (nil: all) replaces the outermost extent: the rows loop stops after that
    /// many outer indices (the outermost index never wraps), or the one row is that long.
    private func typed<E>(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _: E.Type, outerCount: Int? = nil) {
        let s = src.assumingMemoryBound(to: E.self), d = dst.assumingMemoryBound(to: E.self)
        guard let last = shape.last else {
            d[dstOffset] = s[srcOffset]
            return
        }
        let rank = shape.count
        let (si, di) = (srcStrides[rank - 1], dstStrides[rank - 1])
        let inner = rank == 1 ? (outerCount ?? last) : last
        let outer = rank == 1 ? 1 : (outerCount ?? shape[0])
        let rows = rank == 1 ? 1 : outer * shape.dropFirst().dropLast().reduce(1, *)
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
            index.initialize(repeating: 0)
            var (sBase, dBase) = (srcOffset, dstOffset)
            for _ in 0..<rows {
                if si == 1 && di == 1 {
                    (d + dBase).update(from: s + sBase, count: inner)
                } else {
                    for j in 0..<inner { d[dBase + j * di] = s[sBase + j * si] }
                }
                var axis = rank - 2
                while axis >= 0 {
                    index[axis] += 1
                    sBase += srcStrides[axis]
                    dBase += dstStrides[axis]
                    if index[axis] < shape[axis] { break }
                    sBase -= srcStrides[axis] * shape[axis]
                    dBase -= dstStrides[axis] * shape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}

/// Drops size-1 axes and merges neighbours that are contiguous in both stride lists.
func coalesce(_ shape: [Int], _ a: [Int], _ b: [Int]) -> ([Int], [Int], [Int]) {
    if shape.contains(0) { return (shape, a, b) }
    var (s, x, y): ([Int], [Int], [Int]) = ([], [], [])
    for axis in shape.indices where shape[axis] != 1 {
        if let last = s.last, x[x.count - 1] == a[axis] * shape[axis], y[y.count - 1] == b[axis] * shape[axis] {
            s[s.count - 1] = last * shape[axis]
            x[x.count - 1] = a[axis]
            y[y.count - 1] = b[axis]
        } else {
            s.append(shape[axis])
            x.append(a[axis])
            y.append(b[axis])
        }
    }
    return (s, x, y)
}

/// Row-major strides (in elements) of `shape`.
public func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = Array(repeating: 1, count: shape.count)
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[axis] = running
        running *= shape[axis]
    }
    return strides
}

/// Strides reading a row-major tensor of `source` shape broadcast (numpy rules, aligned
/// right) to `shape`: 0 on broadcast axes.
public func broadcastStrides(from source: [Int], to shape: [Int]) -> [Int] {
    let sourceStrides = contiguousStrides(source)
    let lead = shape.count - source.count
    precondition(lead >= 0, "cannot broadcast \(source) to \(shape)")
    return shape.indices.map { axis in
        guard axis >= lead else { return 0 }
        return source[axis - lead] == 1 && shape[axis] != 1 ? 0 : sourceStrides[axis - lead]
    }
}

/// Output element i (row-major over `shape`) reads src[Σ tables[a][iₐ]], or the fill value
/// where a table entry is negative: the general gather behind pad (reflect, edge, constant).
public struct TableGather: Sendable {
    public let shape: [Int]
    /// Per-axis tables, concatenated; `starts[a]` is where axis a's table begins.
    private let entries: [Int]
    private let starts: [Int]
    public let elementSize: Int
    /// The fill value's bytes (the low `elementSize` bytes are used).
    public let fillBits: UInt64

    /// Entries below 0 mean "outside the source": make them at most `-(1 << 40)` so any sum
    /// containing one stays negative.
    public init(shape: [Int], tables: [[Int]], elementSize: Int, fillBits: UInt64) {
        precondition(tables.count == shape.count, "one table per axis")
        self.shape = shape
        var starts: [Int] = []
        var entries: [Int] = []
        for table in tables {
            starts.append(entries.count)
            entries += table
        }
        self.entries = entries
        self.starts = starts
        self.elementSize = elementSize
        self.fillBits = fillBits
    }

    public func run(src: UnsafeRawPointer, dst: UnsafeMutableRawPointer) {
        if shape.contains(0) { return }
        switch elementSize {
        case 1: typed(src, dst, UInt8(truncatingIfNeeded: fillBits))
        case 4: typed(src, dst, UInt32(truncatingIfNeeded: fillBits))
        case 8: typed(src, dst, fillBits)
        default: preconditionFailure("unsupported element size \(elementSize)")
        }
    }

    private func typed<E>(_ src: UnsafeRawPointer, _ dst: UnsafeMutableRawPointer, _ fill: E) {
        let s = src.assumingMemoryBound(to: E.self), d = dst.assumingMemoryBound(to: E.self)
        guard let inner = shape.last else {
            d[0] = s[0]
            return
        }
        let rank = shape.count, innerStart = starts[rank - 1]
        let rows = shape.dropLast().reduce(1, *)
        entries.withUnsafeBufferPointer { table in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
                index.initialize(repeating: 0)
                var base = (0..<(rank - 1)).reduce(0) { $0 + table[starts[$1]] }
                var out = 0
                for _ in 0..<rows {
                    for j in 0..<inner {
                        let offset = base + table[innerStart + j]
                        d[out + j] = offset < 0 ? fill : s[offset]
                    }
                    out += inner
                    var axis = rank - 2
                    while axis >= 0 {
                        base -= table[starts[axis] + index[axis]]
                        index[axis] += 1
                        if index[axis] < shape[axis] {
                            base += table[starts[axis] + index[axis]]
                            break
                        }
                        index[axis] = 0
                        base += table[starts[axis]]
                        axis -= 1
                    }
                }
            }
        }
    }
}
