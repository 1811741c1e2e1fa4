import LeptonIR
import LeptonReference

/// A graph-to-graph transformation with a name users can ask for (`--passes fold,dce`,
/// `--dump-after fold`). `run` rewrites the graph in place and says whether it changed it.
///
/// Passes are values, one per file, each file opening with what the pass does and why:
///
///     let deadCodeElimination = Pass(name: "dce", summary: "removes nodes whose results are never used") { graph, context in … }
public struct Pass: Sendable {
    public let name: String
    /// One line for `--print-passes`.
    public let summary: String
    public let run: @Sendable (inout Graph, inout PassContext) throws(DiagnosticError) -> Bool

    public init(name: String, summary: String,
                run: @escaping @Sendable (inout Graph, inout PassContext) throws(DiagnosticError) -> Bool) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}

/// What passes may know beyond the graph.
public struct PassContext {
    /// Inference: params are constants, so folding may read and rewrite them. Training sets
    /// this false (params change between runs).
    public var freezeParameters: Bool
    /// Values with more elements than this are not produced by folding (the dump notes it).
    public var foldElementLimit: Int
    /// Param values, materialized on first use.
    public var parameters: ParameterValues
    /// The pre-packing hook: how kernels want constant weights laid out (nil: leave as is).
    public var weightLayouts: WeightLayoutProvider?
    /// Human-readable notes from passes ("fold: %7 not folded: 4194304 elements > limit …").
    public var notes: [String] = []

    public init(baseDirectory: String, freezeParameters: Bool = true, foldElementLimit: Int = 1 << 20,
                weightLayouts: WeightLayoutProvider? = nil) {
        self.freezeParameters = freezeParameters
        self.foldElementLimit = foldElementLimit
        self.parameters = ParameterValues(baseDirectory: baseDirectory)
        self.weightLayouts = weightLayouts
    }
}

/// A kernel library's wish for how one constant weight operand should be stored: `transform`
/// runs once at compile time; `layout` is recorded on the node so the kernel knows what it gets.
/// Without a transform the runtime packs the weight itself, once, when it prepares the plan
/// (its packed layout pads to whole panels, which a same-sized param cannot hold): the pass
/// then leaves the graph as it is and notes which weights will be packed and how.
public struct WeightLayout: Sendable {
    public var layout: String
    public var transform: (@Sendable (Tensor) -> Tensor)?

    public init(layout: String, transform: @escaping @Sendable (Tensor) -> Tensor) {
        self.layout = layout
        self.transform = transform
    }

    /// A layout the runtime packs into at plan time (no compile-time transform).
    public init(packedAtPlanTime layout: String) {
        self.layout = layout
        self.transform = nil
    }
}

/// Asked for each constant weight operand (op, operand index, the weight's type).
public typealias WeightLayoutProvider = @Sendable (Op, Int, TensorType) -> WeightLayout?

/// Param values by param index, materialized once on demand (initializers can be costly).
public final class ParameterValues {
    public let baseDirectory: String
    private var cache: [String: Tensor] = [:]

    public init(baseDirectory: String) { self.baseDirectory = baseDirectory }

    /// The value of `param` (a param of `graph`); cached by the param's name.
    public func value(of param: Param, in graph: Graph) throws(DiagnosticError) -> Tensor {
        let name = graph.name(of: param.value)
        if case .tensor(let value) = param.initializer { return value }
        if let cached = cache[name] { return cached }
        var single = Graph(name: graph.name, location: graph.location)
        single.values = graph.values
        single.params = [param]
        let value = try materializeParameters(of: single, baseDirectory: baseDirectory)[0]
        cache[name] = value
        return value
    }
}
