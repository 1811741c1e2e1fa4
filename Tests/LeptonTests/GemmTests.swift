import Testing
import LeptonTensor
@testable import LeptonKernels

/// The f32 GEMM (packed SIMD when built with target flags) against a naive triple loop that
/// accumulates in Double: edge shapes around the micro-kernel (12 x 32) and block (KC 256)
/// sizes, transposed and strided operands, accumulation, and thread-count independence.
@Suite struct GemmTests {
    /// An operand stored row-major or transposed, with padding between rows.
    struct Operand {
        var storage: [Float], rows: Int, columns: Int, transposed: Bool, lead: Int

        init(rows: Int, columns: Int, transposed: Bool, random: inout SplitMix64) {
            (self.rows, self.columns, self.transposed) = (rows, columns, transposed)
            lead = (transposed ? rows : columns) + 3
            let outer = transposed ? columns : rows
            storage = (0..<(outer * lead)).map { _ in Float(random.nextUnit() * 2 - 1) }
        }

        subscript(i: Int, j: Int) -> Float { transposed ? storage[j * lead + i] : storage[i * lead + j] }

        func withView<R>(_ body: (MatrixView<Float>) -> R) -> R {
            storage.withUnsafeBufferPointer { buffer in
                let view = MatrixView(buffer.baseAddress!, rowStride: lead)
                return body(transposed ? view.transposed : view)
            }
        }
    }

    static func check(m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, accumulate: Bool = false,
                      seed: UInt64 = 7) {
        var random = SplitMix64(seed: seed)
        let a = Operand(rows: m, columns: k, transposed: transA, random: &random)
        let b = Operand(rows: k, columns: n, transposed: transB, random: &random)
        let ldc = n + 5
        let initial = (0..<(m * ldc)).map { _ in Float(random.nextUnit() * 2 - 1) }
        var c = initial
        a.withView { av in
            b.withView { bv in
                c.withUnsafeMutableBufferPointer { out in
                    gemm(GemmShape(m: m, n: n, k: k), av, bv, out.baseAddress!, ldc: ldc, accumulate: accumulate)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var sum = accumulate ? Double(initial[i * ldc + j]) : 0
                var scale = accumulate ? abs(sum) : 0
                for p in 0..<k {
                    let term = Double(a[i, p]) * Double(b[p, j])
                    sum += term
                    scale += abs(term)
                }
                worst = max(worst, abs(Double(c[i * ldc + j]) - sum) / max(scale, 1e-30))
            }
            for j in n..<ldc { #expect(c[i * ldc + j] == initial[i * ldc + j], "padding column \(j) of row \(i) written") }
        }
        #expect(worst <= 1e-5 * Double(max(k, 1)).squareRoot(),
                "m \(m) n \(n) k \(k) transA \(transA) transB \(transB) accumulate \(accumulate): relative error \(worst)")
    }

    @Test func tinyAndEdgeShapes() {
        for (m, n, k) in [(1, 1, 1), (1, 1, 5), (3, 2, 1), (5, 7, 3), (11, 31, 9), (12, 32, 16), (13, 33, 17),
                          (1, 784, 40), (2, 64, 300), (7, 100, 1), (25, 17, 2), (47, 65, 33), (49, 95, 70)] {
            Self.check(m: m, n: n, k: k)
        }
    }

    @Test func everyRowRemainder() {
        for m in 1...24 { Self.check(m: m, n: 40, k: 7, seed: UInt64(m)) }
    }

    @Test func kAcrossBlocksAndPrimeSizes() {
        Self.check(m: 61, n: 67, k: 257)
        Self.check(m: 97, n: 131, k: 521)
        Self.check(m: 3, n: 1031, k: 263)
        Self.check(m: 500, n: 37, k: 29)
    }

    @Test func transposedOperands() {
        for (transA, transB) in [(true, false), (false, true), (true, true)] {
            Self.check(m: 29, n: 45, k: 270, transA: transA, transB: transB)
            Self.check(m: 2, n: 33, k: 19, transA: transA, transB: transB)
            Self.check(m: 60, n: 1, k: 8, transA: transA, transB: transB)
        }
    }

    @Test func accumulateAddsToC() {
        Self.check(m: 1, n: 1, k: 1, accumulate: true)
        Self.check(m: 14, n: 50, k: 300, accumulate: true)
        Self.check(m: 3, n: 70, k: 9, transB: true, accumulate: true)
        Self.check(m: 64, n: 90, k: 20, transA: true, accumulate: true)
    }

    @Test func emptyShapes() {
        var c: [Float] = [1, 2, 3, 4]
        let a: [Float] = [], b: [Float] = []
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    let (av, bv) = (MatrixView(ap.baseAddress ?? UnsafePointer(cp.baseAddress!), rowStride: 0),
                                    MatrixView(bp.baseAddress ?? UnsafePointer(cp.baseAddress!), rowStride: 2))
                    gemm(GemmShape(m: 2, n: 2, k: 0), av, bv, cp.baseAddress!, ldc: 2, accumulate: true)
                }
            }
        }
        #expect(c == [1, 2, 3, 4])
        c.withUnsafeMutableBufferPointer { cp in
            let view = MatrixView(UnsafePointer(cp.baseAddress!), rowStride: 0)
            gemm(GemmShape(m: 2, n: 2, k: 0), view, view, cp.baseAddress!, ldc: 2, accumulate: false)
        }
        #expect(c == [0, 0, 0, 0])
    }

    /// Big enough to split N across threads: the result must equal a single-thread run (the
    /// split is by whole 32-column panels, each element computed by one thread in k order).
    @Test func threadSplitMatchesOneThread() {
        let (m, n, k) = (64, 700, 200)
        var random = SplitMix64(seed: 3)
        let a = (0..<(m * k)).map { _ in Float(random.nextUnit() - 0.5) }
        let b = (0..<(k * n)).map { _ in Float(random.nextUnit() - 0.5) }
        var whole = [Float](repeating: 0, count: m * n), pieces = whole
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                let (av, bv) = (MatrixView(ap.baseAddress!, rowStride: k), MatrixView(bp.baseAddress!, rowStride: n))
                whole.withUnsafeMutableBufferPointer { gemmF32(GemmShape(m: m, n: n, k: k), av, bv, $0.baseAddress!, ldc: n, accumulate: false) }
                // Column slices of 32 computed separately are what one thread of a split does.
                pieces.withUnsafeMutableBufferPointer { cp in
                    for j in stride(from: 0, to: n, by: 32) {
                        let width = min(32, n - j)
                        gemmF32(GemmShape(m: m, n: width, k: k), av, MatrixView(bp.baseAddress! + j, rowStride: n),
                                cp.baseAddress! + j, ldc: n, accumulate: false)
                    }
                }
            }
        }
        #expect(whole == pieces)
    }
}
