#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Fork-join over persistent worker threads, allocating nothing per call (unlike
/// `DispatchQueue.concurrentPerform`, which allocates a few continuation blocks per call when
/// called from a thread outside Dispatch's pool — what the executor's runs are).
///
/// `forkJoin` runs `function(context, i)` (or `body(i)`) for every `i` in `0..<iterations`, on
/// the caller's thread and the workers (started on first need, living for the process), each
/// iteration on exactly one thread. While one fork-join is running, another (nested, or from
/// another thread) runs its iterations inline, in order: the results are the same, since every
/// iteration writes its own outputs (and uses the scratch of its index, not of its thread).
///
/// While a profiler has `ShareProbe` on, each share of the fork-joins its thread starts is
/// timed (start, end, pool thread); off, that costs one load and branch per fork-join.
public enum WorkerPool {
    /// Fork-joins run across threads since the process started (for measuring scheduling
    /// overhead: each costs a wake-up and a join). Counted by the callers, so only exact when
    /// one thread at a time starts fork-joins, as one executor does.
    nonisolated(unsafe) public private(set) static var forkJoins = 0

    /// A fork-join body that needs no closure: `function(context, i)`.
    public typealias Function = @convention(c) (UnsafeMutableRawPointer, Int) -> Void

    /// Runs `function(context, i)` for every `i` in `0..<iterations`, like the closure form but
    /// allocating nothing at all: handing a capturing closure to other threads
    /// (`withoutActuallyEscaping`) allocates its context; this hands over two pointers.
    public static func forkJoin(iterations: Int, context: UnsafeMutableRawPointer, _ function: Function) {
        guard iterations > 1 else {
            if iterations == 1 { function(context, 0) }
            return
        }
        guard let pool = Pool.shared.acquire(workers: iterations - 1) else {
            for i in 0..<iterations { function(context, i) }
            return
        }
        forkJoins &+= 1
        pool.run(iterations: iterations, Job(function: function, context: context))
        pool.release()
    }

    /// The pool thread running the caller: w on worker w, 0 on any thread outside the pool
    /// (what profiles name threads by). A thread-specific read: cheap, but not free; only
    /// the profiled path asks.
    public static var currentThread: Int { Int(bitPattern: pthread_getspecific(Pool.threadKey)) }

    /// Runs `body(0..<iterations)` across the pool; returns when every iteration has finished.
    /// Allocates the closure's context per call; hot paths use the `Function` form.
    public static func forkJoin(iterations: Int, _ body: (Int) -> Void) {
        guard iterations > 1 else {
            if iterations == 1 { body(0) }
            return
        }
        withoutActuallyEscaping(body) { escapable in
            var job = escapable
            withUnsafeMutablePointer(to: &job) { pointer in
                forkJoin(iterations: iterations, context: UnsafeMutableRawPointer(pointer)) { context, i in
                    context.assumingMemoryBound(to: ((Int) -> Void).self).pointee(i)
                }
            }
        }
    }
}

/// One fork-join's work: a C function and its context.
private struct Job {
    var function: WorkerPool.Function
    var context: UnsafeMutableRawPointer

    func callAsFunction(_ i: Int) { function(context, i) }
}

/// The shared workers. Each fork-join is split into `shares` (caller = share 0, worker w =
/// share w; share s runs iterations s, s + shares, …), so a worker keeps running the same part
/// of a kernel and finds its operands in its own cache. Claims are one atomic word per
/// fork-join: a worker claims its own share; the caller, after its own, takes any share whose
/// worker has not claimed it yet (asleep or descheduled: waiting for it would cost more).
/// The caller then waits for the claimed shares by polling, not sleeping: waking a sleeping
/// caller took longer than a small kernel's share. After a fork-join a worker polls for the
/// next one for a short while (`spinRounds`, yielding its core each round) before sleeping:
/// kernels of one run fork-join back to back.
private final class Pool: @unchecked Sendable {
    static let shared = Pool()
    /// Polls (each a `sched_yield`) before a worker sleeps: about a millisecond, so a worker is
    /// still awake for the next kernel and the next run of a model (64 polls, tens of
    /// microseconds, left the transformer ~10% slower at 2 threads); ONNX Runtime spins too.
    static let spinRounds = 2048
    /// Shares of one fork-join at most (one claim bit each).
    static let maxShares = 32

    /// Held for the whole of one fork-join; `trylock` failing means the pool is busy.
    private let busy = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Guards sleeping and waking only.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Bumped when a fork-join starts (after its job is written); workers poll it.
    private let generation = Atomic<Int>(0)
    /// Workers asleep (or about to sleep) on `workAvailable`.
    private let sleepers = Atomic<Int>(0)
    /// The running fork-join's generation (high 32 bits) and its claimed shares (low bits): a
    /// worker that wakes late sees another generation and leaves the claims alone.
    private let claims = Atomic<UInt64>(0)
    /// Shares of the running fork-join that have finished.
    private let finished = Atomic<Int>(0)
    private var workers = 0
    /// The running fork-join, written by the caller before it bumps `generation`.
    private var job: Job?
    private var iterations = 0
    private var shares = 0
    /// Whether the running fork-join's shares are timed (`ShareProbe`), and its label.
    private var probed = false
    private var probeLabel = 0

    /// Holds each worker's index, for `WorkerPool.currentThread`.
    static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        guard pthread_key_create(&key, nil) == 0 else { preconditionFailure("no thread-specific key for the worker pool") }
        return key
    }()

    private init() {
        pthread_mutex_init(busy, nil)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workAvailable, nil)
    }

    /// The pool with at least `count` workers (as many as can start), reserved for the caller;
    /// nil when busy.
    func acquire(workers wanted: Int) -> Pool? {
        guard pthread_mutex_trylock(busy) == 0 else { return nil }
        while workers < Swift.min(wanted, Pool.maxShares - 1) {
            guard startWorker(index: workers + 1, seen: generation.load(ordering: .acquiring)) else { break }
            workers += 1
        }
        guard workers > 0 else {
            pthread_mutex_unlock(busy)
            return nil
        }
        return self
    }

    func release() { pthread_mutex_unlock(busy) }

    static func tag(_ generation: Int) -> UInt64 { UInt64(truncatingIfNeeded: generation) << 32 }

    func run(iterations count: Int, _ body: Job) {
        let shareCount = Swift.min(count, workers + 1)
        let next = generation.load(ordering: .relaxed) + 1
        (job, iterations, shares) = (body, count, shareCount)
        // The probe's one branch when off; workers read both fields after the generation bump.
        probed = ShareProbe.isRecordingHere
        if probed { probeLabel = ShareProbe.label }
        finished.store(0, ordering: .relaxed)
        // Share 0 is the caller's; bits past the last share count as claimed.
        let absent = UInt64(UInt32.max) & ~((UInt64(1) << UInt64(shareCount)) - 1)
        claims.store(Pool.tag(next) | absent | 1, ordering: .relaxed)
        generation.store(next, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex)
            pthread_cond_broadcast(workAvailable)
            pthread_mutex_unlock(mutex)
        }
        runShare(0, thread: 0, body)
        for share in 1..<shareCount where claim(share, generation: next) { runShare(share, thread: 0, body) }
        while finished.load(ordering: .acquiring) < shareCount { sched_yield() }
        job = nil
    }

    /// Claims `share` of fork-join `generation`; false when it is taken or that fork-join is over.
    private func claim(_ share: Int, generation: Int) -> Bool {
        let bit = UInt64(1) << UInt64(share)
        var current = claims.load(ordering: .acquiring)
        while current & ~UInt64(UInt32.max) == Pool.tag(generation) && current & bit == 0 {
            let (exchanged, original) = claims.compareExchange(expected: current, desired: current | bit, ordering: .acquiringAndReleasing)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// Runs `share` on pool thread `thread` (0: the caller). The probe's record is written
    /// before the share counts as finished, so the caller sees it after the join.
    private func runShare(_ share: Int, thread: Int, _ body: Job) {
        let start = probed ? ShareProbe.now() : 0
        var i = share
        while i < iterations {
            body(i)
            i += shares
        }
        if probed { ShareProbe.record(label: probeLabel, share: share, thread: thread, start: start, end: ShareProbe.now()) }
        finished.add(1, ordering: .releasing)
    }

    private func startWorker(index: Int, seen: Int) -> Bool {
        let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index, seen: seen)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let context = Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue()
            // The thread's first allocation sets up glibc's per-thread cache: do it now, not
            // in the middle of a steady-state run.
            free(malloc(64))
            pthread_setspecific(Pool.threadKey, UnsafeRawPointer(bitPattern: context.index))
            context.pool.work(index: context.index, seen: context.seen)
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<WorkerContext>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// A worker's loop: wait for a fork-join newer than `seen` (polling, then sleeping), run
    /// its share `index` of it when it has one and nobody took it.
    private func work(index: Int, seen start: Int) {
        var seen = start
        while true {
            var round = 0
            while generation.load(ordering: .acquiring) == seen && round < Pool.spinRounds {
                sched_yield()
                round += 1
            }
            if generation.load(ordering: .acquiring) == seen {
                pthread_mutex_lock(mutex)
                sleepers.add(1, ordering: .sequentiallyConsistent)
                while generation.load(ordering: .sequentiallyConsistent) == seen { pthread_cond_wait(workAvailable, mutex) }
                sleepers.subtract(1, ordering: .relaxed)
                pthread_mutex_unlock(mutex)
            }
            seen = generation.load(ordering: .acquiring)
            // The job is read only after the claim: then this fork-join cannot have ended.
            if claim(index, generation: seen), let body = job { runShare(index, thread: index, body) }
        }
    }
}

private final class WorkerContext {
    let pool: Pool
    /// The worker's share of every fork-join.
    let index: Int
    /// The generation current when the worker was started (work before it is not its own).
    let seen: Int

    init(pool: Pool, index: Int, seen: Int) {
        (self.pool, self.index, self.seen) = (pool, index, seen)
    }
}
