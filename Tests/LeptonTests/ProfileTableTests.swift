import Testing
import Lepton
@testable import LeptonRuntime

/// The per-op table `lepton run --profile` prints, on hand-made profiles (exact text): rows
/// slowest first, times as means per run, % of the ops' total, GFLOP/s for ops doing at least
/// a flop per byte and GB/s below that, the total and the wall-clock check.
@Suite struct ProfileTableTests {
    /// Two runs of three steps: a fused GEMM (100 GFLOP/s), a softmax (memory-bound) and a view.
    static func serialProfile() -> ExecutorProfile {
        let steps = [
            Self.step(0, "fused[linear+relu]", "h", [4, 512], flops: 4_000_000, bytes: 1_000_000),
            Self.step(1, "softmax", "probs", [4, 10], flops: 120, bytes: 320),
            Self.step(2, "reshape", "r", [40], flops: 0, bytes: 0),
        ]
        var timings: [ExecutorProfile.StepTiming] = []
        for (run, base) in [0, 50_000].enumerated() {
            timings += [
                .init(step: 0, run: run, thread: 0, start: base + 1_000, end: base + 41_000),
                .init(step: 1, run: run, thread: 0, start: base + 41_500, end: base + 43_500),
                .init(step: 2, run: run, thread: 0, start: base + 43_600, end: base + 43_700),
            ]
        }
        return ExecutorProfile(graph: "mlp", bindings: ["N": 4], threads: 1, warmup: 1, steps: steps, stageLanes: [1, 1, 1],
                               runs: [.init(run: 0, stage: nil, start: 0, end: 45_000), .init(run: 1, stage: nil, start: 50_000, end: 95_000)],
                               timings: timings, stages: [], shares: [], droppedShares: 0, sharesRecorded: true)
    }

    static func step(_ node: Int, _ kernel: String, _ output: String, _ shape: [Int], flops: Int, bytes: Int, stage: Int? = nil,
                     lane: Int = 0) -> ExecutorProfile.Step {
        ExecutorProfile.Step(node: node, op: .relu, kernel: kernel, outputs: [output], shape: shape, dtype: .f32, flops: flops,
                             bytes: bytes, stage: stage ?? node, lane: lane)
    }

    @Test func tableListsOpsSlowestFirstWithTotalAndWallClock() {
        #expect(Self.serialProfile().table == """
            profile of mlp (N=4): 2 runs after 1 warmup, 1 thread
            op                  output  type            time  % total           rate
            fused[linear+relu]  h       f32[4, 512]  40.0 µs    95.0%  100.0 GFLOP/s
            softmax             probs   f32[4, 10]    2.0 µs     4.8%       0.2 GB/s
            reshape             r       f32[40]       0.1 µs     0.2%              -
            total (3 ops)                            42.1 µs   100.0%   95.0 GFLOP/s
            run (wall clock)                         45.0 µs  ops one at a time 93.6%, between ops 6.4%
            """)
    }

    /// Two branches side by side in one concurrent stage: their ops' time exceeds the stage's
    /// wall clock, and the check line says so.
    @Test func concurrentStagesAreAccountedByTheirWallClock() {
        let steps = [
            Self.step(0, "matmul", "a", [64, 64], flops: 5_000_000, bytes: 50_000, stage: 0, lane: 0),
            Self.step(1, "matmul", "b", [64, 64], flops: 5_000_000, bytes: 50_000, stage: 0, lane: 1),
            Self.step(2, "add", "c", [64, 64], flops: 4096, bytes: 49_152, stage: 1),
        ]
        let profile = ExecutorProfile(
            graph: "branches", bindings: [:], threads: 2, warmup: 0, steps: steps, stageLanes: [2, 1],
            runs: [.init(run: 0, stage: nil, start: 0, end: 2_000_000)],
            timings: [.init(step: 0, run: 0, thread: 0, start: 10_000, end: 1_010_000),
                      .init(step: 1, run: 0, thread: 1, start: 20_000, end: 1_020_000),
                      .init(step: 2, run: 0, thread: 0, start: 1_030_000, end: 1_990_000)],
            stages: [.init(run: 0, stage: 0, start: 5_000, end: 1_025_000)], shares: [], droppedShares: 0, sharesRecorded: true)
        let split = profile.timeSplit
        #expect(split.serial == 960_000 && split.concurrentWall == 1_020_000 && split.concurrentOps == 2_000_000)
        #expect(profile.table == """
            profile of branches: 1 run after 0 warmup, 2 threads
            op                     output  type             time  % total         rate
            matmul                 a       f32[64, 64]  1.000 ms    33.8%  5.0 GFLOP/s
            matmul                 b       f32[64, 64]  1.000 ms    33.8%  5.0 GFLOP/s
            add                    c       f32[64, 64]  960.0 µs    32.4%     0.1 GB/s
            total (3 ops)                               2.960 ms   100.0%  3.4 GFLOP/s
            concurrent stages (1)                       1.020 ms  wall clock of 2.000 ms of ops run side by side
            run (wall clock)                            2.000 ms  ops one at a time 48.0%, concurrent stages 51.0%, between ops 1.0%
            """)
    }
}
