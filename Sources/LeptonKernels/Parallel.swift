import Dispatch

/// Intra-op parallelism: a kernel splits its independent outputs into contiguous chunks, one
/// per thread, with `WorkerPool.forkJoin` (cheaper than `DispatchQueue.concurrentPerform`;
/// the closure may still get a heap context, so kernels that must not allocate per run
/// fork through the pool's context form themselves). Every output element is computed by
/// exactly one chunk, in the same order as the serial loop, so results are bit-identical for
/// any thread count (no reduction is ever split across chunks).

/// Pointers (or any plain values) that chunks running on other threads read: the caller
/// guarantees the chunks touch disjoint outputs, which the compiler cannot see.
public struct Shared<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}

/// How many threads a kernel may use, and the work below which it stays on the caller's thread.
public struct Parallelism: Hashable, Sendable {
    public let threads: Int
    /// The work (roughly nanoseconds) a chunk must have: ~25 µs by default. A fork-join on
    /// awake workers costs about half a microsecond (WorkerPool), but a chunk bar of 8 or 3 µs
    /// measured no better on the transformer at 2 threads. Tests set 1 to split even tiny kernels.
    public let minimumChunkCost: Int

    public init(threads: Int, minimumChunkCost: Int = 25_000) {
        self.threads = Swift.max(1, threads)
        self.minimumChunkCost = Swift.max(1, minimumChunkCost)
    }

    public static let serial = Parallelism(threads: 1)

    /// Chunks to split `count` items into, each costing about `cost` (roughly nanoseconds):
    /// 1 when one thread is allowed or the total work would not pay for the fork-join.
    @inlinable public func chunks(_ count: Int, cost: Int) -> Int {
        guard threads > 1, count > 1 else { return 1 }
        let total = count.multipliedReportingOverflow(by: Swift.max(1, cost))
        let affordable = total.overflow ? Int.max : total.partialValue / minimumChunkCost
        return Swift.max(1, Swift.min(threads, count, affordable))
    }

    /// Items `0..<count` split evenly into `chunks` contiguous ranges; this is range `index`.
    @inlinable public static func range(_ index: Int, of chunks: Int, count: Int) -> Range<Int> {
        let base = count / chunks, extra = count % chunks
        let start = index * base + Swift.min(index, extra)
        return start..<(start + base + (index < extra ? 1 : 0))
    }

    /// Runs `body(range, chunk)` over `0..<count` in at most `threads` chunks (inline when one).
    /// `chunk` is below `threads`, so it can index per-thread scratch prepared beforehand.
    @inlinable public func forEach(_ count: Int, cost: Int, _ body: (Range<Int>, Int) -> Void) {
        let chunks = self.chunks(count, cost: cost)
        if chunks == 1 {
            if count > 0 { body(0..<count, 0) }
            return
        }
        Parallelism.split(count, chunks: chunks, body)
    }

    /// The fork-join of `forEach`. `withoutActuallyEscaping` wraps the kernel's closure in a
    /// 32-byte heap object (so it can check afterwards that nothing kept it): one allocation
    /// per fork-join. Kernels on the steady-state path use `forEach(_:cost:context:_:)`.
    @usableFromInline static func split(_ count: Int, chunks: Int, _ body: (Range<Int>, Int) -> Void) {
        withoutActuallyEscaping(body) { escapable in
            var work = ChunkWork(count: count, chunks: chunks, body: escapable)
            withUnsafeMutablePointer(to: &work) { pointer in
                WorkerPool.forkJoin(iterations: chunks, context: UnsafeMutableRawPointer(pointer)) { context, index in
                    let work = context.assumingMemoryBound(to: ChunkWork.self)
                    work.pointee.body(Parallelism.range(index, of: work.pointee.chunks, count: work.pointee.count), index)
                }
            }
        }
    }

    /// A chunk body that needs no closure: `function(context, lower, upper, chunk)` runs
    /// items lower..<upper as chunk `chunk`; `context` points at the caller's state.
    public typealias ChunkFunction = @convention(c) (UnsafeMutableRawPointer, Int, Int, Int) -> Void

    /// `forEach` allocating nothing: handing a capturing closure to the workers
    /// (`withoutActuallyEscaping`) allocates a 32-byte wrapper per fork-join, so kernels on
    /// the steady-state path pass a C function and a pointer to their state instead.
    public func forEach(_ count: Int, cost: Int, context: UnsafeMutableRawPointer, _ function: ChunkFunction) {
        let chunks = self.chunks(count, cost: cost)
        if chunks == 1 {
            if count > 0 { function(context, 0, count, 0) }
            return
        }
        var call = ChunkCall(function: function, context: context, count: count, chunks: chunks)
        withUnsafeMutablePointer(to: &call) { call in
            WorkerPool.forkJoin(iterations: chunks, context: UnsafeMutableRawPointer(call)) { raw, index in
                let call = raw.assumingMemoryBound(to: ChunkCall.self).pointee
                let range = Parallelism.range(index, of: call.chunks, count: call.count)
                call.function(call.context, range.lowerBound, range.upperBound, index)
            }
        }
    }

}

/// One closure-free `forEach`: the chunk function, its state and the split.
private struct ChunkCall {
    let function: Parallelism.ChunkFunction
    let context: UnsafeMutableRawPointer
    let count: Int
    let chunks: Int
}

/// What the chunks of one `forEach` share: the split and the body.
private struct ChunkWork {
    let count: Int
    let chunks: Int
    let body: (Range<Int>, Int) -> Void
}
