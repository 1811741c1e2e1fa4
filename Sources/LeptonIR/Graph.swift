/// Index of a value in `Graph.values`. Values are SSA: each is defined exactly once, by a
/// graph input, a param, or one output of one node.
public typealias ValueID = Int

/// A named, typed SSA value.
public struct ValueInfo: Hashable, Sendable {
    /// Unique within its graph; user names are kept, compiler temporaries are `%0`, `%1`, ….
    public var name: String
    public var type: TensorType
    public var location: SourceLocation

    public init(name: String, type: TensorType, location: SourceLocation) {
        self.name = name
        self.type = type
        self.location = location
    }
}

/// One application of an op.
public struct Node: Hashable, Sendable {
    public var op: Op
    public var inputs: [ValueID]
    public var outputs: [ValueID]
    /// Complete (defaults filled in) and valid for `op.schema`.
    public var attributes: Attributes
    public var location: SourceLocation
    /// Nested graphs the op runs (the body of `fused`); empty for every other op. A region's
    /// inputs stand for the node's operands and its outputs are the node's results.
    public var regions: [Graph]

    public init(op: Op, inputs: [ValueID], outputs: [ValueID], attributes: Attributes, location: SourceLocation,
                regions: [Graph] = []) {
        self.op = op
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
        self.location = location
        self.regions = regions
    }
}

/// How a parameter gets its initial value. Seeded initializers are reproducible: the
/// effective seed mixes `seed` with the parameter's full name (see spec/language.md), so each
/// instance of a called graph gets its own weights.
public enum Initializer: Hashable, Sendable {
    case zeros
    case ones
    case constant(Double)
    case uniform(low: Double, high: Double, seed: UInt64)
    case normal(mean: Double, std: Double, seed: UInt64)
    /// Glorot/Xavier uniform: U(−l, l), l = sqrt(6 / (fan_in + fan_out)).
    case glorot(seed: UInt64)
    /// He/Kaiming normal: N(0, sqrt(2 / fan_in)).
    case he(seed: UInt64)
    /// A `.npy` file, or one array (`key`) of a `.npz`; `path` is relative to the .graph file.
    case load(path: String, key: String?)
    /// A value the compiler computed (folded constants, pre-packed weights).
    case tensor(Tensor)
}

/// A trainable or loaded tensor of the graph, available to every node.
public struct Param: Hashable, Sendable {
    public var value: ValueID
    public var initializer: Initializer
    public var location: SourceLocation

    public init(value: ValueID, initializer: Initializer, location: SourceLocation) {
        self.value = value
        self.initializer = initializer
        self.location = location
    }
}

/// A dataflow graph: inputs and params flow through nodes (kept in topological order) to outputs.
///
/// A plain value: passes take a graph and return a new one; nothing can dangle.
public struct Graph: Hashable, Sendable {
    public var name: String
    public var values: [ValueInfo]
    public var inputs: [ValueID]
    public var params: [Param]
    public var nodes: [Node]
    public var outputs: [ValueID]
    public var location: SourceLocation

    public init(name: String, values: [ValueInfo] = [], inputs: [ValueID] = [], params: [Param] = [],
                nodes: [Node] = [], outputs: [ValueID] = [], location: SourceLocation) {
        self.name = name
        self.values = values
        self.inputs = inputs
        self.params = params
        self.nodes = nodes
        self.outputs = outputs
        self.location = location
    }

    /// Appends a value and returns its id.
    @discardableResult
    public mutating func addValue(_ name: String, _ type: TensorType, at location: SourceLocation) -> ValueID {
        values.append(ValueInfo(name: name, type: type, location: location))
        return values.count - 1
    }

    public func type(of value: ValueID) -> TensorType { values[value].type }
    public func name(of value: ValueID) -> String { values[value].name }

    /// The same graph with every source location erased: what "the same IR" means when a
    /// printed graph is parsed back (the locations then point into the printed text).
    public func withoutLocations() -> Graph {
        var copy = self
        copy.location = .unknown
        for i in copy.values.indices { copy.values[i].location = .unknown }
        for i in copy.nodes.indices {
            copy.nodes[i].location = .unknown
            copy.nodes[i].regions = copy.nodes[i].regions.map { $0.withoutLocations() }
        }
        for i in copy.params.indices { copy.params[i].location = .unknown }
        return copy
    }
}

/// The graphs of one `.graph` file after lowering (graph calls are inlined, so each graph
/// stands alone). Graphs that take compile-time arguments are templates and appear only
/// inlined into their callers.
public struct Module: Hashable, Sendable {
    public var graphs: [Graph]
    /// Directory that `load("…")` paths are relative to.
    public var baseDirectory: String
    /// The file's `train` blocks, at most one per model graph.
    public var training: [TrainingSpec]

    public init(graphs: [Graph], baseDirectory: String, training: [TrainingSpec] = []) {
        self.graphs = graphs
        self.baseDirectory = baseDirectory
        self.training = training
    }

    /// The `train` block for the graph called `graph`, if the file has one.
    public func training(for graph: String) -> TrainingSpec? { training.first { $0.model == graph } }

    /// The graph `lepton run` uses by default: the last one in the file.
    public var entry: Graph? { graphs.last }

    public func graph(named name: String) -> Graph? { graphs.first { $0.name == name } }
}
