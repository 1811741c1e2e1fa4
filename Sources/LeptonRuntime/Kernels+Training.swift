import LeptonKernels

/// The ops backward graphs are made of — conv2d_weight_grad, the pooling gradients,
/// scatter_add, one_hot and the losses — adapted to their buffer kernels: geometry, scratch
/// and index checks resolved when the step is prepared.

struct TrainingKernel {
    let context: StepContext

    var step: StepBody {
        switch context.op {
        case .conv2d_weight_grad: convWeightGradStep()
        case .max_pool2d_grad, .avg_pool2d_grad: poolGradStep()
        case .scatter_add: scatterAddStep()
        case .one_hot: oneHotStep()
        case .cross_entropy, .binary_cross_entropy, .mse: LossKernel(context: context).step
        default: preconditionFailure("\(context.op) is not a training op")
        }
    }

    /// The forward conv's geometry: x[N, C, H, W], dy[N, O, oH, oW], explicit pads.
    func convWeightGradGeometry() -> ConvGeometry {
        let (x, dy, attributes) = (context.inputShapes[0], context.inputShapes[1], context.attributes)
        let kernel = attributes.ints("kernel"), pads = attributes.ints("pads")
        return ConvGeometry(batch: x[0], inChannels: x[1], height: x[2], width: x[3], outChannels: dy[1], kernelH: kernel[0],
                            kernelW: kernel[1], outH: dy[2], outW: dy[3], strides: attributes.ints("strides"),
                            dilations: attributes.ints("dilations"), padTop: pads[0], padLeft: pads[1], group: attributes.int("group"))
    }

    func convWeightGradStep() -> StepBody {
        let g = convWeightGradGeometry()
        let (scratch, parallelism) = (context.scratch, context.parallelism)
        scratch.reserve(shared: g.weightGradScratchElements * context.inputTypes[0].byteSize)
        switch context.inputTypes[0] {
        case .f32:
            let (x, dy, dw) = (context.input(0, Float.self), context.input(1, Float.self), context.output(0, Float.self))
            return {
                conv2dWeightGrad(g, x: x, dy: dy, dw: dw, scratch: scratch.pointer.assumingMemoryBound(to: Float.self),
                                 parallelism: parallelism)
            }
        default:
            let (x, dy, dw) = (context.input(0, Double.self), context.input(1, Double.self), context.output(0, Double.self))
            return {
                conv2dWeightGrad(g, x: x, dy: dy, dw: dw, scratch: scratch.pointer.assumingMemoryBound(to: Double.self),
                                 parallelism: parallelism)
            }
        }
    }

    func poolGradStep() -> StepBody {
        let g = context.poolGeometry()
        let parallelism = context.parallelism
        let includePad = context.op == .avg_pool2d_grad && context.attributes.bool("count_include_pad")
        let maximum = context.op == .max_pool2d_grad
        switch context.inputTypes[0] {
        case .f32:
            let (x, dy, dx) = (context.input(0, Float.self), context.input(1, Float.self), context.output(0, Float.self))
            if maximum { return { maxPool2dGrad(g, x: x, dy: dy, dx: dx, parallelism: parallelism) } }
            return { avgPool2dGrad(g, includePad: includePad, dy: dy, dx: dx, parallelism: parallelism) }
        default:
            let (x, dy, dx) = (context.input(0, Double.self), context.input(1, Double.self), context.output(0, Double.self))
            if maximum { return { maxPool2dGrad(g, x: x, dy: dy, dx: dx, parallelism: parallelism) } }
            return { avgPool2dGrad(g, includePad: includePad, dy: dy, dx: dx, parallelism: parallelism) }
        }
    }

    /// Indices are checked into positions in scratch, then rows are copied and added. Data
    /// that is an all-zero constant (the zero table autodiff scatters a gather's gradient
    /// onto, folded into a param) is not read: the rows are zero-filled instead.
    func scatterAddStep() -> StepBody {
        let shape = context.inputShapes[0], axis = context.axis("axis", rank: shape.count)
        let scatter = ScatterShape(outer: shape[..<axis].reduce(1, *), dim: shape[axis], inner: shape[(axis + 1)...].reduce(1, *),
                                   count: context.count(input: 1))
        let zeroData = context.isConstant(input: 0)
            && UnsafeRawBufferPointer(start: context.inputs[0], count: context.bytes(input: 0)).allSatisfy { $0 == 0 }
        let scratch = context.scratch
        scratch.reserve(shared: scatter.count * MemoryLayout<Int>.stride)
        let (indices, wide) = (UnsafeRawPointer(context.inputs[1]), context.inputTypes[1] == .i64)
        let (dim, parallelism) = (scatter.dim, context.parallelism)
        let check = { () throws(KernelFailure) -> UnsafeMutablePointer<Int> in
            let positions = scratch.pointer.assumingMemoryBound(to: Int.self)
            if wide {
                try scatterPositions(indices.assumingMemoryBound(to: Int64.self), count: scatter.count, dim: dim, axis: axis, into: positions)
            } else {
                try scatterPositions(indices.assumingMemoryBound(to: Int32.self), count: scatter.count, dim: dim, axis: axis, into: positions)
            }
            return positions
        }
        switch context.inputTypes[0] {
        case .f32:
            let (data, updates, out) = (context.input(0, Float.self), context.input(2, Float.self), context.output(0, Float.self))
            return { () throws(KernelFailure) in
                scatterAdd(scatter, data: zeroData ? nil : data, positions: try check(), updates: updates, out: out, parallelism: parallelism)
            }
        default:
            let (data, updates, out) = (context.input(0, Double.self), context.input(2, Double.self), context.output(0, Double.self))
            return { () throws(KernelFailure) in
                scatterAdd(scatter, data: zeroData ? nil : data, positions: try check(), updates: updates, out: out, parallelism: parallelism)
            }
        }
    }

    func oneHotStep() -> StepBody {
        switch context.outputTypes[0] {
        case .f32: oneHotStep(Float(0), Float(1))
        case .f64: oneHotStep(Double(0), Double(1))
        case .i32: oneHotStep(Int32(0), Int32(1))
        case .i64: oneHotStep(Int64(0), Int64(1))
        case .bool: oneHotStep(false, true)
        }
    }

    private func oneHotStep<T>(_ zero: T, _ one: T) -> StepBody {
        let (count, depth, out) = (context.count(input: 0), context.attributes.int("depth"), context.output(0, T.self))
        if context.inputTypes[0] == .i64 {
            let indices = context.input(0, Int64.self)
            return { () throws(KernelFailure) in try oneHot(indices, count: count, depth: depth, out: out, zero: zero, one: one) }
        }
        let indices = context.input(0, Int32.self)
        return { () throws(KernelFailure) in try oneHot(indices, count: count, depth: depth, out: out, zero: zero, one: one) }
    }
}

/// cross_entropy, binary_cross_entropy and mse: one scalar out.
struct LossKernel {
    let context: StepContext

    var step: StepBody {
        switch context.inputTypes[0] {
        case .f32: make(Float.self)
        default: make(Double.self)
        }
    }

    func make<T: KernelFloat>(_: T.Type) -> StepBody {
        let sum = context.attributes.choice("reduction") == "sum"
        let (a, out, count) = (context.input(0, T.self), context.output(0, T.self), context.count(input: 0))
        switch context.op {
        case .cross_entropy:
            let (rows, classes) = (context.count(input: 1), context.inputShapes[0].last ?? 0)
            if context.inputTypes[1] == .i64 {
                let labels = context.input(1, Int64.self)
                return { () throws(KernelFailure) in out.pointee = try crossEntropy(logits: a, labels: labels, rows: rows, classes: classes, sum: sum) }
            }
            let labels = context.input(1, Int32.self)
            return { () throws(KernelFailure) in out.pointee = try crossEntropy(logits: a, labels: labels, rows: rows, classes: classes, sum: sum) }
        case .binary_cross_entropy:
            let y = context.input(1, T.self)
            return { () throws(KernelFailure) in out.pointee = try binaryCrossEntropy(p: a, y: y, count: count, sum: sum) }
        default:
            let target = context.input(1, T.self)
            return { out.pointee = meanSquaredError(pred: a, target: target, count: count, sum: sum) }
        }
    }
}
