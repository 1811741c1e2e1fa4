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

/// Scratch shared by the steps of a plan that never run at the same time (the one-lane stages,
/// or one lane of every concurrent stage; `Preparer` gives each lane its own area): each step
/// reserves what it needs per thread while it is prepared; the block — one slot per thread, so
/// the chunks of a parallel kernel never share scratch — is allocated once, after the last step.
final class ScratchArea: @unchecked Sendable {
    private(set) var bytes = 0
    let slots: Int
    private var arena = Arena(byteCount: 0)

    init(slots: Int = 1) { self.slots = Swift.max(1, slots) }

    /// Makes room for `bytes` per slot; call while preparing.
    func reserve(_ bytes: Int) { self.bytes = Swift.max(self.bytes, bytes) }

    /// Makes room for `bytes` from `pointer` on, for a kernel that uses one buffer whatever
    /// its threads (they split the work, not the scratch): the slots are contiguous, so their
    /// share of it each is enough.
    func reserve(shared bytes: Int) { reserve((bytes + slots - 1) / slots) }

    /// Distance between two slots.
    var slotStride: Int { aligned64(bytes) }

    /// Allocates the block (after every step has reserved).
    func allocate() { if slotStride * slots > arena.byteCount { arena = Arena(byteCount: slotStride * slots) } }

    /// Slot 0's address (a serial kernel's scratch), valid while steps run.
    var pointer: UnsafeMutableRawPointer { arena.base }

    /// Slot `index`'s address.
    func pointer(slot index: Int) -> UnsafeMutableRawPointer { arena.base + index * slotStride }
}

/// Rounds up to a multiple of 64 (cache line and AVX-512 alignment).
func aligned64(_ n: Int) -> Int { (n + 63) & ~63 }
