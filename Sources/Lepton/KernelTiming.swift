import LeptonKernels
import LeptonTensor

/// Times the f32 GEMM kernel alone (no graph, no executor): what `lepton bench --gemm` reports,
/// so the kernel can be compared with a BLAS. Operands are random (seed 1), row-major, and
/// allocated once outside the timed calls; C is overwritten (`accumulate: false`).
public enum KernelTiming {
    /// The seconds of each of `runs` calls of C[m, n] = A[m, k] · B[k, n], after `warmup`
    /// untimed calls (the first call allocates the packing workspaces), on up to `threads` threads.
    public static func gemmSeconds(m: Int, n: Int, k: Int, runs: Int, warmup: Int, threads: Int) -> [Double] {
        var random = SplitMix64(seed: 1)
        let a = (0..<(m * k)).map { _ in Float(random.nextUnit() - 0.5) }
        let b = (0..<(k * n)).map { _ in Float(random.nextUnit() - 0.5) }
        var c = [Float](repeating: 0, count: m * n)
        return a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                c.withUnsafeMutableBufferPointer { cp in
                    let (av, bv) = (MatrixView(ap.baseAddress!, rowStride: k), MatrixView(bp.baseAddress!, rowStride: n))
                    let out = cp.baseAddress!
                    let call = { gemmF32(GemmShape(m: m, n: n, k: k), av, bv, out, ldc: n, accumulate: false, threads: threads) }
                    for _ in 0..<warmup { call() }
                    let clock = ContinuousClock()
                    var seconds: [Double] = []
                    seconds.reserveCapacity(runs)
                    for _ in 0..<runs {
                        let start = clock.now
                        call()
                        let elapsed = clock.now - start
                        seconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
                    }
                    return seconds
                }
            }
        }
    }
}
