import LeptonKernels

/// One block of raw memory, 64-byte aligned, owned for the life of a prepared plan: the value
/// arena, the input slots, a fused body's private buffers. Identity (a class) because steps
/// hold pointers into it.
final class Arena: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        self.byteCount = byteCount
        // Never zero bytes: every value needs a valid (if empty) address.
        base = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(byteCount, 64), alignment: 64)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(byteCount, 64))
    }

    deinit { base.deallocate() }
}

/// Scratch shared by every step of a plan (steps run one at a time): each step reserves what
/// it needs while it is prepared; the block is allocated once, after the last step.
final class ScratchArea: @unchecked Sendable {
    private(set) var bytes = 0
    private var arena = Arena(byteCount: 0)

    /// Makes room for `bytes` more than nothing; call while preparing.
    func reserve(_ bytes: Int) { self.bytes = Swift.max(self.bytes, bytes) }

    /// Allocates the block (after every step has reserved).
    func allocate() { if bytes > arena.byteCount { arena = Arena(byteCount: bytes) } }

    /// The block's address, valid while steps run.
    var pointer: UnsafeMutableRawPointer { arena.base }
}

/// Rounds up to a multiple of 64 (cache line and AVX-512 alignment).
func aligned64(_ n: Int) -> Int { (n + 63) & ~63 }
