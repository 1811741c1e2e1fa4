import LeptonIR
import LeptonReference

/// Evaluates at compile time every node whose operands are all known: results of `constant`
/// nodes, compiler-made `tensor(…)` params, and — when `context.freezeParameters` (inference) —
/// every param. Evaluation uses the reference kernels (`Op.evaluate`), so the folder and the
/// oracle cannot disagree. Results of up to 16 elements become `constant` nodes; larger ones
/// become params with a `tensor(…)` initializer, named like the value (`folded.K` for a
/// temporary). Results over `context.foldElementLimit` elements are left alone, and so are
/// nodes whose kernel fails (an integer division by zero stays a run-time error); a note says
/// so either way.
///
///     %0: f32[] = constant(value: 2.0, dtype: f32)
///     %1: f32[] = constant(value: 3.0, dtype: f32)
///     %2: f32[] = mul(%0, %1)
///     y: f32[4] = add(x, %2)
///   ->
///     %0: f32[] = constant(value: 2.0, dtype: f32)
///     %1: f32[] = constant(value: 3.0, dtype: f32)
///     %2: f32[] = constant(value: 6.0, dtype: f32)
///     y: f32[4] = add(x, %2)
///
/// The operands left unread are `dce`'s to remove. A graph output stays produced by a node:
/// a large folded output becomes `identity(folded.K)`.
public let constantFolding = Pass(name: "fold", summary: "evaluates nodes whose operands are all constants (reference kernels)") {
    (graph: inout Graph, context: inout PassContext) throws(DiagnosticError) -> Bool in
    var folder = Folder(graph: graph)
    // By index into the folder's graph: folding into a param redirects later nodes' operands.
    for index in graph.nodes.indices { try folder.visit(folder.graph.nodes[index], context: &context) }
    guard folder.changed else { return false }
    graph = folder.result()
    return true
}

/// The largest folded result written as a `constant` node rather than a param.
let largestConstantNode = 16

private struct Folder {
    var graph: Graph
    /// Values whose tensors are known at compile time (constant nodes, folded results).
    var known: [ValueID: Tensor] = [:]
    var paramOf: [ValueID: Param] = [:]
    var nodes: [Node] = []
    var changed = false

    init(graph: Graph) {
        self.graph = graph
        for param in graph.params { paramOf[param.value] = param }
    }

    func result() -> Graph {
        var result = graph
        result.nodes = nodes
        return result.canonicalized()
    }

    func isKnown(_ id: ValueID, freeze: Bool) -> Bool {
        if known[id] != nil { return true }
        guard let param = paramOf[id] else { return false }
        if case .tensor = param.initializer { return true }
        return freeze
    }

    mutating func visit(_ node: Node, context: inout PassContext) throws(DiagnosticError) {
        if node.op == .constant, let id = node.outputs.first {
            known[id] = node.attributes.tensor("value")
        }
        guard node.op != .constant, node.op != .fused, !node.inputs.isEmpty,
              node.inputs.allSatisfy({ isKnown($0, freeze: context.freezeParameters) }) else {
            nodes.append(node)
            return
        }
        let label = node.outputs.map { graph.name(of: $0) }.joined(separator: ", ")
        let sizes = node.outputs.map { graph.type(of: $0).fixedShape?.reduce(1, *) }
        let total = sizes.reduce(0) { $0 + ($1 ?? Int.max / 2) }
        guard total <= context.foldElementLimit else {
            context.notes.append("fold: \(label) (\(node.op)) not folded: \(total) elements > limit \(context.foldElementLimit)")
            nodes.append(node)
            return
        }
        var operands: [Tensor] = []
        for id in node.inputs {
            if let tensor = known[id] {
                operands.append(tensor)
            } else if let param = paramOf[id] {
                operands.append(try context.parameters.value(of: param, in: graph))
            }
        }
        let results: [Tensor]
        do throws(KernelError) {
            results = try node.op.evaluate(operands, node.attributes)
        } catch {
            context.notes.append("fold: \(label) (\(node.op)) not folded: \(error.message)")
            nodes.append(node)
            return
        }
        for (id, tensor) in zip(node.outputs, results) { replace(id, by: tensor, at: node.location) }
        changed = true
    }

    /// Makes `id` a constant node or, when large, a param (behind an identity for an output).
    mutating func replace(_ id: ValueID, by tensor: Tensor, at location: SourceLocation) {
        known[id] = tensor
        guard tensor.count > largestConstantNode else {
            let attributes = Attributes(["value": .tensor(tensor), "dtype": .dtype(tensor.dtype)])
            nodes.append(Node(op: .constant, inputs: [], outputs: [id], attributes: attributes, location: location))
            return
        }
        var paramValue = id
        if graph.outputs.contains(id) || Graph.isTemporary(graph.name(of: id)) {
            paramValue = graph.addValue(freshName(), graph.type(of: id), at: graph.values[id].location)
            known[paramValue] = tensor
        }
        let param = Param(value: paramValue, initializer: .tensor(tensor), location: location)
        graph.params.append(param)
        paramOf[paramValue] = param
        if paramValue != id {
            if graph.outputs.contains(id) {
                nodes.append(Node(op: .identity, inputs: [paramValue], outputs: [id], attributes: Attributes(), location: location))
            } else {
                graph.replaceUses(of: id, with: paramValue)  // only later nodes read `id`
            }
        }
    }

    /// `folded.K` with the smallest K not yet used by a value.
    func freshName() -> String {
        let names = Set(graph.values.map(\.name))
        var k = 0
        while names.contains("folded.\(k)") { k += 1 }
        return "folded.\(k)"
    }
}
