#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes at a stable, 64-byte-aligned address, owned by this object: a file mapped into
/// memory (`FileIO.map`), or a copy of an array. Decoders may hand out pointers into it — an
/// artifact's weights run from where they lie in the file — so it lives as long as they do.
public final class AlignedBytes: @unchecked Sendable {
    public let base: UnsafeMutableRawPointer
    public let count: Int
    /// The mapping's length when `base` came from mmap (unmapped, not deallocated, at the end).
    private var mappedLength: Int?

    /// `count` zero bytes.
    public init(count: Int) {
        self.count = count
        base = .allocate(byteCount: Swift.max(count, 64), alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(count, 64))
    }

    /// A copy of `bytes` (for decoders handed an array rather than a file).
    public init(copying bytes: [UInt8]) {
        count = bytes.count
        base = .allocate(byteCount: Swift.max(count, 64), alignment: 64)
        bytes.withUnsafeBytes { base.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(base), byteCount: count) }
    }

    /// Uninitialized memory for the caller to fill.
    public init(uninitializedCount count: Int) {
        self.count = count
        base = .allocate(byteCount: Swift.max(count, 64), alignment: 64)
    }

    /// A private mapping of `count` bytes at `base` (page aligned), unmapped at the end.
    init(mapping base: UnsafeMutableRawPointer, count: Int) {
        self.base = base
        self.count = count
        mappedLength = count
    }

    public var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    public subscript(range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: buffer[range]) }

    deinit {
        if let mappedLength { munmap(base, mappedLength) } else { base.deallocate() }
    }
}
