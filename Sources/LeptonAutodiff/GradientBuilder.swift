import LeptonIR
import LeptonTensor

/// Why a gradient cannot be built: thrown by a rule, reported by `Autodiff` at the node.
public struct GradientError: Error, Sendable {
    public var message: String
    /// The node at fault; nil lets the sweep fill in the node being differentiated.
    public var location: SourceLocation?
    public init(_ message: String, at location: SourceLocation? = nil) {
        self.message = message
        self.location = location
    }
}

/// What gradient rules write with: appends nodes to the backward part of the graph.
///
/// Every value the rules see has a fully known shape (`Autodiff` checks this up front), so
/// rules can read shapes as `[Int]` and put them in attributes (`expand`, `reshape`). Each
/// new node gets the location of the forward node being differentiated, so a failure in the
/// backward graph points at the source line that caused it.
public struct GradientBuilder {
    public internal(set) var graph: Graph
    /// The forward node whose gradient is being built.
    var location: SourceLocation

    init(graph: Graph) {
        self.graph = graph
        self.location = graph.location
    }

    public func type(_ value: ValueID) -> TensorType { graph.type(of: value) }
    public func dtype(_ value: ValueID) -> DType { graph.type(of: value).dtype }
    /// The value's shape; every shape is fixed while differentiating.
    public func shape(_ value: ValueID) -> [Int] { graph.type(of: value).fixedShape ?? [] }
    public func rank(_ value: ValueID) -> Int { graph.type(of: value).rank }

    /// Applies `op` (attributes not given take their defaults) and returns its results.
    public mutating func apply(_ op: Op, _ inputs: [ValueID], _ attributes: [String: Attribute] = [:]) throws(GradientError) -> [ValueID] {
        var complete = op.schema.defaults
        for (name, value) in attributes { complete[name] = value }
        let types: [TensorType]
        do throws(ShapeError) {
            types = try op.inferTypes(inputs.map(type), complete)
        } catch {
            let operands = inputs.map { type($0).description }.joined(separator: ", ")
            throw GradientError("internal: backward \(op)(\(operands)) is ill-typed: \(error.message)")
        }
        let outputs = types.map { graph.addValue("%grad.\(graph.values.count)", $0, at: location) }
        graph.nodes.append(Node(op: op, inputs: inputs, outputs: outputs, attributes: complete, location: location))
        return outputs
    }

    /// `apply` for ops with one result.
    public mutating func callAsFunction(_ op: Op, _ inputs: ValueID..., attributes: [String: Attribute] = [:]) throws(GradientError) -> ValueID {
        try apply(op, inputs, attributes)[0]
    }

    /// A scalar constant of `dtype`.
    public mutating func scalar(_ value: Double, _ dtype: DType) throws(GradientError) -> ValueID {
        let tensor: Tensor = switch dtype {
        case .f64: Tensor(scalar: value)
        case .i64: Tensor(scalar: Int64(value))
        case .i32: Tensor(scalar: Int32(value))
        case .bool: Tensor(scalar: value != 0)
        default: Tensor(scalar: Float(value))
        }
        return try apply(.constant, [], ["value": .tensor(tensor), "dtype": .dtype(dtype)])[0]
    }

    /// A constant filled with `value`, shaped like `like` (a broadcast scalar, not a literal).
    public mutating func filled(_ value: Double, like other: ValueID) throws(GradientError) -> ValueID {
        let s = try scalar(value, dtype(other))
        return shape(other).isEmpty ? s : try self(.expand, s, attributes: ["shape": .ints(shape(other))])
    }

    /// Sums `gradient` down to `shape`: the adjoint of numpy broadcasting. Leading axes the
    /// operand did not have are summed away; axes where the operand had size 1 are summed
    /// and kept.
    public mutating func sumToShape(_ gradient: ValueID, _ target: [Int]) throws(GradientError) -> ValueID {
        let have = shape(gradient)
        if have == target { return gradient }
        let lead = have.count - target.count
        var axes = Array(0..<max(lead, 0))
        for (i, size) in target.enumerated() where size == 1 && have[lead + i] != 1 { axes.append(lead + i) }
        var result = gradient
        if !axes.isEmpty {
            result = try self(.reduce_sum, result, attributes: ["axes": .ints(axes), "keepdims": .bool(true)])
        }
        if shape(result) != target {
            result = try self(.reshape, result, attributes: ["shape": .ints(target)])
        }
        return result
    }

    /// `gradient` reshaped to `shape` (no node when it already has it).
    public mutating func reshape(_ value: ValueID, _ target: [Int]) throws(GradientError) -> ValueID {
        shape(value) == target ? value : try self(.reshape, value, attributes: ["shape": .ints(target)])
    }

    /// `value` broadcast to `shape` (no node when it already has it).
    public mutating func expand(_ value: ValueID, _ target: [Int]) throws(GradientError) -> ValueID {
        shape(value) == target ? value : try self(.expand, value, attributes: ["shape": .ints(target)])
    }

    /// `a + b`, skipping a missing side.
    public mutating func add(_ a: ValueID?, _ b: ValueID?) throws(GradientError) -> ValueID? {
        guard let a else { return b }
        guard let b else { return a }
        return try self(.add, a, b)
    }

    /// Differentiates an op through a decomposition of it: `forward` emits the op again out of
    /// simpler ops (on the node's own operands) and returns the values standing for its
    /// results; the node's result adjoints are then swept back through those new nodes. For ops
    /// whose gradient is easiest to state as the sum of its parts' gradients (recurrences,
    /// normalizations); the recomputed forward values the backward does not read are dead code
    /// that DCE removes.
    mutating func gradientThroughDecomposition(_ rule: GradientRule,
                                               _ forward: (inout GradientBuilder) throws(GradientError) -> [ValueID]) throws(GradientError) -> [ValueID?] {
        let start = graph.nodes.count
        let results = try forward(&self)
        var adjoints: [ValueID: ValueID] = [:]
        for (value, adjoint) in zip(results, rule.results) {
            guard let adjoint else { continue }
            guard type(value) == type(adjoint) else {
                throw GradientError("internal: the decomposition of \(rule.op) made \(type(value)) for a result of type \(type(adjoint))")
            }
            adjoints[value] = try add(adjoints[value], adjoint)
        }
        let wrt = zip(rule.node.inputs, rule.needs).filter(\.1).map(\.0)
        let depends = Autodiff.dependencies(graph, on: wrt, nodes: start..<graph.nodes.count)
        try Autodiff.sweep(graph.nodes[start...], depends: depends, adjoints: &adjoints, &self)
        // An operand passed twice (one value as initial_h and initial_c) has one adjoint, the
        // sweep's sum over both uses: hand it back once, or the caller would add it twice.
        var seen: Set<ValueID> = []
        return rule.node.inputs.enumerated().map { position, input in
            rule.needs(position) && seen.insert(input).inserted ? adjoints[input] : nil
        }
    }
}
