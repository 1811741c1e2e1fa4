import LeptonIR
import LeptonReference

/// Collapses a chain of mul/add/sub/div/neg by compile-time constants into one mul then one
/// add: each step maps x·A + C to another x·A' + C', so the whole chain is x·A + C with A and C
/// computed once by the reference kernels (numpy broadcasting included).
///
///     %0 = mul(x, 2)                           %0 = mul(x, 8)
///     %1 = add(%0, 3)           ->             y  = add(%0, 11)
///     y  = mul(%1, 4)
///
/// Steps: x·k, k·x, x + k, k + x, x − k, k − x, −x, and x / k only when 1/k is exact (every
/// element a power of two), so the rewrite is exact up to float reassociation; k / x is not
/// affine and ends a chain. Every intermediate must be read only by the next step. The result
/// type must stay the chain's (broadcasting A and C must give the same shape). A mul by ones
/// or an add of zeros that broadcasts nothing is left out; a chain that is already one mul
/// then one add is left alone. Integer chains fold too (wrapping arithmetic is a ring).
/// Constants of up to 16 elements become `constant` nodes, larger ones `.tensor` params.
extension Pass {
    public static let foldAffine = Pass(
        name: "fold-affine",
        summary: "chains of mul/add/sub/div/neg by constants -> one mul and one add"
    ) { graph, context throws(DiagnosticError) in
        var changed = false
        var start = 0
        while let chain = try nextAffineChain(in: graph, from: min(start, graph.nodes.count), context) {
            start = rewrite(chain, in: &graph)
            changed = true
        }
        return changed
    }
}

/// A chain to rewrite: its steps (node indices, in order), its input, and x·scale + offset.
private struct AffineChain {
    var steps: [Int]
    var input: ValueID
    var scale: Tensor?
    var offset: Tensor?
}

/// The next chain ending at or after `start` that is worth rewriting.
private func nextAffineChain(in graph: Graph, from start: Int, _ context: PassContext) throws(DiagnosticError) -> AffineChain? {
    let index = GraphIndex(graph)
    for end in start..<graph.nodes.count where isStep(graph.nodes[end]) {
        let output = graph.nodes[end].outputs[0]
        if index.hasSingleUser(output), let next = index.users[output].first,
           let (operand, _) = try stepOperands(graph.nodes[next], graph, index, context), operand == output { continue }
        var steps: [Int] = []
        var current = end
        var input = output
        while true {
            guard let (operand, _) = try stepOperands(graph.nodes[current], graph, index, context) else { break }
            steps.insert(current, at: 0)
            input = operand
            guard index.hasSingleUser(operand), let producer = index.producer[operand], isStep(graph.nodes[producer]) else { break }
            current = producer
        }
        let ops = steps.map { graph.nodes[$0].op }
        guard steps.count >= 2, ops != [.mul, .add] else { continue }
        guard var chain = try combine(steps, input: input, graph, index, context) else { continue }
        chain.scale = chain.scale.flatMap { isFilled($0, with: 1) ? nil : $0 }
        chain.offset = chain.offset.flatMap { isFilled($0, with: 0) ? nil : $0 }
        if fits(chain, graph, end: end) { return chain }
    }
    return nil
}

private func isStep(_ node: Node) -> Bool {
    [.mul, .add, .sub, .div, .neg].contains(node.op)
}

/// The step's variable operand and its known operand (nil for neg); nil when the node is not
/// an affine step (both operands known or both variable, a non-exact or reversed division).
private func stepOperands(_ node: Node, _ graph: Graph, _ index: GraphIndex,
                          _ context: PassContext) throws(DiagnosticError) -> (ValueID, Tensor?)? {
    guard node.op != .neg else { return (node.inputs[0], nil) }
    guard isStep(node) else { return nil }
    let known = node.inputs.map { context.isKnown($0, in: graph, index: index) }
    guard known[0] != known[1] else { return nil }
    let k = known[0] ? 0 : 1
    guard node.op != .div || k == 1, let value = try context.knownValue(of: node.inputs[k], in: graph, index: index),
          node.op != .div || hasExactReciprocal(value)
    else { return nil }
    return (node.inputs[1 - k], value)
}

/// A float tensor whose every element is ± a power of two (within the normal range), so
/// x / k == x · (1 / k) exactly.
private func hasExactReciprocal(_ t: Tensor) -> Bool {
    guard t.dtype.isFloatingPoint else { return false }
    return t.doubles.allSatisfy { $0 != 0 && $0.isFinite && $0.significand == 1 && abs($0.exponent) < 126 }
}

private func isFilled(_ t: Tensor, with value: Double) -> Bool {
    t.doubles.allSatisfy { $0 == value }
}

/// Folds the steps into x·scale + offset (nil scale: 1, nil offset: 0).
private func combine(_ steps: [Int], input: ValueID, _ graph: Graph, _ index: GraphIndex,
                     _ context: PassContext) throws(DiagnosticError) -> AffineChain? {
    var chain = AffineChain(steps: steps, input: input)
    let dtype = graph.type(of: input).dtype
    let minusOne = Tensor.filled(dtype, shape: [], with: -1)
    func apply(_ op: Op, _ a: Tensor?, _ b: Tensor) throws(KernelError) -> Tensor {
        guard let a else { return b }
        return try op.evaluate([a, b], op.schema.defaults)[0]
    }
    var operands: [(Node, Tensor?, Bool)] = []
    for step in steps {
        let node = graph.nodes[step]
        guard let (_, known) = try stepOperands(node, graph, index, context) else { return nil }
        operands.append((node, known, node.op != .neg && context.isKnown(node.inputs[0], in: graph, index: index)))
    }
    do throws(KernelError) {
        for (node, known, knownFirst) in operands {
            switch (node.op, known) {
            case (.neg, _):
                chain.scale = try apply(.mul, chain.scale, minusOne)
                chain.offset = try chain.offset.map { o throws(KernelError) in try apply(.mul, o, minusOne) }
            case (.mul, let k?):
                chain.scale = try apply(.mul, chain.scale, k)
                chain.offset = try chain.offset.map { o throws(KernelError) in try apply(.mul, o, k) }
            case (.div, let k?):
                let r = try Op.div.evaluate([Tensor.filled(dtype, shape: [], with: 1), k], Op.div.schema.defaults)[0]
                chain.scale = try apply(.mul, chain.scale, r)
                chain.offset = try chain.offset.map { o throws(KernelError) in try apply(.mul, o, r) }
            case (.add, let k?):
                chain.offset = try apply(.add, chain.offset, k)
            case (.sub, let k?) where knownFirst:
                chain.scale = try apply(.mul, chain.scale, minusOne)
                chain.offset = try apply(.sub, k, chain.offset ?? Tensor.zeros(dtype, shape: []))
            case (.sub, let k?):
                chain.offset = try apply(.add, chain.offset, try apply(.mul, k, minusOne))
            default:
                return nil
            }
        }
    } catch {
        return nil
    }
    return chain
}

/// The type of x·scale (nil when there is no mul) and of x·scale + offset.
private func types(_ chain: AffineChain, _ graph: Graph) -> (product: TensorType?, result: TensorType?) {
    var type: TensorType? = graph.type(of: chain.input)
    var product: TensorType?
    if let scale = chain.scale, let x = type {
        product = try? Op.mul.inferTypes([x, TensorType(scale.dtype, fixed: scale.shape)], Op.mul.schema.defaults).first
        type = product
    }
    if let offset = chain.offset, let x = type {
        type = try? Op.add.inferTypes([x, TensorType(offset.dtype, fixed: offset.shape)], Op.add.schema.defaults).first
    }
    return (product, type)
}

/// Whether x·scale + offset has the chain's result type (broadcasting the folded constants
/// may not widen it).
private func fits(_ chain: AffineChain, _ graph: Graph, end: Int) -> Bool {
    types(chain, graph).result == graph.type(of: graph.nodes[end].outputs[0])
}

/// Replaces the chain by its mul and add (or an identity when both fold away); returns the
/// index of the rewritten result's node.
private func rewrite(_ chain: AffineChain, in graph: inout Graph) -> Int {
    let former = chain.steps.flatMap { graph.nodes[$0].inputs }
    var end = chain.steps[chain.steps.count - 1]
    let last = graph.nodes[end]
    let location = last.location
    let productType = types(chain, graph).product
    var operand = chain.input
    var pending: [(Op, Tensor)] = []
    if let scale = chain.scale { pending.append((.mul, scale)) }
    if let offset = chain.offset { pending.append((.add, offset)) }
    var nodes: [Node] = []
    for (i, (op, constant)) in pending.enumerated() {
        let count = graph.nodes.count
        let k = graph.addKnownValue(named: graph.name(of: last.outputs[0]) + (op == .mul ? "_scale" : "_offset"),
                                    constant, before: end, at: location)
        end += graph.nodes.count - count
        let isLast = i == pending.count - 1
        let output = isLast ? last.outputs[0] : graph.addValue("%affine", productType ?? graph.type(of: operand), at: location)
        nodes.append(Node(op: op, inputs: [operand, k], outputs: [output], attributes: op.schema.defaults, location: location))
        operand = output
    }
    if nodes.isEmpty {
        nodes = [Node(op: .identity, inputs: [chain.input], outputs: last.outputs, attributes: Op.identity.schema.defaults, location: location)]
    }
    graph.nodes[end] = nodes[nodes.count - 1]
    graph.nodes.insert(contentsOf: nodes.dropLast(), at: end)
    let resultIndex = end + nodes.count - 1
    graph.removeNodes(Set(chain.steps.dropLast()), formerInputs: former)
    return resultIndex - (chain.steps.count - 1)
}
