#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Process memory figures for `lepton bench` and the tests.

/// Bytes of heap in use right now, from glibc's `mallinfo2()` (`uordblks` plus the mmapped
/// `hblkhd`); nil where it is unavailable. Used by `lepton bench` and the tests to show that
/// steady-state runs leave the heap as they found it.
///
/// `<malloc.h>` is not in Swift's Glibc module, so the function is found with dlsym; its
/// 80-byte struct result comes back through a hidden pointer (x86-64 SysV `sret`), which is
/// how it is called here. Other architectures report nil rather than guess the convention.
public func heapBytesInUse() -> Int? {
    #if arch(x86_64) && canImport(Glibc)
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallinfo2") else { return nil }
    typealias MallInfo2 = @convention(c) (UnsafeMutableRawPointer) -> UnsafeMutableRawPointer?
    let mallinfo2 = unsafeBitCast(symbol, to: MallInfo2.self)
    // struct mallinfo2 { size_t arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost; }
    var fields = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &fields) { bytes in
        if let base = bytes.baseAddress { _ = mallinfo2(base) }
    }
    return fields.7 + fields.4
    #else
    return nil
    #endif
}

/// The most memory the process has had resident at once (`getrusage`'s `ru_maxrss`: KiB on
/// Linux, bytes on Darwin), in bytes; nil where unavailable. `lepton bench` reports it.
public func peakResidentBytes() -> Int? {
    var usage = rusage()
    #if canImport(Darwin)
    guard getrusage(RUSAGE_SELF, &usage) == 0 else { return nil }
    return Int(usage.ru_maxrss)
    #else
    guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
    return Int(usage.ru_maxrss) * 1024
    #endif
}
