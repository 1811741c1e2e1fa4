import LeptonKernels

/// What a prepared step runs: kernel calls over fixed pointers, with everything (shapes,
/// strides, tables, scratch) resolved beforehand, so running it allocates nothing.
typealias StepBody = () throws(KernelFailure) -> Void

/// One prepared node: its body and where to point diagnostics.
struct Step {
    var node: Int
    var location: SourceLocation
    var body: StepBody
}

/// Everything the kernel facet needs to prepare one node: concrete shapes and dtypes, buffer
/// addresses (inputs and outputs already resolved through views and in-place reuse), and
/// the plan's scratch.
struct StepContext {
    var node: Node
    var inputShapes: [[Int]]
    var inputTypes: [DType]
    var outputShapes: [[Int]]
    var outputTypes: [DType]
    var inputs: [UnsafeMutableRawPointer]
    var outputs: [UnsafeMutableRawPointer]
    let scratch: ScratchArea
    /// Threads the step's kernel may split its independent outputs over.
    let parallelism: Parallelism
    /// Owned memory a step may need beyond scratch (a fused body's intermediates).
    let keep: (Arena) -> Void
    /// Memory that never changes while the plan lives (the params): inputs inside it may be
    /// pre-packed when the step is prepared (`packedConstant`).
    var constants: ConstantMemory? = nil

    var attributes: Attributes { node.attributes }
    var op: Op { node.op }

    func input<T>(_ i: Int, _: T.Type) -> UnsafePointer<T> { UnsafePointer(inputs[i].assumingMemoryBound(to: T.self)) }
    func optionalInput<T>(_ i: Int, _: T.Type) -> UnsafePointer<T>? { i < inputs.count ? input(i, T.self) : nil }
    func output<T>(_ i: Int, _: T.Type) -> UnsafeMutablePointer<T> { outputs[i].assumingMemoryBound(to: T.self) }
    /// Whether input `i` lies entirely in constant memory (a param).
    func isConstant(input i: Int) -> Bool {
        guard let constants, i < inputs.count else { return false }
        return constants.bytes.contains(inputs[i]) && inputs[i] + bytes(input: i) <= constants.bytes.upperBound
    }

    /// The packed form of constant inputs `sources` under `layout` (naming everything else the
    /// packed bytes depend on), `byteCount` bytes: `make(memory, pack)` returns the kernel's
    /// view of it, packing into `memory` only when `pack` says so — the first plan to ask packs,
    /// later plans, sibling executors and artifact loads reuse the same bytes.
    func packedConstant<T>(inputs sources: [Int], layout: String, byteCount: Int,
                           _ make: (UnsafeMutableRawPointer, _ pack: Bool) -> T) -> T {
        guard let constants else {
            let storage = Arena(byteCount: byteCount)
            keep(storage)
            return make(storage.base, true)
        }
        return constants.packed(sources.map { UnsafeRawPointer(inputs[$0]) }, layout: layout, byteCount: byteCount, make)
    }
    func count(input i: Int) -> Int { inputShapes[i].reduce(1, *) }
    func count(output i: Int) -> Int { outputShapes[i].reduce(1, *) }
    func bytes(output i: Int) -> Int { count(output: i) * outputTypes[i].byteSize }
    func bytes(input i: Int) -> Int { count(input: i) * inputTypes[i].byteSize }

    /// `axis` of input 0 made non-negative (the verifier accepted it).
    func axis(_ name: String, rank: Int) -> Int {
        let axis = attributes.int(name)
        return axis < 0 ? axis + rank : axis
    }

    /// A step that copies input 0 to output 0 unless they already share memory (views).
    func copyStep() -> StepBody {
        let (source, target, n) = (inputs[0], outputs[0], bytes(output: 0))
        if source == target { return {} }
        return { target.copyMemory(from: source, byteCount: n) }
    }
}

/// The numeric element type of a kernel's operands, as the Swift type to specialize it for.
/// Each kernel file switches over this itself: a generic `make<T>` is only specialized (and
/// the inlinable kernels inlined) when called with a concrete type in its own file.
enum NumericType {
    case f32, f64, i32, i64

    init(_ dtype: DType) {
        switch dtype {
        case .f32: self = .f32
        case .f64: self = .f64
        case .i32: self = .i32
        case .i64: self = .i64
        case .bool: preconditionFailure("numeric kernel given bool")
        }
    }
}
