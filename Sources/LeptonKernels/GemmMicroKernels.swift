/// The register-blocked micro-kernels of the packed f32 GEMM (see GemmPacked.swift): C[r, 0..<32]
/// (+)= sum over p of A[r, p] * B[p, 0..<32] for r < MR, with MR = 12, 8, 4 or 1. Each keeps
/// MR x 2 `SIMD16<Float>` accumulators in registers (24 zmm for MR 12), broadcasts one A value
/// per row and loads two B vectors per k step. A is a packed sliver (`aStride` floats per k
/// step, rows contiguous); B is `ldb` floats per k step (32 when packed, the row stride of a
/// row-major B when read in place). Written out by hand (generated once) because Swift keeps
/// named locals, not arrays, in registers. `load` adds the products to C's current contents.
/// `segments` runs several such k loops into the same accumulators (a shifted conv's taps,
/// ConvShifted.swift): C is loaded and stored once for all of them.

/// The k loops one micro-kernel call sums, a grid of `rows` x `columns` (a shifted conv's
/// kernel taps): loop (r, c) reads A from `a + (r·columns + c)·aStride` and B from
/// `b + r·rowStep + c·columnStep`. A generic parameter, so the GEMM's kernels (`OneKLoop`)
/// are compiled with the loops over segments folded away.
protocol KLoops {
    var rows: Int { get }
    var columns: Int { get }
    var aStride: Int { get }
    var rowStep: Int { get }
    var columnStep: Int { get }
}

/// The plain GEMM: one k loop.
struct OneKLoop: KLoops {
    var rows: Int { 1 }
    var columns: Int { 1 }
    var aStride: Int { 0 }
    var rowStep: Int { 0 }
    var columnStep: Int { 0 }
}

/// Several k loops on a grid (kernel rows x kernel columns of a shifted conv).
struct KSegments: KLoops {
    var rows: Int, columns: Int
    var aStride: Int
    var rowStep: Int, columnStep: Int
}

/// The micro-kernel for `rows` rows (12, 8, 4 or 1; other counts as a sum of those): one
/// function per `KLoops` type, the kernels inlined into it.
@inline(never) func microKernel<S: KLoops>(rows: Int, _ kc: Int, _ a: UnsafePointer<Float>, aStride: Int, _ b: UnsafePointer<Float>,
                                           ldb: Int, _ c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool, segments: S) {
    switch rows {
    case 12: microKernel12x32(kc, a, aStride: aStride, b, ldb: ldb, c, ldc: ldc, load: load, segments: segments)
    case 8: microKernel8x32(kc, a, aStride: aStride, b, ldb: ldb, c, ldc: ldc, load: load, segments: segments)
    case 4: microKernel4x32(kc, a, aStride: aStride, b, ldb: ldb, c, ldc: ldc, load: load, segments: segments)
    case 1: microKernel1x32(kc, a, aStride: aStride, b, ldb: ldb, c, ldc: ldc, load: load, segments: segments)
    default:
        var r = 0
        while r < rows {
            let step = rows - r >= 8 ? 8 : rows - r >= 4 ? 4 : 1
            microKernel(rows: step, kc, a + r, aStride: aStride, b, ldb: ldb, c + r * ldc, ldc: ldc, load: load, segments: segments)
            r += step
        }
    }
}

@inline(__always) func microKernel12x32<S: KLoops>(_ kc: Int, _ a: UnsafePointer<Float>, aStride: Int, _ b: UnsafePointer<Float>, ldb: Int,
                                   _ c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool,
                                   segments: S) {
    var c0l = SIMD16<Float>(), c0h = SIMD16<Float>(), c1l = SIMD16<Float>(), c1h = SIMD16<Float>(), c2l = SIMD16<Float>(), c2h = SIMD16<Float>(), c3l = SIMD16<Float>(), c3h = SIMD16<Float>()
    var c4l = SIMD16<Float>(), c4h = SIMD16<Float>(), c5l = SIMD16<Float>(), c5h = SIMD16<Float>(), c6l = SIMD16<Float>(), c6h = SIMD16<Float>(), c7l = SIMD16<Float>(), c7h = SIMD16<Float>()
    var c8l = SIMD16<Float>(), c8h = SIMD16<Float>(), c9l = SIMD16<Float>(), c9h = SIMD16<Float>(), c10l = SIMD16<Float>(), c10h = SIMD16<Float>(), c11l = SIMD16<Float>(), c11h = SIMD16<Float>()
    var segment = 0
    for row in 0..<segments.rows {
        for column in 0..<segments.columns {
            var a = a + segment * segments.aStride, b = b + row * segments.rowStep + column * segments.columnStep
            for _ in 0..<kc {
                let b0 = loadVector(b), b1 = loadVector(b + 16)
                let a0 = SIMD16<Float>(repeating: a[0]); c0l = c0l.addingProduct(a0, b0); c0h = c0h.addingProduct(a0, b1)
                let a1 = SIMD16<Float>(repeating: a[1]); c1l = c1l.addingProduct(a1, b0); c1h = c1h.addingProduct(a1, b1)
                let a2 = SIMD16<Float>(repeating: a[2]); c2l = c2l.addingProduct(a2, b0); c2h = c2h.addingProduct(a2, b1)
                let a3 = SIMD16<Float>(repeating: a[3]); c3l = c3l.addingProduct(a3, b0); c3h = c3h.addingProduct(a3, b1)
                let a4 = SIMD16<Float>(repeating: a[4]); c4l = c4l.addingProduct(a4, b0); c4h = c4h.addingProduct(a4, b1)
                let a5 = SIMD16<Float>(repeating: a[5]); c5l = c5l.addingProduct(a5, b0); c5h = c5h.addingProduct(a5, b1)
                let a6 = SIMD16<Float>(repeating: a[6]); c6l = c6l.addingProduct(a6, b0); c6h = c6h.addingProduct(a6, b1)
                let a7 = SIMD16<Float>(repeating: a[7]); c7l = c7l.addingProduct(a7, b0); c7h = c7h.addingProduct(a7, b1)
                let a8 = SIMD16<Float>(repeating: a[8]); c8l = c8l.addingProduct(a8, b0); c8h = c8h.addingProduct(a8, b1)
                let a9 = SIMD16<Float>(repeating: a[9]); c9l = c9l.addingProduct(a9, b0); c9h = c9h.addingProduct(a9, b1)
                let a10 = SIMD16<Float>(repeating: a[10]); c10l = c10l.addingProduct(a10, b0); c10h = c10h.addingProduct(a10, b1)
                let a11 = SIMD16<Float>(repeating: a[11]); c11l = c11l.addingProduct(a11, b0); c11h = c11h.addingProduct(a11, b1)
                a += aStride; b += ldb
            }
            segment += 1
        }
    }
    storeRow(c + 0 * ldc, c0l, c0h, load: load)
    storeRow(c + 1 * ldc, c1l, c1h, load: load)
    storeRow(c + 2 * ldc, c2l, c2h, load: load)
    storeRow(c + 3 * ldc, c3l, c3h, load: load)
    storeRow(c + 4 * ldc, c4l, c4h, load: load)
    storeRow(c + 5 * ldc, c5l, c5h, load: load)
    storeRow(c + 6 * ldc, c6l, c6h, load: load)
    storeRow(c + 7 * ldc, c7l, c7h, load: load)
    storeRow(c + 8 * ldc, c8l, c8h, load: load)
    storeRow(c + 9 * ldc, c9l, c9h, load: load)
    storeRow(c + 10 * ldc, c10l, c10h, load: load)
    storeRow(c + 11 * ldc, c11l, c11h, load: load)
}

@inline(__always) func microKernel8x32<S: KLoops>(_ kc: Int, _ a: UnsafePointer<Float>, aStride: Int, _ b: UnsafePointer<Float>, ldb: Int,
                                   _ c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool,
                                   segments: S) {
    var c0l = SIMD16<Float>(), c0h = SIMD16<Float>(), c1l = SIMD16<Float>(), c1h = SIMD16<Float>(), c2l = SIMD16<Float>(), c2h = SIMD16<Float>(), c3l = SIMD16<Float>(), c3h = SIMD16<Float>()
    var c4l = SIMD16<Float>(), c4h = SIMD16<Float>(), c5l = SIMD16<Float>(), c5h = SIMD16<Float>(), c6l = SIMD16<Float>(), c6h = SIMD16<Float>(), c7l = SIMD16<Float>(), c7h = SIMD16<Float>()
    var segment = 0
    for row in 0..<segments.rows {
        for column in 0..<segments.columns {
            var a = a + segment * segments.aStride, b = b + row * segments.rowStep + column * segments.columnStep
            for _ in 0..<kc {
                let b0 = loadVector(b), b1 = loadVector(b + 16)
                let a0 = SIMD16<Float>(repeating: a[0]); c0l = c0l.addingProduct(a0, b0); c0h = c0h.addingProduct(a0, b1)
                let a1 = SIMD16<Float>(repeating: a[1]); c1l = c1l.addingProduct(a1, b0); c1h = c1h.addingProduct(a1, b1)
                let a2 = SIMD16<Float>(repeating: a[2]); c2l = c2l.addingProduct(a2, b0); c2h = c2h.addingProduct(a2, b1)
                let a3 = SIMD16<Float>(repeating: a[3]); c3l = c3l.addingProduct(a3, b0); c3h = c3h.addingProduct(a3, b1)
                let a4 = SIMD16<Float>(repeating: a[4]); c4l = c4l.addingProduct(a4, b0); c4h = c4h.addingProduct(a4, b1)
                let a5 = SIMD16<Float>(repeating: a[5]); c5l = c5l.addingProduct(a5, b0); c5h = c5h.addingProduct(a5, b1)
                let a6 = SIMD16<Float>(repeating: a[6]); c6l = c6l.addingProduct(a6, b0); c6h = c6h.addingProduct(a6, b1)
                let a7 = SIMD16<Float>(repeating: a[7]); c7l = c7l.addingProduct(a7, b0); c7h = c7h.addingProduct(a7, b1)
                a += aStride; b += ldb
            }
            segment += 1
        }
    }
    storeRow(c + 0 * ldc, c0l, c0h, load: load)
    storeRow(c + 1 * ldc, c1l, c1h, load: load)
    storeRow(c + 2 * ldc, c2l, c2h, load: load)
    storeRow(c + 3 * ldc, c3l, c3h, load: load)
    storeRow(c + 4 * ldc, c4l, c4h, load: load)
    storeRow(c + 5 * ldc, c5l, c5h, load: load)
    storeRow(c + 6 * ldc, c6l, c6h, load: load)
    storeRow(c + 7 * ldc, c7l, c7h, load: load)
}

@inline(__always) func microKernel4x32<S: KLoops>(_ kc: Int, _ a: UnsafePointer<Float>, aStride: Int, _ b: UnsafePointer<Float>, ldb: Int,
                                   _ c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool,
                                   segments: S) {
    var c0l = SIMD16<Float>(), c0h = SIMD16<Float>(), c1l = SIMD16<Float>(), c1h = SIMD16<Float>(), c2l = SIMD16<Float>(), c2h = SIMD16<Float>(), c3l = SIMD16<Float>(), c3h = SIMD16<Float>()
    var segment = 0
    for row in 0..<segments.rows {
        for column in 0..<segments.columns {
            var a = a + segment * segments.aStride, b = b + row * segments.rowStep + column * segments.columnStep
            for _ in 0..<kc {
                let b0 = loadVector(b), b1 = loadVector(b + 16)
                let a0 = SIMD16<Float>(repeating: a[0]); c0l = c0l.addingProduct(a0, b0); c0h = c0h.addingProduct(a0, b1)
                let a1 = SIMD16<Float>(repeating: a[1]); c1l = c1l.addingProduct(a1, b0); c1h = c1h.addingProduct(a1, b1)
                let a2 = SIMD16<Float>(repeating: a[2]); c2l = c2l.addingProduct(a2, b0); c2h = c2h.addingProduct(a2, b1)
                let a3 = SIMD16<Float>(repeating: a[3]); c3l = c3l.addingProduct(a3, b0); c3h = c3h.addingProduct(a3, b1)
                a += aStride; b += ldb
            }
            segment += 1
        }
    }
    storeRow(c + 0 * ldc, c0l, c0h, load: load)
    storeRow(c + 1 * ldc, c1l, c1h, load: load)
    storeRow(c + 2 * ldc, c2l, c2h, load: load)
    storeRow(c + 3 * ldc, c3l, c3h, load: load)
}

@inline(__always) func microKernel1x32<S: KLoops>(_ kc: Int, _ a: UnsafePointer<Float>, aStride: Int, _ b: UnsafePointer<Float>, ldb: Int,
                                   _ c: UnsafeMutablePointer<Float>, ldc: Int, load: Bool,
                                   segments: S) {
    var c0l = SIMD16<Float>(), c0h = SIMD16<Float>()
    var segment = 0
    for row in 0..<segments.rows {
        for column in 0..<segments.columns {
            var a = a + segment * segments.aStride, b = b + row * segments.rowStep + column * segments.columnStep
            for _ in 0..<kc {
                let b0 = loadVector(b), b1 = loadVector(b + 16)
                let a0 = SIMD16<Float>(repeating: a[0]); c0l = c0l.addingProduct(a0, b0); c0h = c0h.addingProduct(a0, b1)
                a += aStride; b += ldb
            }
            segment += 1
        }
    }
    storeRow(c + 0 * ldc, c0l, c0h, load: load)
}

@inline(__always) func loadVector(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) func storeRow(_ p: UnsafeMutablePointer<Float>, _ low: SIMD16<Float>, _ high: SIMD16<Float>, load: Bool) {
    let raw = UnsafeMutableRawPointer(p)
    if load {
        raw.storeBytes(of: loadVector(p) + low, as: SIMD16<Float>.self)
        raw.storeBytes(of: loadVector(p + 16) + high, toByteOffset: 64, as: SIMD16<Float>.self)
    } else {
        raw.storeBytes(of: low, as: SIMD16<Float>.self)
        raw.storeBytes(of: high, toByteOffset: 64, as: SIMD16<Float>.self)
    }
}
