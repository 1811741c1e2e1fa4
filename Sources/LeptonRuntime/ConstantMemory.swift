import Foundation

/// The params' bytes — read-only once an executor exists — and the packed forms kernels make
/// of them.
///
/// A kernel packs a constant weight (GEMM panels, conv filters, recurrent gates) once, when a
/// plan is prepared. The packed copies live here rather than in the plan, so every plan and
/// every executor over these params (a `CompiledGraph`'s pool) shares one copy, and an
/// artifact can carry them: `lepton compile` stores what planning packed, and loading hands
/// those bytes back, so no kernel packs again. An entry is named by where its weights sit
/// (param index and byte offset, which do not depend on where the params were loaded) and a
/// layout string holding everything else its bytes depend on; a request whose layout or size
/// differs from every entry packs afresh.
final class ConstantMemory: @unchecked Sendable {
    /// One packed form: what it was packed from, how, and its bytes.
    struct PackedKey: Hashable, Comparable {
        /// (param index, byte offset in the param) of each input the packing read.
        var sources: [ParamPosition]
        var layout: String

        static func < (a: Self, b: Self) -> Bool {
            a.sources.lexicographicallyPrecedes(b.sources) || (a.sources == b.sources && a.layout < b.layout)
        }
    }

    struct ParamPosition: Hashable, Comparable {
        var param: Int
        var offset: Int
        static func < (a: Self, b: Self) -> Bool { (a.param, a.offset) < (b.param, b.offset) }
    }

    private struct Entry {
        var pointer: UnsafeMutableRawPointer
        var byteCount: Int
        /// Packed here (false: handed over by an artifact).
        var packedHere: Bool
    }

    /// The params' bytes, in one range (inputs inside it are constant).
    let bytes: Range<UnsafeMutableRawPointer>
    /// Each param's address, in `graph.params` order.
    let addresses: [UnsafeMutableRawPointer]
    private let sizes: [Int]
    /// What keeps `bytes` and the packed entries alive (arenas, an artifact's buffer).
    private var owners: [AnyObject]
    private let lock = NSLock()
    private var entries: [PackedKey: Entry] = [:]

    /// Params at `addresses` (`sizes` bytes each) inside `bytes`, kept alive by `owner`.
    init(bytes: Range<UnsafeMutableRawPointer>, addresses: [UnsafeMutableRawPointer], sizes: [Int], owner: AnyObject) {
        self.bytes = bytes
        self.addresses = addresses
        self.sizes = sizes
        owners = [owner]
    }

    /// Copies of `tensors`, each 64-byte aligned in one block.
    convenience init(copying tensors: [Tensor]) {
        var offsets: [Int] = []
        var size = 0
        for tensor in tensors {
            offsets.append(size)
            size += aligned64(tensor.count * tensor.dtype.byteSize)
        }
        let arena = Arena(byteCount: size)
        for (tensor, offset) in zip(tensors, offsets) { tensor.copyBytes(to: arena.base + offset) }
        self.init(bytes: arena.base..<(arena.base + size), addresses: offsets.map { arena.base + $0 },
                  sizes: tensors.map { $0.count * $0.dtype.byteSize }, owner: arena)
    }

    /// Where `pointer` lies: in which param, how far in.
    func position(of pointer: UnsafeRawPointer) -> ParamPosition? {
        for (index, (start, size)) in zip(addresses, sizes).enumerated()
        where pointer >= UnsafeRawPointer(start) && pointer < UnsafeRawPointer(start) + Swift.max(size, 1) {
            return ParamPosition(param: index, offset: pointer - UnsafeRawPointer(start))
        }
        return nil
    }

    /// The packed form of `sources` under `layout` (`byteCount` bytes): `make(memory, pack)`
    /// builds the kernel's view of it, packing into `memory` when `pack` is true — the first
    /// time — and only adopting it when an earlier plan or an artifact already did. Runs under
    /// a lock, so executors preparing at once never see half-packed memory.
    func packed<T>(_ sources: [UnsafeRawPointer], layout: String, byteCount: Int,
                   _ make: (UnsafeMutableRawPointer, _ pack: Bool) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        let positions = sources.compactMap(position(of:))
        guard positions.count == sources.count else {
            // Not inside a param (cannot happen for an input that `isConstant`): pack privately.
            let arena = Arena(byteCount: byteCount)
            owners.append(arena)
            return make(arena.base, true)
        }
        let key = PackedKey(sources: positions, layout: layout)
        if let entry = entries[key], entry.byteCount == byteCount { return make(entry.pointer, false) }
        let arena = Arena(byteCount: byteCount)
        owners.append(arena)
        entries[key] = Entry(pointer: arena.base, byteCount: byteCount, packedHere: true)
        return make(arena.base, true)
    }

    /// Packed bytes made elsewhere (an artifact's), kept alive by `owner`; they replace any entry
    /// with the same key.
    func adopt(_ key: PackedKey, pointer: UnsafeMutableRawPointer, byteCount: Int, owner: AnyObject) {
        lock.lock()
        defer { lock.unlock() }
        owners.append(owner)
        entries[key] = Entry(pointer: pointer, byteCount: byteCount, packedHere: false)
    }

    /// Every packed form, sorted by key (so an artifact's bytes are deterministic).
    var packedForms: [(key: PackedKey, bytes: UnsafeRawBufferPointer)] {
        lock.lock()
        defer { lock.unlock() }
        return entries.sorted { $0.key < $1.key }.map { ($0.key, UnsafeRawBufferPointer(start: $0.value.pointer, count: $0.value.byteCount)) }
    }

    /// How many packed forms were packed here rather than adopted.
    var packedHere: Int {
        lock.lock()
        defer { lock.unlock() }
        return entries.values.filter(\.packedHere).count
    }
}
