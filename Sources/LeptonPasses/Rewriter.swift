import LeptonIR

/// A local rewrite as a value: a name for logs and tests, and a match function that looks at
/// one node (and upward, at its operands' producers) and proposes a `Rewrite`, or nil.
/// Rules only propose; the `Rewriter` checks and applies, so a rule cannot break the graph.
public struct RewriteRule: Sendable {
    public let name: String
    public let match: @Sendable (RewriteSite) -> Rewrite?

    public init(_ name: String, match: @escaping @Sendable (RewriteSite) -> Rewrite?) {
        self.name = name
        self.match = match
    }
}

/// What a rule sees: the graph and the index of the node being matched, plus a producer table
/// so looking upward is O(1) (a rule is `(Graph, NodeIndex) -> Rewrite?` in spirit).
public struct RewriteSite {
    public let graph: Graph
    public let index: Int
    let producers: [Int?]

    public var node: Node { graph.nodes[index] }
    /// The type of the node's (first) result.
    public var resultType: TensorType { graph.type(of: node.outputs[0]) }
    public func type(_ value: ValueID) -> TensorType { graph.type(of: value) }

    /// The node producing `value` (nil for inputs and params).
    public func producer(of value: ValueID) -> Node? {
        producers[value].map { graph.nodes[$0] }
    }

    /// The tensor of `value` when a `constant` node produces it.
    public func constant(_ value: ValueID) -> Tensor? {
        guard let node = producer(of: value), node.op == .constant else { return nil }
        return node.attributes.tensor("value")
    }
}

/// What replaces the matched node's one result: an existing value, or new nodes (each with
/// one result) whose `result` is then used. New nodes get the matched node's location.
public struct Rewrite {
    public enum Operand: Hashable, Sendable {
        /// A value of the graph, defined before the matched node.
        case value(ValueID)
        /// The result of `nodes[k]`.
        case new(Int)
    }

    public struct NewNode {
        public var op: Op
        public var inputs: [Operand]
        /// Only those that differ from the schema's defaults.
        public var attributes: [String: Attribute]

        public init(_ op: Op, _ inputs: [Operand], _ attributes: [String: Attribute] = [:]) {
            self.op = op
            self.inputs = inputs
            self.attributes = attributes
        }

        public static func constant(_ tensor: Tensor) -> NewNode {
            NewNode(.constant, [], ["value": .tensor(tensor), "dtype": .dtype(tensor.dtype)])
        }
    }

    public var nodes: [NewNode]
    public var result: Operand

    public init(nodes: [NewNode], result: Operand) {
        self.nodes = nodes
        self.result = result
    }

    /// The matched node's result is just `value`.
    public static func replace(with value: ValueID) -> Rewrite { Rewrite(nodes: [], result: .value(value)) }

    /// The matched node becomes one new node.
    public static func node(_ op: Op, _ inputs: [ValueID], _ attributes: [String: Attribute] = [:]) -> Rewrite {
        Rewrite(nodes: [NewNode(op, inputs.map(Operand.value), attributes)], result: .new(0))
    }
}

/// Runs rules to a fixpoint: one forward sweep over the nodes, retrying a node after each
/// rewrite of it, repeated until a sweep changes nothing (rules look only upward, so one sweep
/// nearly always suffices). A rewrite is applied only when every new node type-checks and the
/// replacement has exactly the matched result's type (dtype and shape: broadcasting must not
/// grow it).
public struct Rewriter {
    public var rules: [RewriteRule]

    public init(rules: [RewriteRule]) { self.rules = rules }

    /// Rewrites `graph`; returns the names of the rules applied, in order.
    @discardableResult
    public func run(_ graph: inout Graph, notes: inout [String]) -> [String] {
        var applied: [String] = []
        var budget = 64 * (graph.nodes.count + 16)
        var sweepChanged = true
        while sweepChanged, budget > 0 {
            sweepChanged = false
            var producers = graph.producers()
            var index = 0
            while index < graph.nodes.count, budget > 0 {
                let site = RewriteSite(graph: graph, index: index, producers: producers)
                guard graph.nodes[index].outputs.count == 1,
                      let (rule, rewrite) = firstMatch(site), apply(rewrite, at: index, to: &graph) else {
                    index += 1
                    continue
                }
                applied.append(rule)
                sweepChanged = true
                budget -= 1
                producers = graph.producers()
            }
        }
        if budget <= 0 { notes.append("simplify: stopped after \(applied.count) rewrites (rewrite budget exhausted)") }
        return applied
    }

    private func firstMatch(_ site: RewriteSite) -> (String, Rewrite)? {
        for rule in rules {
            if let rewrite = rule.match(site) { return (rule.name, rewrite) }
        }
        return nil
    }
}
