import Foundation
import Testing
@testable import LeptonKernels

/// WorkerPool's fork-join: every iteration runs exactly once and all have finished when it
/// returns — back to back (workers polling), after workers fell asleep, with more iterations
/// than threads, and with fork-joins from several threads at once (all but one run inline).
@Suite struct WorkerPoolTests {
    /// One fork-join's shared state: a slot per iteration, and whether iterations are slow.
    struct Counts {
        var slots: UnsafeMutablePointer<Int>
        var slow: Bool
    }

    /// Runs `iterations` iterations, each adding its index + 1 to its own slot; `slow` ones
    /// sleep first (so workers claim their shares, and a join that did not wait would show).
    static func forkJoinCounts(_ iterations: Int, slow: Bool = false) -> [Int] {
        var slots = [Int](repeating: 0, count: iterations)
        slots.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var counts = Counts(slots: base, slow: slow)
            withUnsafeMutablePointer(to: &counts) { counts in
                WorkerPool.forkJoin(iterations: iterations, context: UnsafeMutableRawPointer(counts)) { context, i in
                    let counts = context.assumingMemoryBound(to: Counts.self).pointee
                    if counts.slow { usleep(200) }
                    counts.slots[i] += i + 1
                }
            }
        }
        return slots
    }

    @Test func everyIterationRunsOnceBackToBack() {
        for round in 0..<2000 {
            let iterations = 1 + round % 7
            #expect(Self.forkJoinCounts(iterations, slow: round % 20 == 0) == (0..<iterations).map { $0 + 1 }, "round \(round)")
        }
    }

    @Test func workersWakeAfterSleeping() {
        for _ in 0..<3 {
            #expect(Self.forkJoinCounts(4) == [1, 2, 3, 4])
            usleep(5_000)  // longer than the workers poll before sleeping
        }
    }

    @Test func concurrentCallersAllFinish() async {
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    (0..<300).allSatisfy { round in Self.forkJoinCounts(2 + round % 3) == (0..<(2 + round % 3)).map { $0 + 1 } }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }
}
