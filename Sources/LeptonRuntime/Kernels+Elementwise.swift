import LeptonKernels

/// Elementwise ops as tile-program instructions: a standalone elementwise node is a program
/// of one instruction, and a fused body a longer one, so both share the tile engine.

extension Node {
    /// This elementwise node as one instruction reading registers `args`, writing `result`.
    func tileInstruction(inputTypes: [DType], outputType: DType, args: [Int], result: Int) -> TileProgram.Instruction {
        let type = inputTypes[0].scalar
        func unary(_ u: TileProgram.Unary) -> TileProgram.Instruction { .unary(u, type, x: args[0], result: result) }
        func binary(_ b: TileProgram.Binary) -> TileProgram.Instruction { .binary(b, type, x: args[0], y: args[1], result: result) }
        switch op {
        case .exp: return unary(.exp)
        case .log: return unary(.log)
        case .sqrt: return unary(.sqrt)
        case .rsqrt: return unary(.rsqrt)
        case .reciprocal: return unary(.reciprocal)
        case .sigmoid: return unary(.sigmoid)
        case .tanh: return unary(.tanh)
        case .softplus: return unary(.softplus)
        case .erf: return unary(.erf)
        case .gelu: return unary(attributes.choice("approximate") == "tanh" ? .geluTanh : .geluExact)
        case .leaky_relu: return unary(.leakyRelu(alpha: attributes.float("alpha")))
        case .elu: return unary(.elu(alpha: attributes.float("alpha")))
        case .floor: return unary(.floor)
        case .ceil: return unary(.ceil)
        case .neg: return unary(.neg)
        case .abs: return unary(.abs)
        case .relu: return unary(.relu)
        case .clip: return unary(.clip(min: attributes.float("min"), max: attributes.float("max")))
        case .identity: return unary(.identity)
        case .not: return unary(.not)
        case .cast: return .cast(from: type, to: outputType.scalar, x: args[0], result: result)
        case .add: return binary(.add)
        case .sub: return binary(.sub)
        case .mul: return binary(.mul)
        case .div: return binary(.div)
        case .pow: return binary(.pow)
        case .max: return binary(.max)
        case .min: return binary(.min)
        case .eq: return binary(.eq)
        case .ne: return binary(.ne)
        case .lt: return binary(.lt)
        case .le: return binary(.le)
        case .gt: return binary(.gt)
        case .ge: return binary(.ge)
        case .and: return binary(.and)
        case .or: return binary(.or)
        case .xor: return binary(.xor)
        case .where: return .select(inputTypes[1].scalar, condition: args[0], x: args[1], y: args[2], result: result)
        default: preconditionFailure("\(op) is not elementwise")
        }
    }
}

/// A prepared tile program: the program plus its fixed operand and result pointers.
func tileStep(_ program: TileProgram, operands: [UnsafeRawPointer], results: [UnsafeMutableRawPointer],
              scratch: ScratchArea, parallelism: Parallelism) -> StepBody {
    scratch.reserve(program.scratchBytes)
    return { () throws(KernelFailure) in
        try program.run(operands: operands, results: results, scratch: scratch.pointer, scratchStride: scratch.slotStride,
                        parallelism: parallelism)
    }
}

extension StepContext {
    /// A standalone elementwise node: one instruction over the broadcast output shape.
    func elementwiseStep() -> StepBody {
        if op == .identity { return copyStep() }
        let shape = outputShapes[0]
        let instruction = node.tileInstruction(inputTypes: inputTypes, outputType: outputTypes[0],
                                               args: Array(inputs.indices), result: inputs.count)
        let program = TileProgram(shape: shape, registerTypes: inputTypes.map(\.scalar) + [outputTypes[0].scalar],
                                  inputStrides: inputShapes.map { broadcastStrides(from: $0, to: shape) },
                                  instructions: [instruction], outputs: [inputs.count], tile: tileSize(shape))
        return tileStep(program, operands: inputs.map { UnsafeRawPointer($0) }, results: outputs, scratch: scratch, parallelism: parallelism)
    }
}

/// Tiles of 2048 elements (8 KiB of f32 per register) keep a fused body's registers in L1/L2
/// (measured on graphs/bench/elementwise.graph: a little faster than 4096 on one thread).
func tileSize(_ shape: [Int]) -> Int { Swift.max(1, Swift.min(2048, shape.reduce(1, *))) }
