/// Where every intermediate value of a graph lives when it runs under one set of symbol
/// bindings: an execution order, each node output's lifetime in steps of that order, and its
/// storage — an offset in one arena, a view of another value's bytes, or the bytes of an input
/// it overwrites in place. Graph inputs and params are not in the arena.
///
/// Made by `planMemory(_:bindings:)`; the executor caches one per bindings. `text` is the
/// `lepton dump --memory` listing and `validate()` checks the plan independently of how it was
/// made (debug builds run it on every plan).
public struct MemoryPlan: Sendable {
    /// Every arena offset is a multiple of this (cache-line and SIMD friendly).
    public static let alignment = 64

    /// Where a value's bytes are.
    public enum Storage: Hashable, Sendable {
        /// Its own bytes at `offset` in the arena.
        case arena(offset: Int)
        /// The bytes of its operand (reshape, squeeze, unsqueeze, flatten, identity): no copy.
        case view(of: ValueID)
        /// The bytes of an operand that dies at this step, overwritten by an elementwise op.
        case inPlace(of: ValueID)
    }

    /// One node output.
    public struct Buffer: Hashable, Sendable {
        public var value: ValueID
        /// The value's own size (also for views and in-place values, which cost no arena bytes).
        public var bytes: Int
        /// The step (index into `order`) that produces the value.
        public var firstStep: Int
        /// The last step that reads it, or a view of it; the last step for graph outputs.
        public var lastStep: Int
        public var storage: Storage

        public init(value: ValueID, bytes: Int, firstStep: Int, lastStep: Int, storage: Storage) {
            self.value = value
            self.bytes = bytes
            self.firstStep = firstStep
            self.lastStep = lastStep
            self.storage = storage
        }
    }

    /// The graph the plan is for (names, types, ops; the executor runs its nodes in `order`).
    public var graph: Graph
    /// Node indices in execution order (memory-aware topological).
    public var order: [Int]
    /// Concrete shapes of every value (inputs, params, node outputs) under `bindings`.
    public var shapes: [ValueID: [Int]]
    public var bindings: [String: Int]
    /// One per node output (graph outputs included), in execution order.
    public var buffers: [Buffer]
    /// Size of the one arena every `.arena` buffer lives in.
    public var arenaBytes: Int
    /// Sum of all intermediate buffer sizes: the memory without any reuse.
    public var naiveBytes: Int
    /// The most arena bytes live at any one step: no placement can use less.
    public var lowerBoundBytes: Int

    public init(graph: Graph, order: [Int], shapes: [ValueID: [Int]], bindings: [String: Int], buffers: [Buffer],
                arenaBytes: Int, naiveBytes: Int, lowerBoundBytes: Int) {
        self.graph = graph
        self.order = order
        self.shapes = shapes
        self.bindings = bindings
        self.buffers = buffers
        self.arenaBytes = arenaBytes
        self.naiveBytes = naiveBytes
        self.lowerBoundBytes = lowerBoundBytes
    }

    /// The buffer of `value`, if a node produces it.
    public func buffer(of value: ValueID) -> Buffer? {
        buffers.first { $0.value == value }
    }

    /// The arena offset of `value`'s bytes, following views and in-place chains; nil for values
    /// outside the arena (graph inputs, params, and views of them).
    public func arenaOffset(of value: ValueID) -> Int? { arenaOffsets[value] }

    /// The arena offset of every node output whose bytes are in the arena (views and in-place
    /// values at their source's offset); views of graph inputs and params are absent.
    public var arenaOffsets: [ValueID: Int] {
        var result: [ValueID: Int] = [:]
        // Buffers are in execution order, so a view's or in-place value's source comes first.
        for buffer in buffers {
            switch buffer.storage {
            case .arena(let offset): result[buffer.value] = offset
            case .view(let source), .inPlace(let source): result[buffer.value] = result[source]
            }
        }
        return result
    }
}

/// Why a memory plan is wrong: an internal error of the planner (or of a hand-edited plan).
public struct PlanError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { "invalid memory plan: \(message)" }
}
