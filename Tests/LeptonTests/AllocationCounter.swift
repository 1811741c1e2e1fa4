#if canImport(Glibc)
import Glibc

/// Counts heap allocations (malloc, calloc, realloc, memalign and its aligned variants) call
/// by call, from Swift, Foundation and Dispatch alike — unlike `mallinfo2`, which only sees
/// bytes still held, so it misses anything allocated and freed within one run.
///
/// It uses glibc's allocation hooks, which glibc (since 2.34) honours only with its debug
/// library preloaded: `LD_PRELOAD=libc_malloc_debug.so.0` (`preloadLibrary`). So counting is
/// done in a child process started with it (an exit test, whose environment the parent sets);
/// that also keeps other tests from allocating meanwhile. Each hook counts, then forwards to
/// glibc's implementation (`__libc_malloc` and friends). The counter is plain static data
/// and not atomic: concurrent allocations may be under-counted, never turned into zero.
enum AllocationCounter {
    /// glibc's debug malloc, which makes the hooks live.
    static let preloadLibrary = "/usr/lib/x86_64-linux-gnu/libc_malloc_debug.so.0"

    typealias MallocHook = @convention(c) (Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    typealias ReallocHook = @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    typealias MemalignHook = @convention(c) (Int, Int, UnsafeRawPointer?) -> UnsafeMutableRawPointer?
    private typealias VersionedSymbol = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>, UnsafePointer<CChar>) -> UnsafeMutableRawPointer?

    /// Installs the hooks; false when glibc's hook variables cannot be found. Whether they are
    /// honoured (the debug library preloaded) shows in whether anything gets counted.
    static func install() -> Bool {
        // The hooks are compat symbols (GLIBC_2.2.5 only), which plain dlsym does not find.
        guard let lookup = dlsym(nil, "dlvsym").map({ unsafeBitCast($0, to: VersionedSymbol.self) }),
              let malloc = lookup(nil, "__malloc_hook", "GLIBC_2.2.5"),
              let realloc = lookup(nil, "__realloc_hook", "GLIBC_2.2.5"),
              let memalign = lookup(nil, "__memalign_hook", "GLIBC_2.2.5") else { return false }
        malloc.assumingMemoryBound(to: MallocHook?.self).pointee = { size, _ in
            counted()
            return libcMalloc(size)
        }
        realloc.assumingMemoryBound(to: ReallocHook?.self).pointee = { pointer, size, _ in
            counted()
            return libcRealloc(pointer, size)
        }
        memalign.assumingMemoryBound(to: MemalignHook?.self).pointee = { alignment, size, _ in
            counted()
            return libcMemalign(alignment, size)
        }
        return true
    }

    /// In an exit test's child: installs the hooks and checks that they count (otherwise a zero
    /// count would prove nothing), exiting with 2 or 3 when not.
    static func installCheckingItCounts() {
        guard install() else { exit(2) }
        start()
        let held = [Int](repeating: 1, count: 100)
        let seen = stop()
        withExtendedLifetime(held) {}
        guard seen >= 1 else { exit(3) }
    }

    static func start() {
        allocationCount = 0
        countingAllocations = true
    }

    /// Allocations counted since `start()`.
    static func stop() -> Int {
        countingAllocations = false
        return allocationCount
    }
}

nonisolated(unsafe) private var allocationCount = 0
nonisolated(unsafe) private var countingAllocations = false

@inline(__always) private func counted() {
    if countingAllocations { allocationCount &+= 1 }
}

@_silgen_name("__libc_malloc") private func libcMalloc(_ size: Int) -> UnsafeMutableRawPointer?
@_silgen_name("__libc_realloc") private func libcRealloc(_ pointer: UnsafeMutableRawPointer?, _ size: Int) -> UnsafeMutableRawPointer?
@_silgen_name("__libc_memalign") private func libcMemalign(_ alignment: Int, _ size: Int) -> UnsafeMutableRawPointer?
#endif
