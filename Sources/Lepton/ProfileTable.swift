// The per-op summary of an executor profile: rows with rates, and the text table that
// `lepton run --profile` prints.

import Foundation

/// One op of a profile, as `lepton run --profile` prints it: the step, its mean time per run,
/// its part of all the ops' time, and the rate that says how well it ran.
public struct ProfileRow: Sendable {
    /// GFLOP/s for compute-bound ops, GB/s (bytes read and written) for memory-bound ones.
    public enum Rate: Sendable, Hashable {
        case gigaflops(Double)
        case gigabytes(Double)
    }

    public var step: ExecutorProfile.Step
    /// Mean nanoseconds per run.
    public var nanoseconds: Double
    /// Of the sum of every row's time (the rows add up to 1).
    public var fraction: Double

    /// The meaningful rate: GFLOP/s when the op does at least one flop per byte it moves (a
    /// GEMM, a conv), GB/s when it does less (elementwise, norms, softmax, copies); nil when
    /// it does neither (views) or took under a microsecond (then the two clock reads around
    /// it weigh as much as the op).
    public var rate: Rate? { Rate(flops: step.flops, bytes: step.bytes, nanoseconds: nanoseconds) }
}

extension ProfileRow.Rate {
    /// The rule of `ProfileRow.rate`, for any amount of work.
    init?(flops: Int, bytes: Int, nanoseconds: Double) {
        guard nanoseconds >= 1000 else { return nil }
        if flops > 0 && flops >= bytes {
            self = .gigaflops(Double(flops) / nanoseconds)
        } else if bytes > 0 {
            self = .gigabytes(Double(bytes) / nanoseconds)
        } else {
            return nil
        }
    }
}

extension ExecutorProfile {
    /// Every step with its mean time per run, slowest first (ties in execution order).
    public var rows: [ProfileRow] {
        let means = meanStepNanoseconds
        let total = means.reduce(0, +)
        let rows = steps.indices.map { ProfileRow(step: steps[$0], nanoseconds: means[$0], fraction: total > 0 ? means[$0] / total : 0) }
        return rows.enumerated().sorted { a, b in
            a.element.nanoseconds != b.element.nanoseconds ? a.element.nanoseconds > b.element.nanoseconds : a.offset < b.offset
        }.map(\.element)
    }

    /// Mean per run: the steps of one-lane stages (one at a time), the wall time of the
    /// concurrent stages, and the ops' time inside those (their lanes overlap).
    public var timeSplit: (serial: Double, concurrentWall: Double, concurrentOps: Double) {
        let runCount = Double(Swift.max(1, runs.count))
        var serial = 0.0, concurrentOps = 0.0
        for timing in timings {
            let time = Double(timing.nanoseconds) / runCount
            if stageLanes[steps[timing.step].stage] > 1 { concurrentOps += time } else { serial += time }
        }
        let concurrentWall = Double(stages.reduce(0) { $0 + $1.nanoseconds }) / runCount
        return (serial, concurrentWall, concurrentOps)
    }

    /// The per-op table: a heading, one line per op (slowest first: kernel, output, type,
    /// mean time per run, % of the ops' total, rate), the total of the rows, and the check of
    /// that total against the wall clock of a run — the parts of a run in %, which add up to
    /// 100 (ops of concurrent stages overlap, so those count by the stages' wall clock):
    ///
    ///     profile of mlp (N=4): 10 runs after 1 warmup, 1 thread
    ///     op                  output  type            time  % total           rate
    ///     fused[linear+relu]  %1      f32[4, 512]  41.2 µs    70.1%   39.0 GFLOP/s
    ///     …
    ///     total (6 ops)                            58.8 µs   100.0%   35.1 GFLOP/s
    ///     run (wall clock)                         59.6 µs  ops one at a time 98.7%, between ops 1.3%
    ///
    /// With concurrent stages, a line before the run's says how much op time they overlapped:
    ///
    ///     concurrent stages (1)                   237.5 µs  wall clock of 372.1 µs of ops run side by side
    public var table: String {
        let rows = self.rows
        let header = ["op", "output", "type", "time", "% total", "rate"]
        var lines: [[String]] = rows.map { row in
            [row.step.kernel, row.step.outputs.joined(separator: ", "), TensorType(row.step.dtype, fixed: row.step.shape).description,
             ProfileFormat.time(row.nanoseconds), ProfileFormat.percent(row.fraction), ProfileFormat.rate(row.rate)]
        }
        let total = rows.reduce(0) { $0 + $1.nanoseconds }
        let (flops, bytes) = steps.reduce((0, 0)) { ($0.0 + $1.flops, $0.1 + $1.bytes) }
        lines.append(["total (\(rows.count) op\(rows.count == 1 ? "" : "s"))", "", "", ProfileFormat.time(total),
                      ProfileFormat.percent(total > 0 ? 1 : 0), ProfileFormat.rate(ProfileRow.Rate(flops: flops, bytes: bytes, nanoseconds: total))])
        let (_, wall, ops) = timeSplit
        let concurrent = stageLanes.filter { $0 > 1 }.count
        if concurrent > 0 {
            lines.append(["concurrent stages (\(concurrent))", "", "", ProfileFormat.time(wall),
                          "wall clock of \(ProfileFormat.time(ops)) of ops run side by side"])
        }
        lines.append(["run (wall clock)", "", "", ProfileFormat.time(meanRunNanoseconds), wallCheck])
        let symbols = bindings.keys.sorted().map { "\($0)=\(bindings[$0] ?? 0)" }.joined(separator: ", ")
        let title = "profile of \(graph)\(symbols.isEmpty ? "" : " (\(symbols))"): \(runs.count) run\(runs.count == 1 ? "" : "s") "
            + "after \(warmup) warmup, \(threads) thread\(threads == 1 ? "" : "s")"
        return ([title] + ProfileFormat.columns([header] + lines, rightAligned: [3, 4, 5])).joined(separator: "\n")
    }

    /// How a run's wall clock splits, in %: ops one at a time, concurrent stages, the gaps.
    private var wallCheck: String {
        let (serial, wall, _) = timeSplit
        let run = meanRunNanoseconds
        let percent = { (part: Double) in ProfileFormat.percent(run > 0 ? part / run : 0) }
        var parts = ["ops one at a time \(percent(serial))"]
        if stageLanes.contains(where: { $0 > 1 }) { parts.append("concurrent stages \(percent(wall))") }
        parts.append("between ops \(percent(Swift.max(0, run - serial - wall)))")
        return parts.joined(separator: ", ")
    }
}

/// Number and column formatting shared by the profile's table.
enum ProfileFormat {
    /// `412.3 µs` below a millisecond, `1.321 ms` above.
    static func time(_ nanoseconds: Double) -> String {
        nanoseconds < 1e6 ? String(format: "%.1f µs", nanoseconds / 1e3) : String(format: "%.3f ms", nanoseconds / 1e6)
    }

    static func percent(_ fraction: Double) -> String { String(format: "%.1f%%", fraction * 100) }

    static func rate(_ rate: ProfileRow.Rate?) -> String {
        switch rate {
        case .gigaflops(let value): String(format: "%.1f GFLOP/s", value)
        case .gigabytes(let value): String(format: "%.1f GB/s", value)
        case nil: "-"
        }
    }

    /// Rows padded into columns two spaces apart. The last cell of a short row is a note (the
    /// wall-clock line): it neither widens its column nor is padded.
    static func columns(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let columnCount = rows.map(\.count).max() ?? 0
        let isNote = { (cells: [String], column: Int) in column == cells.count - 1 && cells.count < columnCount }
        let widths = (0..<columnCount).map { column in
            rows.filter { $0.count > column && !isNote($0, column) }.map { $0[column].count }.max() ?? 0
        }
        return rows.map { cells in
            cells.indices.map { column in
                let cell = cells[column]
                if isNote(cells, column) || (column == columnCount - 1 && !rightAligned.contains(column)) { return cell }
                let pad = String(repeating: " ", count: Swift.max(0, widths[column] - cell.count))
                return rightAligned.contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
    }
}
