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
        let before = try heapBytesInUse()
        for _ in 0..<runs { _ = try executor.run(inputs) }
        return try heapBytesInUse() - before
    }

    @Test func steadyStateRunsDoNotGrowTheHeap() throws {
        var growth: [Int: Int] = [:]
        for length in [3, 100] {
            let graph = try chain(length)
            let executor = try Executor(graph: graph, parameters: [])
            let inputs = randomInputs(graph, bindings: ["N": 4])
            _ = try executor.run(inputs)
            let prepared = executor.statistics
            // Other suites run concurrently and share the heap: their frees can make a trial's
            // delta negative and their allocations positive, so take the least growth of a few
            // trials, counting shrinkage as none.
            growth[length] = try (0..<5).map { _ in max(0, try heapGrowth(executor, inputs, runs: 50)) }.min()
            #expect(executor.statistics.plansBuilt == prepared.plansBuilt)
            #expect(executor.statistics.arenaGrowths == prepared.arenaGrowths)
            #expect(executor.statistics.fallbackNodes == 0)
            #expect(executor.statistics.runs == 251)
        }
        let small = growth[3] ?? 0, large = growth[100] ?? 0
        print("heap growth over 50 steady-state runs: 3 nodes \(small) B, 100 nodes \(large) B")
        #expect(small < 4096 && large < 4096, "steady-state runs grow the heap: 3 nodes \(small) B, 100 nodes \(large) B")
        #expect(large <= small + 1024, "heap growth scales with ops: 3 nodes \(small) B, 100 nodes \(large) B")
    }

    @Test func heapMeasurementSeesHeldAllocations() throws {
        let before = try heapBytesInUse()
        let large = [Float](repeating: 1, count: 1 << 18)
        let small = [Float](repeating: 1, count: 1 << 10)
        let after = try heapBytesInUse()
        #expect(after - before >= (large.count + small.count) * 4)
        withExtendedLifetime((large, small)) {}
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

/// glibc's `mallinfo2()`: bytes of heap in use (`uordblks` plus mmapped `hblkhd`). <malloc.h> is not in the Glibc module,
/// so the function is found with dlsym; its 80-byte struct result is returned through a hidden
/// pointer (the x86-64 SysV `sret` convention), which is how it is called here.
func heapBytesInUse() throws -> Int {
    #if arch(x86_64)
    let symbol = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallinfo2"), "glibc has no mallinfo2")
    typealias MallInfo2 = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
    let mallinfo2 = unsafeBitCast(symbol, to: MallInfo2.self)
    // struct mallinfo2 { size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost; }
    var fields = [Int](repeating: 0, count: 10)
    fields.withUnsafeMutableBytes { _ = mallinfo2($0.baseAddress!) }
    return fields[7] + fields[4]  // uordblks + hblkhd (large blocks are mmapped)
    #else
    return 0
    #endif
}
