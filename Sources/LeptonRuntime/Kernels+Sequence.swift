import LeptonKernels

/// lstm / gru: the geometry and operand pointers are fixed when the step is prepared.
struct RecurrentKernel {
    let context: StepContext

    var step: StepBody {
        switch context.inputTypes[0] {
        case .f32: make(Float.self)
        case .f64: make(Double.self)
        default: preconditionFailure("\(context.op) takes floats")
        }
    }

    func make<T: KernelFloat>(_: T.Type) -> StepBody {
        let x = context.inputShapes[0]
        let direction: RecurrentGeometry.Direction = switch context.attributes.choice("direction") {
        case "reverse": .reverse
        case "bidirectional": .bidirectional
        default: .forward
        }
        let lstm = context.op == .lstm
        let geometry = RecurrentGeometry(seq: x[0], batch: x[1], input: x[2], hidden: context.attributes.int("hidden_size"),
                                         direction: direction, gates: lstm ? 4 : 3,
                                         linearBeforeReset: !lstm && context.attributes.bool("linear_before_reset"))
        let scratch = context.scratch
        scratch.reserve(geometry.scratchElements * MemoryLayout<T>.stride)
        let operands = RecurrentOperands(
            x: context.input(0, T.self), w: context.input(1, T.self), r: context.input(2, T.self),
            b: context.optionalInput(3, T.self), initialH: context.optionalInput(4, T.self),
            initialC: lstm ? context.optionalInput(5, T.self) : nil,
            y: context.output(0, T.self), yH: context.output(1, T.self), yC: lstm ? context.output(2, T.self) : nil)
        let threads = context.parallelism.threads
        let packed = packedWeights(geometry, T.self)
        return {
            recurrent(geometry, operands, scratch: scratch.pointer.assumingMemoryBound(to: T.self), threads: threads, packed: packed)
        }
    }

    /// f32 weights packed once when they are constant (the recurrent ones are read every step).
    func packedWeights<T>(_ geometry: RecurrentGeometry, _: T.Type) -> RecurrentPacking? {
        guard T.self == Float.self, packedGemmAvailable, context.isConstant(input: 1), context.isConstant(input: 2) else { return nil }
        let (w, r) = (context.input(1, Float.self), context.input(2, Float.self))
        return context.packedConstant(inputs: [1, 2], layout: RecurrentPacking.layoutName(geometry), byteCount: RecurrentPacking.elements(geometry) * MemoryLayout<Float>.stride) {
            RecurrentPacking(geometry, w: w, r: r, into: $0.assumingMemoryBound(to: Float.self), pack: $1)
        }
    }
}

extension StepContext {
    /// constant: the literal's bytes, kept by the step and copied in on every run (its arena
    /// bytes may be reused by other values between runs).
    func constantStep() -> StepBody {
        let value = attributes.tensor("value")
        let dtype = attributes.dtype("dtype")
        let tensor = value.dtype == dtype ? value : castTensor(value, to: dtype)
        let bytes = Arena(byteCount: self.bytes(output: 0))
        tensor.copyBytes(to: bytes.base)
        keep(bytes)
        let (source, target, n) = (UnsafeRawPointer(bytes.base), outputs[0], self.bytes(output: 0))
        return { target.copyMemory(from: source, byteCount: n) }
    }
}

/// The reference cast (the literal's conversion happens once, when preparing).
func castTensor(_ value: Tensor, to dtype: DType) -> Tensor {
    var attributes = Op.cast.schema.defaults
    attributes["to"] = .dtype(dtype)
    guard let result = try? Op.cast.evaluate([value], attributes).first else { preconditionFailure("cast cannot fail") }
    return result
}
