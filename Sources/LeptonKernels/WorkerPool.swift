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

/// The shared workers. Iterations are claimed one at a time under the mutex, by the caller
/// and by whichever workers are awake: a worker slow to wake costs nothing (the caller runs
/// what is left), and the caller waits only for iterations a worker has claimed. After a
/// fork-join a worker polls for the next one for a short while (`spinRounds`, yielding its
/// core each round) before sleeping: kernels of one run fork-join back to back.
private final class Pool: @unchecked Sendable {
    static let shared = Pool()
    /// Polls (each a `sched_yield`) before a worker sleeps: about a millisecond, so a worker is
    /// still awake for the next kernel and the next run of a model (64 polls, tens of
    /// microseconds, left the transformer ~10% slower at 2 threads); ONNX Runtime spins too.
    static let spinRounds = 2048

    /// Held for the whole of one fork-join; `trylock` failing means the pool is busy.
    private let busy = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let allDone = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Bumped (under the mutex) when a fork-join starts; workers poll it without the mutex.
    private let generation = Atomic<Int>(0)
    private var workers = 0
    /// The running fork-join: its work, iterations, the next unclaimed one, and how many
    /// claimed iterations are still running.
    private var job: Job?
    private var count = 0
    private var next = 0
    private var running = 0

    private init() {
        pthread_mutex_init(busy, nil)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(workAvailable, nil)
        pthread_cond_init(allDone, nil)
    }

    /// The pool with at least `count` workers, reserved for the caller; nil when busy.
    func acquire(workers wanted: Int) -> Pool? {
        guard pthread_mutex_trylock(busy) == 0 else { return nil }
        while workers < wanted {
            guard startWorker(seen: generation.load(ordering: .acquiring)) else { break }
            workers += 1
        }
        guard workers > 0 else {
            pthread_mutex_unlock(busy)
            return nil
        }
        return self
    }

    func release() { pthread_mutex_unlock(busy) }

    func run(iterations: Int, _ body: Job) {
        pthread_mutex_lock(mutex)
        (job, count, next, running) = (body, iterations, 0, 0)
        generation.add(1, ordering: .releasing)
        pthread_cond_broadcast(workAvailable)
        pthread_mutex_unlock(mutex)
        runClaimed()
        pthread_mutex_lock(mutex)
        while running > 0 { pthread_cond_wait(allDone, mutex) }
        (job, count) = (nil, 0)
        pthread_mutex_unlock(mutex)
    }

    /// Claims and runs iterations of the current fork-join until none is left unclaimed.
    private func runClaimed() {
        pthread_mutex_lock(mutex)
        while next < count, let body = job {
            let i = next
            next += 1
            running += 1
            pthread_mutex_unlock(mutex)
            body(i)
            pthread_mutex_lock(mutex)
            running -= 1
            if running == 0 && next >= count { pthread_cond_signal(allDone) }
        }
        pthread_mutex_unlock(mutex)
    }

    private func startWorker(seen: Int) -> Bool {
        let context = Unmanaged.passRetained(WorkerContext(pool: self, seen: seen)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let context = Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue()
            // The thread's first allocation sets up glibc's per-thread cache: do it now, not
            // in the middle of a steady-state run.
            free(malloc(64))
            context.pool.work(seen: context.seen)
            return nil
        }, context)
        guard started == 0 else {
            Unmanaged<WorkerContext>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// A worker's loop: wait for a fork-join newer than `seen` (polling, then sleeping), help
    /// run its iterations.
    private func work(seen start: Int) {
        var seen = start
        while true {
            var round = 0
            while generation.load(ordering: .acquiring) == seen && round < Pool.spinRounds {
                sched_yield()
                round += 1
            }
            pthread_mutex_lock(mutex)
            while generation.load(ordering: .acquiring) == seen { pthread_cond_wait(workAvailable, mutex) }
            seen = generation.load(ordering: .acquiring)
            pthread_mutex_unlock(mutex)
            runClaimed()
        }
    }
}

private final class WorkerContext {
    let pool: Pool
    /// The generation current when the worker was started (work before it is not its own).
    let seen: Int

    init(pool: Pool, seen: Int) {
        self.pool = pool
        self.seen = seen
    }
}
