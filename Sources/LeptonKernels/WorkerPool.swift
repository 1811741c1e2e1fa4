#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fork-join over persistent worker threads, allocating nothing per call (unlike
/// `DispatchQueue.concurrentPerform`, which allocates a few continuation blocks per call when
/// called from a thread outside Dispatch's pool — what the executor's runs are).
///
/// `forkJoin` runs `function(context, i)` (or `body(i)`) for every `i` in `0..<iterations`: iteration 0 on
/// the caller's thread, iteration `k` on worker `k` (workers are started on first need and
/// live for the process), with more iterations than threads striding. While one fork-join is
/// running, another (nested, or from another thread) runs its iterations inline, in order: the
/// results are the same, since every iteration writes its own outputs.
public enum WorkerPool {
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

/// The shared workers: one mutex and two condition variables, set up once.
private final class Pool: @unchecked Sendable {
    static let shared = Pool()

    /// Held for the whole of one fork-join; `trylock` failing means the pool is busy.
    private var busy = pthread_mutex_t()
    private var mutex = pthread_mutex_t()
    private var workAvailable = pthread_cond_t()
    private var allDone = pthread_cond_t()
    private var workers = 0
    private var generation = 0
    private var pending = 0
    private var iterations = 0
    /// The running fork-join's work (valid until `pending` is 0).
    private var job: Job?

    private init() {
        pthread_mutex_init(&busy, nil)
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&workAvailable, nil)
        pthread_cond_init(&allDone, nil)
    }

    /// The pool with at least `count` workers, reserved for the caller; nil when busy.
    func acquire(workers count: Int) -> Pool? {
        guard pthread_mutex_trylock(&busy) == 0 else { return nil }
        while workers < count {
            // No fork-join runs while `busy` is held, so `generation` is stable here.
            guard startWorker(index: workers + 1, seen: generation) else { break }
            pthread_mutex_lock(&mutex)
            workers += 1
            pthread_mutex_unlock(&mutex)
        }
        guard workers > 0 else {
            pthread_mutex_unlock(&busy)
            return nil
        }
        return self
    }

    func release() { pthread_mutex_unlock(&busy) }

    func run(iterations count: Int, _ body: Job) {
        pthread_mutex_lock(&mutex)
        job = body
        iterations = count
        pending = workers
        generation &+= 1
        pthread_cond_broadcast(&workAvailable)
        pthread_mutex_unlock(&mutex)
        // The caller is thread 0 of `workers + 1`.
        Pool.iterate(body, from: 0, to: count, stride: workers + 1)
        pthread_mutex_lock(&mutex)
        while pending > 0 { pthread_cond_wait(&allDone, &mutex) }
        job = nil
        pthread_mutex_unlock(&mutex)
    }

    /// Runs `body` for `start`, `start + stride`, … below `end`.
    private static func iterate(_ body: Job, from start: Int, to end: Int, stride: Int) {
        var i = start
        while i < end {
            body(i)
            i += stride
        }
    }

    private func startWorker(index: Int, seen: Int) -> Bool {
        let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index, seen: seen)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let context = Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue()
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

    /// Worker `index`'s loop: wait for a new generation, run its iterations, report done.
    private func work(index: Int, seen start: Int) {
        var seen = start
        pthread_mutex_lock(&mutex)
        while true {
            while generation == seen { pthread_cond_wait(&workAvailable, &mutex) }
            seen = generation
            let (body, count, stride) = (job, iterations, workers + 1)
            pthread_mutex_unlock(&mutex)
            if let body { Pool.iterate(body, from: index, to: count, stride: stride) }
            pthread_mutex_lock(&mutex)
            pending -= 1
            if pending == 0 { pthread_cond_signal(&allDone) }
        }
    }
}

private final class WorkerContext {
    let pool: Pool
    let index: Int
    /// The generation current when the worker was started (work before it is not its own).
    let seen: Int

    init(pool: Pool, index: Int, seen: Int) {
        self.pool = pool
        self.index = index
        self.seen = seen
    }
}
