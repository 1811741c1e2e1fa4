#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The timing probe of `WorkerPool`: while a profiler has it on, every share of a fork-join
/// started by the profiler's thread is recorded — its label, share index, the pool thread
/// that ran it, start and end — into a buffer the profiler provides. Off (the default), a
/// fork-join pays one relaxed load and one branch; nothing is allocated either way.
///
/// Knows nothing about graphs: `label` is whatever number the profiler sets before starting
/// work (the runtime sets the node it is about to run), copied into each record.
public enum ShareProbe {
    /// One share of one fork-join, as run. Times are `now()` nanoseconds.
    public struct Record: Hashable, Sendable {
        public var label: Int
        public var share: Int
        /// 0: the thread that started the fork-join; w: pool worker w.
        public var thread: Int
        public var start: UInt64
        public var end: UInt64

        public init(label: Int, share: Int, thread: Int, start: UInt64, end: UInt64) {
            (self.label, self.share, self.thread, self.start, self.end) = (label, share, thread, start, end)
        }
    }

    /// The profiling thread's id (0: off). Only fork-joins its thread starts are recorded, so
    /// other executors running meanwhile (other tests, other app threads) do not leak in.
    private static let owner = Atomic<UInt>(0)
    /// The next free slot; may run past `capacity` (those records are dropped and counted).
    private static let next = Atomic<Int>(0)
    nonisolated(unsafe) private static var buffer: UnsafeMutablePointer<Record>?
    nonisolated(unsafe) private static var capacity = 0
    /// Copied into the records of the fork-joins the owner starts from now on.
    nonisolated(unsafe) public static var label = 0

    /// Turns recording on for fork-joins started by the calling thread, into `buffer`
    /// (`capacity` records; the caller keeps it alive until `stop`). Returns false when
    /// another thread is already recording.
    public static func start(into buffer: UnsafeMutablePointer<Record>, capacity: Int) -> Bool {
        guard owner.compareExchange(expected: 0, desired: currentThreadID(), ordering: .acquiringAndReleasing).exchanged else {
            return false
        }
        // Only this thread's fork-joins record, and none runs yet: workers see these through
        // the pool's generation bump.
        (self.buffer, self.capacity) = (buffer, capacity)
        next.store(0, ordering: .releasing)
        return true
    }

    /// Records written since `start` or the last `reset` (the owner calls it between
    /// fork-joins, when no share is running), and how many did not fit.
    public static var recorded: (count: Int, dropped: Int) {
        let n = next.load(ordering: .acquiring)
        return (Swift.min(n, capacity), Swift.max(0, n - capacity))
    }

    /// Empties the buffer (between fork-joins).
    public static func reset() { next.store(0, ordering: .releasing) }

    /// Turns recording off (the owner calls it between fork-joins).
    public static func stop() {
        guard isRecordingHere else { return }
        (buffer, capacity) = (nil, 0)
        owner.store(0, ordering: .releasing)
    }

    /// Whether fork-joins started by the calling thread are recorded: the check `WorkerPool`
    /// makes per fork-join (the common answer, off, costs one load).
    @inline(__always) static var isRecordingHere: Bool {
        let id = owner.load(ordering: .relaxed)
        return id != 0 && id == currentThreadID()
    }

    static func record(label: Int, share: Int, thread: Int, start: UInt64, end: UInt64) {
        let slot = next.add(1, ordering: .relaxed).oldValue
        guard let buffer, slot < capacity else { return }
        buffer[slot] = Record(label: label, share: share, thread: thread, start: start, end: end)
    }

    /// Nanoseconds of the monotonic clock (the one clock profiles use, so runtime and pool
    /// timestamps compare).
    @inline(__always) public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    private static func currentThreadID() -> UInt {
        #if canImport(Darwin)
        UInt(bitPattern: pthread_self())
        #else
        UInt(pthread_self())
        #endif
    }
}
