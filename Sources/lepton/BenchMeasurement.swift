import Foundation
import Lepton

/// What `lepton bench` measured for one graph, and its two printed forms.
struct Measurement {
    let graph: Graph
    let optimized: Graph
    let bindings: [String: Int]
    let plan: MemoryPlan
    /// Median seconds per run (nil: the reference was not timed).
    let reference: Double?
    let executor: Double
    let runs: Int
    /// Heap bytes in use after the timed -O2 runs minus before; nil where unmeasurable.
    let heapGrowth: Int?
    let statistics: ExecutorStatistics

    var fusedCount: Int { optimized.nodes.filter { $0.op == .fused }.count }
    var speedup: String {
        guard let reference, executor > 0 else { return "-" }
        return format(reference / executor, 1) + "x"
    }
    var boundRatio: Double { plan.lowerBoundBytes > 0 ? Double(plan.arenaBytes) / Double(plan.lowerBoundBytes) : 1 }

    var bindingText: String {
        bindings.isEmpty ? "" : " (" + bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
    }

    var heapText: String { heapGrowth.map { "\($0 >= 0 ? "+" : "")\($0) B" } ?? "not measurable here" }

    var report: String {
        """
        bench \(graph.name)\(bindingText): median of \(runs) runs
          ops     \(graph.nodes.count) at -O0, \(optimized.nodes.count) at -O2 (\(fusedCount) fused)
          memory  arena \(plan.arenaBytes) B, naive \(plan.naiveBytes) B, lower bound \(plan.lowerBoundBytes) B (arena/lower bound \(format(boundRatio, 3)))
          time    -O0 reference \(milliseconds(reference)), -O2 executor \(milliseconds(executor)) (\(speedup))
          heap    \(heapText) over \(runs) steady-state -O2 runs (plans built \(statistics.plansBuilt), arena growths \(statistics.arenaGrowths), fallback nodes \(statistics.fallbackNodes))
        """
    }

    /// `| graph | ops -O0 | ops -O2 | fused | arena | naive | lower bound | -O0 | -O2 | speed-up | heap |`
    var row: String {
        let cells = [graph.name + bindingText, "\(graph.nodes.count)", "\(optimized.nodes.count)", "\(fusedCount)",
                     "\(plan.arenaBytes)", "\(plan.naiveBytes)", "\(plan.lowerBoundBytes)",
                     milliseconds(reference), milliseconds(executor), speedup, heapText]
        return "| " + cells.joined(separator: " | ") + " |"
    }

    private func milliseconds(_ seconds: Double?) -> String { seconds.map { format($0 * 1000, 3) + " ms" } ?? "-" }
    private func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
