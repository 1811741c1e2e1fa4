import Foundation
import Lepton

/// `lepton bench --gemm M,N,K [--json]`: the f32 GEMM kernel alone on random row-major
/// operands, reported as median/min/max time and GFLOP/s at the median (2·M·N·K flops per
/// call). `Tools/gemm_sweep.py` runs it against numpy.matmul.
enum BenchGemm {
    /// What `--json` prints (times in microseconds).
    struct Result: Codable {
        let m, n, k, runs, threads: Int
        let medianUs, minUs, maxUs, gflops: Double
    }

    static func run(_ text: String, runs: Int?, warmup: Int, threads: Int, json: Bool) throws(CLIError) {
        let sizes = text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count == 3, sizes.allSatisfy({ $0 >= 1 }) else {
            throw .usage("--gemm needs M,N,K (three positive integers), got '\(text)'", command: "bench")
        }
        let (m, n, k) = (sizes[0], sizes[1], sizes[2])
        let flops = 2 * m * n * k
        // Default: about a second of calls, at least 5 (an estimate at 50 GFLOP/s).
        let runs = runs ?? Swift.max(5, Swift.min(2000, Int(50e9 / Double(Swift.max(flops, 1)))))
        let latency = Latency(samples: KernelTiming.gemmSeconds(m: m, n: n, k: k, runs: runs, warmup: Swift.max(warmup, 1),
                                                              threads: threads))
        let result = Result(m: m, n: n, k: k, runs: runs, threads: threads,
                            medianUs: latency.median * 1e6, minUs: latency.min * 1e6, maxUs: latency.max * 1e6,
                            gflops: latency.gigaflops(flops))
        if json {
            Console.print(BenchJSON.encode(result))
        } else {
            Console.print("gemm \(m)x\(n)x\(k): median \(formatted(result.medianUs)) us (min \(formatted(result.minUs)), "
                + "max \(formatted(result.maxUs))) over \(runs) runs, \(formatted(result.gflops)) GFLOP/s")
        }
    }

    private static func formatted(_ value: Double) -> String {
        let scaled = (value * 10).rounded() / 10
        return String(scaled)
    }
}
