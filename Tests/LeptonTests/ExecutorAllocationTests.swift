import Glibc
import Testing
@testable import LeptonRuntime
import LeptonReference

/// Steady state: running an already-prepared shape again builds no plan, grows no arena, and
/// leaves the heap as it was — measured with glibc's `mallinfo2()` over many runs, for a
/// 3-node and a 100-node graph, so any per-op (or per-run) heap growth would show and scale.
///
/// `mallinfo2` reports bytes in use, not a count of calls: an allocation freed within the same
/// run is not visible to it. What it does prove is that nothing accumulates per run or per op;
/// that no step allocates at all follows from the design (every step is a closure over fixed
/// pointers prepared with the plan) and from the kernels taking their scratch from the caller.
@Suite(.serialized) struct ExecutorAllocationTests {
    /// A chain of `length` elementwise nodes over x[N, 64].
    private func chain(_ length: Int) throws -> Graph {
        var lines = ["graph chain(x: f32[N, 64]) -> (y: f32[N, 64]) {", "  v0 = relu(x)"]
        for i in 1..<(length - 1) { lines.append("  v\(i) = \(["tanh", "neg", "abs", "sigmoid"][i % 4])(v\(i - 1))") }
        lines.append("  y = exp(v\(length - 2))")
        lines.append("}")
        return try parseGraph(lines.joined(separator: "\n"))
    }

    /// Heap bytes in use after `runs` more runs (results dropped), minus before.
    private func heapGrowth(_ executor: Executor, _ inputs: [String: Tensor], runs: Int) throws -> Int {
        let before = try measuredHeapBytes()
        for _ in 0..<runs { _ = try executor.run(inputs) }
        return try measuredHeapBytes() - before
    }

    /// Measured in a quiet process (`lepton bench`), not here: the tests of other suites run
    /// concurrently in this process and move glibc's counters by kilobytes either way.
    @Test func steadyStateRunsDoNotGrowTheHeap() throws {
        var growth: [Int: Int] = [:]
        for length in [3, 100] {
            let path = TestPaths.fixtures("cli").appendingPathComponent("chain\(length).graph").path
            let result = try lepton("bench", path, "--dim", "N=4", "--runs", "50")
            #expect(result.status == 0, "\(result.stderr)")
            let heap = try #require(result.stdout.split(separator: "\n").first { $0.contains("heap ") }, "\(result.stdout)")
            #expect(heap.contains("plans built 1, arena growths 1, fallback nodes 0"), "\(heap)")
            let bytes = heap.split(separator: " ").first { $0.hasPrefix("+") || $0.hasPrefix("-") }.flatMap { Int($0) }
            growth[length] = try #require(bytes, "no heap figure in '\(heap)'")
            #expect(result.stdout.contains("\(length) at -O0, \(length) at -O2"), "the chain must not fuse away: \(result.stdout)")
        }
        let small = growth[3] ?? 0, large = growth[100] ?? 0
        #expect(small <= 1024 && large <= 1024, "steady-state runs grow the heap: 3 ops \(small) B, 100 ops \(large) B")
    }

    /// The measurement `lepton bench` reports must see memory that stays held. Other suites
    /// free memory concurrently, so a trial may under-count: the best of a few must see it.
    @Test func heapMeasurementSeesHeldAllocations() throws {
        var seen: [Int] = []
        for _ in 0..<5 {
            let before = try measuredHeapBytes()
            let held = [Float](repeating: 1, count: 1 << 20)
            let after = try measuredHeapBytes()
            seen.append(after - before)
            withExtendedLifetime(held) {}
        }
        #expect(seen.max() ?? 0 >= (1 << 20) * 4, "growth seen while 4 MiB is held: \(seen)")
    }

    @Test func aNewShapePlansOnceThenRunsFromItsArena() throws {
        let graph = try chain(10)
        let executor = try Executor(graph: graph, parameters: [])
        for n in [2, 2, 5, 5, 2] { _ = try executor.run(randomInputs(graph, bindings: ["N": n])) }
        #expect(executor.statistics.plansBuilt == 2)
        #expect(executor.statistics.arenaGrowths == 2)
        #expect(executor.statistics.runs == 5)
    }
}

/// The heap in use, failing the test where it cannot be measured.
func measuredHeapBytes() throws -> Int {
    let bytes = heapBytesInUse()
    return try #require(bytes, "glibc mallinfo2 is not available here")
}
