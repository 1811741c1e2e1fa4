/// Where every intermediate value of a graph lives when it runs under one set of symbol
/// bindings: an execution order grouped into stages, each node output's lifetime in steps of
/// that order, and its storage — an offset in one arena, a view of another value's bytes, or
/// the bytes of an input it overwrites in place. Graph inputs and params are not in the arena.
///
/// Stages are how the steps run: one after another, or (a concurrent stage) as lanes that run
/// at the same time. Bytes are reused under the stages' lifetimes: a block is live from the
/// start of its producer's stage to the end of its last reader's stage, so steps of one stage
/// never share bytes, whichever lane runs first.
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

    /// Consecutive steps of `order` that run as one unit. One lane: its steps run one after
    /// another, each kernel free to split over every thread. Several lanes: they run
    /// concurrently (one fork-join), each on one thread, its steps in order.
    public struct Stage: Hashable, Sendable {
        /// Each lane's steps (indices into `order`); lanes are back to back and not empty.
        public var lanes: [Range<Int>]

        public init(lanes: [Range<Int>]) { self.lanes = lanes }

        /// A one-lane stage of `steps`.
        public init(steps: Range<Int>) { lanes = [steps] }

        public var steps: Range<Int> { (lanes.first?.lowerBound ?? 0)..<(lanes.last?.upperBound ?? 0) }
        public var isConcurrent: Bool { lanes.count > 1 }
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
    /// Node indices in execution order (memory-aware topological, stage by stage, lane by lane).
    public var order: [Int]
    /// The steps of `order` grouped into stages (one per step when the plan is serial).
    public var stages: [Stage]
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

    /// `stages` nil: one stage per step (serial).
    public init(graph: Graph, order: [Int], stages: [Stage]? = nil, shapes: [ValueID: [Int]], bindings: [String: Int],
                buffers: [Buffer], arenaBytes: Int, naiveBytes: Int, lowerBoundBytes: Int) {
        self.graph = graph
        self.order = order
        self.stages = stages ?? order.indices.map { Stage(steps: $0..<($0 + 1)) }
        self.shapes = shapes
        self.bindings = bindings
        self.buffers = buffers
        self.arenaBytes = arenaBytes
        self.naiveBytes = naiveBytes
        self.lowerBoundBytes = lowerBoundBytes
    }

    /// Whether any stage runs lanes concurrently.
    public var isConcurrent: Bool { stages.contains { $0.isConcurrent } }

    /// The stage of each step (index into `stages`); steps outside every stage map to -1.
    public var stageOfStep: [Int] {
        var result = [Int](repeating: -1, count: order.count)
        for (index, stage) in stages.enumerated() {
            for step in stage.steps where result.indices.contains(step) { result[step] = index }
        }
        return result
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
