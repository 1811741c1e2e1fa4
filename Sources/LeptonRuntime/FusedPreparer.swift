import LeptonKernels

/// Prepares a `fused` node from its body, choosing the cheapest strategy that applies:
///
/// - elementwise body: one tile program over the output (each tile streams through every
///   instruction while it is in cache);
/// - anchor + epilogue (one matmul/conv/… followed by elementwise ops): the anchor kernel
///   writes the output buffer and the epilogue runs in place over it (bias, activation,
///   residual) — inside the GEMM's write-back on each finished block for f32
///   matmul/gemm/linear/conv2d anchors, else as a second pass tile by tile;
/// - anything else: the body's nodes as ordinary steps over private buffers.
struct FusedPreparer {
    let preparer: Preparer
    let context: StepContext

    private var body: Graph { context.node.regions[0] }

    func prepare() -> StepBody? {
        guard context.node.regions.count == 1 else { return nil }
        let shapes = bodyShapes()
        let anchors = body.nodes.indices.filter { !body.nodes[$0].op.isElementwise && body.nodes[$0].op != .constant }
        if anchors.isEmpty, let (program, constants, _) = tileProgram(shapes, anchor: nil) {
            return tileStep(program, operands: context.inputs.map { UnsafeRawPointer($0) } + constants, results: context.outputs,
                            scratch: preparer.scratch, parallelism: preparer.parallelism)
        }
        if anchors.count == 1, let step = anchorEpilogue(shapes, anchor: anchors[0]) { return step }
        return subgraph(shapes)
    }

    /// Concrete shapes of the body's values: inputs from the operands, the rest from the shape rules.
    private func bodyShapes() -> [[Int]] {
        var shapes = body.values.map { concreteShapeIfBound($0.type) }
        for (id, shape) in zip(body.inputs, context.inputShapes) { shapes[id] = shape }
        for node in body.nodes {
            let types = node.inputs.map { TensorType(body.type(of: $0).dtype, fixed: shapes[$0]) }
            if let results = try? node.op.inferTypes(types, node.attributes) {
                for (id, type) in zip(node.outputs, results) { shapes[id] = type.fixedShape ?? shapes[id] }
            }
        }
        return shapes
    }

    private func concreteShapeIfBound(_ type: TensorType) -> [Int] {
        type.shape.map { dim in
            switch dim {
            case .fixed(let n): n
            case .symbol(let s): preparer.bindings[s] ?? 0
            }
        }
    }

    /// The elementwise nodes of the body as one program over the output shape; `anchor` (if
    /// any) is read from the output buffer, passed as one extra operand after the inputs, and
    /// the body's constants follow as operands (their bytes are returned, kept by the plan).
    /// Inputs only the anchor reads (a conv's weights) are not operands: the positions of the
    /// inputs that are come third.
    private func tileProgram(_ shapes: [[Int]], anchor: Int?) -> (TileProgram, [UnsafeRawPointer], [Int])? {
        guard let shape = body.outputs.first.map({ shapes[$0] }), body.outputs.allSatisfy({ shapes[$0] == shape }) else { return nil }
        var register = [Int](repeating: -1, count: body.values.count)
        var types: [ScalarType] = []
        var strides: [[Int]] = []
        func load(_ id: ValueID) -> Bool {
            guard broadcasts(shapes[id], to: shape) else { return false }
            register[id] = types.count
            types.append(body.type(of: id).dtype.scalar)
            strides.append(broadcastStrides(from: shapes[id], to: shape))
            return true
        }
        let anchorOnly = anchor.map { a in
            Set(body.inputs.filter { id in body.nodes.indices.allSatisfy { $0 == a || !body.nodes[$0].inputs.contains(id) } && !body.outputs.contains(id) })
        } ?? []
        var loaded: [Int] = []
        for (position, id) in body.inputs.enumerated() where !anchorOnly.contains(id) {
            guard load(id) else { return nil }
            loaded.append(position)
        }
        if let anchor { guard load(body.nodes[anchor].outputs[0]) else { return nil } }
        var constants: [UnsafeRawPointer] = []
        for node in body.nodes where node.op == .constant {
            guard load(node.outputs[0]) else { return nil }
            constants.append(constantBytes(node))
        }
        var instructions: [TileProgram.Instruction] = []
        for (index, node) in body.nodes.enumerated() where index != anchor && node.op != .constant {
            guard node.outputs.count == 1, broadcasts(shapes[node.outputs[0]], to: shape) else { return nil }
            let result = types.count
            types.append(body.type(of: node.outputs[0]).dtype.scalar)
            instructions.append(node.tileInstruction(inputTypes: node.inputs.map { body.type(of: $0).dtype },
                                                     outputType: body.type(of: node.outputs[0]).dtype,
                                                     args: node.inputs.map { register[$0] }, result: result))
            register[node.outputs[0]] = result
        }
        let program = TileProgram(shape: shape, registerTypes: types, inputStrides: strides, instructions: instructions,
                                  outputs: body.outputs.map { register[$0] }, tile: tileSize(shape))
        return (program, constants, loaded)
    }

    /// A constant body node's value, in memory the plan keeps.
    private func constantBytes(_ node: Node) -> UnsafeRawPointer {
        let dtype = node.attributes.dtype("dtype")
        let value = node.attributes.tensor("value")
        let tensor = value.dtype == dtype ? value : castTensor(value, to: dtype)
        let bytes = preparer.allocate(tensor.count * dtype.byteSize)
        tensor.copyBytes(to: bytes)
        return UnsafeRawPointer(bytes)
    }

    /// Anchor kernel into the output buffer, then the epilogue in place over it.
    private func anchorEpilogue(_ shapes: [[Int]], anchor index: Int) -> StepBody? {
        let anchor = body.nodes[index]
        guard body.outputs.count == 1, anchor.outputs.count == 1,
              shapes[anchor.outputs[0]] == shapes[body.outputs[0]],
              body.type(of: anchor.outputs[0]).dtype == body.type(of: body.outputs[0]).dtype,
              case let positions = anchor.inputs.compactMap({ body.inputs.firstIndex(of: $0) }),
              positions.count == anchor.inputs.count else { return nil }
        let anchorContext = preparer.context(
            anchor, inputShapes: positions.map { context.inputShapes[$0] }, inputTypes: positions.map { context.inputTypes[$0] },
            outputShapes: [shapes[anchor.outputs[0]]], outputTypes: [context.outputTypes[0]],
            inputs: positions.map { context.inputs[$0] }, outputs: [context.outputs[0]])
        if body.outputs[0] == anchor.outputs[0] { return preparer.prepare(anchorContext) }
        guard let (program, constants, loaded) = tileProgram(shapes, anchor: index) else { return nil }
        let operands = loaded.map { UnsafeRawPointer(context.inputs[$0]) } + [UnsafeRawPointer(context.outputs[0])] + constants
        // A GEMM-shaped anchor runs the epilogue in its write-back (Kernels+WriteBack.swift).
        if let step = writeBackStep(anchorContext, program, operands: operands, results: context.outputs, preparer: preparer) {
            return step
        }
        let anchorStep = preparer.prepare(anchorContext)
        let epilogue = tileStep(program, operands: operands, results: context.outputs, scratch: preparer.scratch,
                                parallelism: preparer.parallelism)
        return { () throws(KernelFailure) in
            try anchorStep()
            try epilogue()
        }
    }

    /// The body's nodes as ordinary steps over private buffers; results copied to the outputs.
    private func subgraph(_ shapes: [[Int]]) -> StepBody {
        var address = [UnsafeMutableRawPointer?](repeating: nil, count: body.values.count)
        for (id, pointer) in zip(body.inputs, context.inputs) { address[id] = pointer }
        var steps: [StepBody] = []
        for node in body.nodes {
            for id in node.outputs { address[id] = preparer.allocate(bytes(id, shapes)) }
            let nodeContext = preparer.context(
                node, inputShapes: node.inputs.map { shapes[$0] }, inputTypes: node.inputs.map { body.type(of: $0).dtype },
                outputShapes: node.outputs.map { shapes[$0] }, outputTypes: node.outputs.map { body.type(of: $0).dtype },
                inputs: node.inputs.map { pointer(address[$0]) }, outputs: node.outputs.map { pointer(address[$0]) })
            steps.append(preparer.prepare(nodeContext))
        }
        let copies = body.outputs.enumerated().map { (k, id) in (UnsafeRawPointer(pointer(address[id])), context.outputs[k], bytes(id, shapes)) }
        return { () throws(KernelFailure) in
            for step in steps { try step() }
            for (source, target, n) in copies { target.copyMemory(from: source, byteCount: n) }
        }
    }

    private func bytes(_ id: ValueID, _ shapes: [[Int]]) -> Int { shapes[id].reduce(1, *) * body.type(of: id).dtype.byteSize }

    private func pointer(_ p: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer {
        guard let p else { preconditionFailure("fused body value used before it is defined") }
        return p
    }
}

/// Whether `source` broadcasts (numpy rules) to exactly `shape`.
func broadcasts(_ source: [Int], to shape: [Int]) -> Bool {
    guard source.count <= shape.count else { return false }
    return zip(source.reversed(), shape.reversed()).allSatisfy { $0 == $1 || $0 == 1 }
}
