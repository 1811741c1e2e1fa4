import LeptonIR
import LeptonReference

/// Who defines and who reads each value of a graph: the lookups the folding and fusion passes
/// share. A snapshot: rebuild it after editing the graph.
struct GraphIndex {
    /// The node defining each value (nil for graph inputs and params).
    let producer: [Int?]
    /// The distinct nodes reading each value, in node order.
    let users: [[Int]]
    /// How many operand slots read each value (`mul(x, x)` reads x twice).
    let useCount: [Int]
    let isGraphOutput: [Bool]
    /// The param defining each value, when one does.
    let param: [ValueID: Param]

    init(_ graph: Graph) {
        var producer = [Int?](repeating: nil, count: graph.values.count)
        var users = [[Int]](repeating: [], count: graph.values.count)
        var useCount = [Int](repeating: 0, count: graph.values.count)
        for (index, node) in graph.nodes.enumerated() {
            for id in node.outputs { producer[id] = index }
            for id in node.inputs {
                useCount[id] += 1
                if users[id].last != index { users[id].append(index) }
            }
        }
        var isGraphOutput = [Bool](repeating: false, count: graph.values.count)
        for id in graph.outputs { isGraphOutput[id] = true }
        self.producer = producer
        self.users = users
        self.useCount = useCount
        self.isGraphOutput = isGraphOutput
        self.param = Dictionary(graph.params.map { ($0.value, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Read by exactly one node and not a graph output: folding it into its reader loses nothing.
    func hasSingleUser(_ id: ValueID) -> Bool {
        users[id].count == 1 && !isGraphOutput[id]
    }

    /// Every reader of `id` is in `nodes` and `id` is not a graph output.
    func isUsedOnly(_ id: ValueID, within nodes: Set<Int>) -> Bool {
        !isGraphOutput[id] && users[id].allSatisfy(nodes.contains)
    }

    /// The node defining `id` when it is of `op`.
    func producer(of id: ValueID, is op: Op, in graph: Graph) -> Node? {
        guard let index = producer[id], graph.nodes[index].op == op else { return nil }
        return graph.nodes[index]
    }
}

extension PassContext {
    /// The compile-time value of `id`: a `constant` node's value, or a param's value when
    /// parameters are frozen; nil otherwise.
    func knownValue(of id: ValueID, in graph: Graph, index: GraphIndex) throws(DiagnosticError) -> Tensor? {
        if let node = index.producer[id].map({ graph.nodes[$0] }) {
            return node.op == .constant ? node.attributes.tensor("value") : nil
        }
        guard freezeParameters, let param = index.param[id] else { return nil }
        return try parameters.value(of: param, in: graph)
    }

    /// Whether `id` has a compile-time value, without materializing it.
    func isKnown(_ id: ValueID, in graph: Graph, index: GraphIndex) -> Bool {
        if let node = index.producer[id].map({ graph.nodes[$0] }) { return node.op == .constant }
        return freezeParameters && index.param[id] != nil
    }
}
