import Lepton

/// `lepton bench --gemm M,N,K`: the f32 GEMM kernel alone on random row-major operands,
/// reported as the median time and GFLOP/s (2·M·N·K flops per call). `Tools/gemm_sweep.py`
/// runs it against numpy.matmul.
enum BenchGemm {
    static func run(_ text: String, runs: Int?, warmup: Int) throws(CLIError) {
        let sizes = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count == 3, sizes.allSatisfy({ $0 >= 1 }) else {
            throw .usage("--gemm needs M,N,K (three positive integers), got '\(text)'", command: "bench")
        }
        let (m, n, k) = (sizes[0], sizes[1], sizes[2])
        let flops = 2.0 * Double(m) * Double(n) * Double(k)
        // Default: about a second of calls, at least 5 (an estimate at 50 GFLOP/s).
        let runs = runs ?? Swift.max(5, Swift.min(2000, Int(50e9 / Swift.max(flops, 1))))
        let seconds = KernelTiming.gemmSeconds(m: m, n: n, k: k, runs: runs, warmup: Swift.max(warmup, 1))
        Console.print("gemm \(m)x\(n)x\(k): median \(formatted(seconds * 1e6)) us over \(runs) runs, \(formatted(flops / seconds / 1e9)) GFLOP/s")
    }

    private static func formatted(_ value: Double) -> String {
        let scaled = (value * 10).rounded() / 10
        return String(scaled)
    }
}
