/// Matrix multiplication over strided operands: the one entry point matmul, gemm, linear,
/// conv (after im2col) and the recurrent cells call. A matrix is a base pointer plus a row and
/// a column stride (in elements), so transposed operands need no copy.
///
/// `Float` products go to `gemmF32`: the packed SIMD GEMM (GemmPacked.swift) when the module is
/// built with target-CPU flags (Package.swift defines `LEPTON_NATIVE_SIMD` next to
/// `-march=native`), else the portable cache-blocked loop below (k and n blocked so a panel of
/// B stays in L1/L2, accumulating in the operand type in k order), which the other types use.
/// Without target flags the compiler lowers `SIMD16.addingProduct` to one `fmaf` call per lane
/// (~300x slower than the blocked loop's scalar code), hence the compile-time switch.

/// A matrix view: element (i, j) is `base[i * rowStride + j * columnStride]`.
public struct MatrixView<T>: @unchecked Sendable {
    public var base: UnsafePointer<T>
    public var rowStride: Int
    public var columnStride: Int

    public init(_ base: UnsafePointer<T>, rowStride: Int, columnStride: Int = 1) {
        self.base = base
        self.rowStride = rowStride
        self.columnStride = columnStride
    }

    /// The transpose, without moving data.
    public var transposed: MatrixView { MatrixView(base, rowStride: columnStride, columnStride: rowStride) }
}

/// The shape of one product: C[m, n] (row stride `ldc`) = A[m, k] · B[k, n], added to C's
/// current contents when `accumulate`, else overwriting it.
public struct GemmShape: Hashable, Sendable {
    public var m: Int, n: Int, k: Int
    public init(m: Int, n: Int, k: Int) { (self.m, self.n, self.k) = (m, n, k) }
}

@usableFromInline let blockK = 128
@usableFromInline let blockN = 256

/// C = A·B (or C += A·B). `c` has row stride `ldc` and column stride 1. `threads` caps the
/// threads a large f32 product may split N over (default: every core).
@inlinable public func gemm<T: KernelScalar>(_ shape: GemmShape, _ a: MatrixView<T>, _ b: MatrixView<T>,
                                  _ c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool, threads: Int = .max) {
    if T.self == Float.self {
        // Folded away when specialized; the SIMD code is compiled only inside this module.
        gemmF32(shape, unsafeBitCast(a, to: MatrixView<Float>.self), unsafeBitCast(b, to: MatrixView<Float>.self),
                UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc, accumulate: accumulate,
                threads: threads)
        return
    }
    gemmBlocked(shape, a, b, c, ldc: ldc, accumulate: accumulate)
}

/// The portable cache-blocked GEMM (every type; `Float` without target-CPU flags).
@inlinable public func gemmBlocked<T: KernelScalar>(_ shape: GemmShape, _ a: MatrixView<T>, _ b: MatrixView<T>,
                                                     _ c: UnsafeMutablePointer<T>, ldc: Int, accumulate: Bool) {
    let (m, n, k) = (shape.m, shape.n, shape.k)
    if !accumulate {
        for i in 0..<m { (c + i * ldc).update(repeating: T.zero, count: n) }
    }
    guard m > 0, n > 0, k > 0 else { return }
    if b.rowStride == 1 && b.columnStride != 1 {
        gemmDot(shape, a, b, c, ldc: ldc)
        return
    }
    var j0 = 0
    while j0 < n {
        let jn = Swift.min(blockN, n - j0)
        var p0 = 0
        while p0 < k {
            let pk = Swift.min(blockK, k - p0)
            for i in 0..<m {
                let row = c + i * ldc + j0
                let aRow = a.base + i * a.rowStride
                for p in p0..<(p0 + pk) {
                    let scale = aRow[p * a.columnStride]
                    let bRow = b.base + p * b.rowStride + j0 * b.columnStride
                    if b.columnStride == 1 {
                        for j in 0..<jn { row[j] = T.add(row[j], T.multiply(scale, bRow[j])) }
                    } else {
                        for j in 0..<jn { row[j] = T.add(row[j], T.multiply(scale, bRow[j * b.columnStride])) }
                    }
                }
            }
            p0 += pk
        }
        j0 += jn
    }
}

/// C += A·B where B's columns are contiguous (a transposed weight, as the recurrent cells and
/// `trans_b` use): one dot product per element, both operands read sequentially.
@inlinable func gemmDot<T: KernelScalar>(_ shape: GemmShape, _ a: MatrixView<T>, _ b: MatrixView<T>,
                                                           _ c: UnsafeMutablePointer<T>, ldc: Int) {
    for i in 0..<shape.m {
        let aRow = a.base + i * a.rowStride
        for j in 0..<shape.n {
            let column = b.base + j * b.columnStride
            var sum = c[i * ldc + j]
            for p in 0..<shape.k { sum = T.add(sum, T.multiply(aRow[p * a.columnStride], column[p])) }
            c[i * ldc + j] = sum
        }
    }
}

/// The f32 GEMM: packed SIMD with target-CPU flags, else the blocked loop. Deliberately not
/// inlinable, so the SIMD code is always compiled with this module's flags.
public func gemmF32(_ shape: GemmShape, _ a: MatrixView<Float>, _ b: MatrixView<Float>,
                    _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, threads: Int = .max) {
    gemmF32(shape, .matrix(a), .matrix(b), c, ldc: ldc, accumulate: accumulate, threads: threads)
}

/// Whether the packed SIMD GEMM is compiled in (target-CPU flags): pre-packing operands and
/// reading conv images directly only pay off with it.
public let packedGemmAvailable: Bool = {
    #if LEPTON_NATIVE_SIMD
    return true
    #else
    return false
    #endif
}()

/// Products with fewer multiply-adds run on one thread (callers with many independent small
/// products, as batched matmul, split those over threads instead).
public var gemmParallelWork: Int { PackedGemm.parallelWork }

/// Products with at most this many rows stream a row-major B in place (no packing).
public var gemmStreamingRows: Int { PackedGemm.streamingRows }

/// Narrower B operands are not pre-packed (under half a panel).
public var gemmNarrowestPackedB: Int { PackedGemm.nr / 2 }

/// Whether pre-packing a constant B pays for an m-row product: not when the packed kernels
/// are missing, B is under half a panel wide, or a few rows stream a row-major B in place
/// (a batch-1 linear layer reads each weight once anyway).
public func gemmPrefersPackedB(m: Int, n: Int, _ b: MatrixView<Float>) -> Bool {
    packedGemmAvailable && n >= gemmNarrowestPackedB && !(m <= PackedGemm.streamingRows && b.columnStride == 1)
}

/// C (+)= A·B over any operand kind (pre-packed weights, a conv image), then `writeBack`
/// (bias, epilogue) on each finished block of C, on the thread that computed it.
public func gemmF32(_ shape: GemmShape, _ a: GemmOperandA, _ b: GemmOperandB, _ c: UnsafeMutablePointer<Float>,
                    ldc: Int, accumulate: Bool, threads: Int = .max, writeBack: GemmWriteBack = .none) {
    let (m, n, k) = (shape.m, shape.n, shape.k)
    guard m > 0, n > 0 else { return }
    #if LEPTON_NATIVE_SIMD
    guard k > 0 else {
        if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        writeBack.finish(c, ldc: ldc, rows: 0..<m, columns: 0..<n, part: 0)
        return
    }
    PackedGemm.run(PackedGemm.Problem(m: m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, accumulate: accumulate,
                                      writeBack: writeBack), threads: threads)
    #else
    portableGemm(shape, a, b, c, ldc: ldc, accumulate: accumulate)
    writeBack.finish(c, ldc: ldc, rows: 0..<m, columns: 0..<n, part: 0)
    #endif
}

/// The blocked loop over the unpacked operands (a conv image element by element).
func portableGemm(_ shape: GemmShape, _ a: GemmOperandA, _ b: GemmOperandB, _ c: UnsafeMutablePointer<Float>,
                  ldc: Int, accumulate: Bool) {
    let aView: MatrixView<Float>
    switch a {
    case .matrix(let view): aView = view
    case .packed(let packed): aView = packed.source
    }
    switch b {
    case .matrix(let view): gemmBlocked(shape, aView, view, c, ldc: ldc, accumulate: accumulate)
    case .packed(let packed): gemmBlocked(shape, aView, packed.source, c, ldc: ldc, accumulate: accumulate)
    case .image(let image):
        let column = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(shape.k, 1))
        defer { column.deallocate() }
        for j in 0..<shape.n {
            PackedGemm.imageColumn(image, j, count: shape.k, into: column)
            for i in 0..<shape.m {
                var sum: Float = accumulate ? c[i * ldc + j] : 0
                for p in 0..<shape.k { sum += aView.base[i * aView.rowStride + p * aView.columnStride] * column[p] }
                c[i * ldc + j] = sum
            }
        }
    }
}
