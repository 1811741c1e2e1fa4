import Foundation
import Lepton

/// What `lepton bench` measured for one graph, and its three printed forms: the report, one
/// markdown row (`--row`) and one JSON object (`--json`, what Tools/bench_vs_ort.py reads).
struct Measurement {
    let graph: Graph
    let optimized: Graph
    let bindings: [String: Int]
    let plan: MemoryPlan
    /// Estimated flops of one run, counted on the -O0 graph at `bindings` (so the -O0 and -O2
    /// rates divide the same work).
    let flops: Int
    /// nil: the reference was not timed.
    let reference: Latency?
    let executor: Latency
    let runs: Int
    let threads: Int
    /// Heap bytes in use after the timed -O2 runs minus before; nil where unmeasurable.
    let heapGrowth: Int?
    let statistics: ExecutorStatistics
    /// Samples one run computes: the leading dimension of the first output (1 for a scalar).
    let batch: Int
    /// The process's peak resident bytes after all the runs; nil where unmeasurable.
    let peakResident: Int?

    /// Runs per second at the -O2 median, and samples per second (`batch` per run).
    var inferencesPerSecond: Double { executor.median > 0 ? 1 / executor.median : 0 }
    var samplesPerSecond: Double { inferencesPerSecond * Double(batch) }
    var peakResidentMiB: Double? { peakResident.map { Double($0) / 1_048_576 } }

    var fusedCount: Int { optimized.nodes.filter { $0.op == .fused }.count }
    var speedup: String {
        guard let reference, executor.median > 0 else { return "-" }
        return format(reference.median / executor.median, 1) + "x"
    }
    var boundRatio: Double { plan.lowerBoundBytes > 0 ? Double(plan.arenaBytes) / Double(plan.lowerBoundBytes) : 1 }

    var bindingText: String {
        bindings.isEmpty ? "" : " (" + bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
    }

    var rssText: String { peakResidentMiB.map { format($0, 1) + " MiB" } ?? "-" }

    var heapText: String { heapGrowth.map { "\($0 >= 0 ? "+" : "")\($0) B" } ?? "not measurable here" }

    var report: String {
        """
        bench \(graph.name)\(bindingText): \(runs) runs, \(threads) thread\(threads == 1 ? "" : "s"), \(format(Double(flops) / 1e6, 3)) MFLOP per run
          ops     \(graph.nodes.count) at -O0, \(optimized.nodes.count) at -O2 (\(fusedCount) fused)
          memory  arena \(plan.arenaBytes) B, naive \(plan.naiveBytes) B, lower bound \(plan.lowerBoundBytes) B (arena/lower bound \(format(boundRatio, 3)))
          -O0     reference \(latencyText(reference))
          -O2     executor  \(latencyText(executor)) (\(speedup))
          rate    \(format(inferencesPerSecond, 1)) inferences/s, \(format(samplesPerSecond, 1)) samples/s (batch \(batch)) at the -O2 median
          peak    RSS \(rssText) (process), arena \(statistics.peakArenaBytes) B (executor: planned values and input slots)
          heap    \(heapText) over \(runs) steady-state -O2 runs (plans built \(statistics.plansBuilt), arena growths \(statistics.arenaGrowths), fallback nodes \(statistics.fallbackNodes))
        """
    }

    static let rowHeader = """
        | graph | ops -O0 | ops -O2 | fused | arena | naive | lower bound | -O0 | -O2 | -O2 min | -O2 max | GFLOP/s | speed-up | heap | inferences/s | samples/s | peak RSS | peak arena |
        |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
        """

    /// One line of the table `rowHeader` starts (medians unless the column says otherwise).
    var row: String {
        let cells = [graph.name + bindingText, "\(graph.nodes.count)", "\(optimized.nodes.count)", "\(fusedCount)",
                     "\(plan.arenaBytes)", "\(plan.naiveBytes)", "\(plan.lowerBoundBytes)",
                     milliseconds(reference?.median), milliseconds(executor.median), milliseconds(executor.min),
                     milliseconds(executor.max), format(executor.gigaflops(flops), 2), speedup, heapText,
                     format(inferencesPerSecond, 1), format(samplesPerSecond, 1), rssText, "\(statistics.peakArenaBytes) B"]
        return "| " + cells.joined(separator: " | ") + " |"
    }

    var json: String {
        BenchJSON.encode(BenchJSON.Graph(
            graph: graph.name, sizes: bindings, threads: threads, runs: runs, flops: flops,
            opsO0: graph.nodes.count, opsO2: optimized.nodes.count, fused: fusedCount,
            arenaBytes: plan.arenaBytes, naiveBytes: plan.naiveBytes, lowerBoundBytes: plan.lowerBoundBytes,
            executor: BenchJSON.Timing(executor, flops: flops), reference: reference.map { BenchJSON.Timing($0, flops: flops) },
            heapGrowthBytes: heapGrowth, batch: batch, inferencesPerSecond: inferencesPerSecond,
            samplesPerSecond: samplesPerSecond, peakRssMib: peakResidentMiB, peakArenaBytes: statistics.peakArenaBytes))
    }

    private func latencyText(_ latency: Latency?) -> String {
        guard let latency else { return "not timed" }
        return "median \(milliseconds(latency.median)) (min \(milliseconds(latency.min)), max \(milliseconds(latency.max))), "
            + "\(format(latency.gigaflops(flops), 2)) GFLOP/s"
    }

    private func milliseconds(_ seconds: Double?) -> String { seconds.map { format($0 * 1000, 3) + " ms" } ?? "-" }
    private func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}

/// The JSON `lepton bench --json` prints: one object on one line, keys in snake_case and
/// sorted, times in milliseconds (GEMM: microseconds). A key is left out when its value is
/// unknown (`reference` with --skip-reference, `heap_growth_bytes` and `peak_rss_mib` where
/// unmeasurable).
enum BenchJSON {
    struct Timing: Codable {
        let medianMs, minMs, maxMs, gflops: Double

        init(_ latency: Latency, flops: Int) {
            (medianMs, minMs, maxMs) = (latency.median * 1e3, latency.min * 1e3, latency.max * 1e3)
            gflops = latency.gigaflops(flops)
        }
    }

    struct Graph: Codable {
        let graph: String
        let sizes: [String: Int]
        let threads, runs, flops, opsO0, opsO2, fused, arenaBytes, naiveBytes, lowerBoundBytes: Int
        let executor: Timing
        let reference: Timing?
        let heapGrowthBytes: Int?
        let batch: Int
        let inferencesPerSecond, samplesPerSecond: Double
        let peakRssMib: Double?
        let peakArenaBytes: Int
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { preconditionFailure("bench results are always encodable") }
        return String(decoding: data, as: UTF8.self)
    }
}
