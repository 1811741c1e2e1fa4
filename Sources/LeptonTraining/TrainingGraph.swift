import LeptonIR

/// The graph training differentiates: the model with its loss attached, trained params as
/// inputs, and the optional L2 penalty added to the loss.
///
/// Trained params become inputs because their values change every step: as params they would
/// be constants to the optimizer (folded, pre-packed) and baked into the executor. Params that
/// are not trained stay params and are optimized as usual.
public struct TrainingGraph {
    /// Inputs: the model's inputs, the labels, then the trained params. Outputs: the loss
    /// (with the L2 term), then the model's outputs.
    public var graph: Graph
    /// The loss value in `graph`.
    public var loss: ValueID
    /// The trained params' names, in `graph.inputs` order after the data inputs.
    public var trained: [String]

    /// Joins `spec.loss` onto `model` (the loss graph's leading inputs are the model's outputs).
    public init(model: Graph, spec: TrainingSpec) throws(DiagnosticError) {
        var graph = model
        let lossGraph = spec.loss
        let fail = { (message: String) in DiagnosticError(at: spec.location, message) }
        guard lossGraph.inputs.count == model.outputs.count + spec.labelCount, lossGraph.outputs.count == 1 else {
            throw fail("internal: the loss graph of '\(spec.model)' does not match the model's outputs")
        }
        var names = Set(graph.values.map(\.name))
        var mapped: [ValueID: ValueID] = [:]
        for (input, output) in zip(lossGraph.inputs, model.outputs) { mapped[input] = output }
        for input in lossGraph.inputs.dropFirst(model.outputs.count) {
            let name = lossGraph.name(of: input)
            guard names.insert(name).inserted else {
                throw DiagnosticError(at: lossGraph.values[input].location, "label '\(name)' has the name of a value of graph '\(model.name)'; rename it")
            }
            let id = graph.addValue(name, lossGraph.type(of: input), at: lossGraph.values[input].location)
            graph.inputs.append(id)
            mapped[input] = id
        }
        for node in lossGraph.nodes {
            var copy = node
            copy.inputs = node.inputs.map { mapped[$0] ?? $0 }
            copy.outputs = []
            for output in node.outputs {
                var info = lossGraph.values[output]
                if !Graph.isTemporary(info.name) {
                    // Loss-graph names keep their spelling unless the model uses it already.
                    var name = info.name
                    while !names.insert(name).inserted { name = "loss." + name }
                    info.name = name
                } else {
                    info.name = "%loss.\(graph.values.count)"
                }
                let id = graph.addValue(info.name, info.type, at: info.location)
                mapped[output] = id
                copy.outputs.append(id)
            }
            graph.nodes.append(copy)
        }
        guard let lossValue = mapped[lossGraph.outputs[0]] else { throw fail("internal: the loss graph computes no loss") }

        let floatParams = model.params.filter { model.type(of: $0.value).dtype.isFloatingPoint }.map { model.name(of: $0.value) }
        trained = spec.trainable ?? floatParams
        loss = lossValue
        self.graph = graph
        if spec.l2 > 0 { try addL2(spec.l2, at: spec.location) }
        self.graph.outputs = [loss] + model.outputs
        try promoteTrainedParams()
        self.graph = self.graph.canonicalized()
        // canonicalized() renumbers values: find the loss again (it is the first output).
        loss = self.graph.outputs[0]
    }

    /// The data inputs' count (model inputs and labels); the trained params follow them.
    public var dataInputCount: Int { graph.inputs.count - trained.count }

    /// loss + l2 · Σ_w Σ w² over the trained params.
    private mutating func addL2(_ l2: Double, at location: SourceLocation) throws(DiagnosticError) {
        var penalty: ValueID?
        for name in trained {
            guard let param = graph.params.first(where: { graph.name(of: $0.value) == name }) else { continue }
            let square = try append(.mul, [param.value, param.value], at: location)
            let sum = try append(.reduce_sum, [square], ["keepdims": .bool(false)], at: location)
            let cast = graph.type(of: sum).dtype == graph.type(of: loss).dtype ? sum
                : try append(.cast, [sum], ["to": .dtype(graph.type(of: loss).dtype)], at: location)
            penalty = try penalty.map { (p: ValueID) throws(DiagnosticError) in try append(.add, [p, cast], at: location) } ?? cast
        }
        guard let penalty else { return }
        let weight = try append(.constant, [], ["value": .tensor(scalarTensor(l2, graph.type(of: loss).dtype)),
                                                "dtype": .dtype(graph.type(of: loss).dtype)], at: location)
        let total = try append(.add, [loss, try append(.mul, [penalty, weight], at: location)], at: location)
        graph.values[total].name = "loss.with_l2"
        loss = total
    }

    /// Moves the trained params to the end of the inputs.
    private mutating func promoteTrainedParams() throws(DiagnosticError) {
        for name in trained {
            guard let index = graph.params.firstIndex(where: { graph.name(of: $0.value) == name }) else {
                throw DiagnosticError(at: graph.location, "internal: trained param '\(name)' is not a param of '\(graph.name)'")
            }
            graph.inputs.append(graph.params[index].value)
            graph.params.remove(at: index)
        }
    }

    private mutating func append(_ op: Op, _ inputs: [ValueID], _ attributes: [String: Attribute] = [:],
                                 at location: SourceLocation) throws(DiagnosticError) -> ValueID {
        var complete = op.schema.defaults
        for (name, value) in attributes { complete[name] = value }
        let types: [TensorType]
        do throws(ShapeError) {
            types = try op.inferTypes(inputs.map { graph.type(of: $0) }, complete)
        } catch {
            throw DiagnosticError(at: location, "internal: \(op) in the training graph: \(error.message)")
        }
        let output = graph.addValue("%train.\(graph.values.count)", types[0], at: location)
        graph.nodes.append(Node(op: op, inputs: inputs, outputs: [output], attributes: complete, location: location))
        return output
    }
}

/// A scalar tensor of a float dtype.
func scalarTensor(_ value: Double, _ dtype: DType) -> Tensor {
    dtype == .f64 ? Tensor(scalar: value) : Tensor(scalar: Float(value))
}
