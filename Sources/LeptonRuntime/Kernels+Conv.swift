import LeptonKernels

/// conv2d, conv_transpose2d and pooling: the window geometry is resolved here (with the IR's
/// shape helpers, so kernel and shape rule share one formula) when the step is prepared.

extension StepContext {
    /// conv2d / conv_transpose2d geometry: x[N, C, H, W], w, out[N, M, oH, oW].
    func convGeometry() -> ConvGeometry {
        let (x, w, out) = (inputShapes[0], inputShapes[1], outputShapes[0])
        let attributes = self.attributes
        let strides = attributes.ints("strides"), dilations = attributes.ints("dilations")
        let kernel = [w[2], w[3]], input = [x[2], x[3]]
        let pads: [Int]
        if op == .conv_transpose2d {
            pads = resolveTransposePads(input: input, kernel: kernel, strides: strides, dilations: dilations,
                                        outputPadding: attributes.ints("output_padding"), pads: attributes.ints("pads"),
                                        padding: attributes.choice("padding"))
        } else {
            pads = resolvePads(input: input, kernel: kernel, strides: strides, dilations: dilations,
                               pads: attributes.ints("pads"), padding: attributes.choice("padding"))
        }
        return ConvGeometry(batch: x[0], inChannels: x[1], height: x[2], width: x[3], outChannels: out[1],
                            kernelH: w[2], kernelW: w[3], outH: out[2], outW: out[3], strides: strides,
                            dilations: dilations, padTop: pads[0], padLeft: pads[1], group: attributes.int("group"))
    }

    /// max_pool2d / avg_pool2d geometry; for their gradients, the forward's (dy has its output shape).
    func poolGeometry() -> PoolGeometry {
        let gradient = op == .max_pool2d_grad || op == .avg_pool2d_grad
        let (x, out) = (inputShapes[0], gradient ? inputShapes[1] : outputShapes[0])
        let attributes = self.attributes
        let kernel = attributes.ints("kernel"), strides = attributes.ints("strides")
        let dilations = op == .max_pool2d || op == .max_pool2d_grad ? attributes.ints("dilations") : [1, 1]
        let pads = resolvePads(input: [x[2], x[3]], kernel: kernel, strides: strides, dilations: dilations,
                               pads: attributes.ints("pads"), padding: attributes.choice("padding"))
        return PoolGeometry(planes: x[0] * x[1], height: x[2], width: x[3], outH: out[2], outW: out[3], kernel: kernel,
                            strides: strides, dilations: dilations, padBegin: Array(pads[..<2]), padEnd: Array(pads[2...]))
    }
}

struct ConvKernel {
    let context: StepContext
    var epilogue: GemmEpilogue? = nil

    /// The f32 conv2d kernel (nil for other dtypes and conv_transpose2d, which run the
    /// generic loops): the one decision both this step and the fused write-back step follow.
    var algorithm: ConvAlgorithm? {
        guard context.op == .conv2d, context.inputTypes[0] == .f32 else { return nil }
        return .f32(context.convGeometry(), constantWeights: context.isConstant(input: 1))
    }

    /// The step of an f32 conv2d that can run `epilogue` on its finished blocks, or nil when
    /// its kernel cannot (the portable one).
    var f32Step: StepBody? {
        switch algorithm {
        case .depthwise: depthwiseStep(context.convGeometry())
        case .pointwise, .shifted, .gatherTable, .implicitIm2col: makePackedConv()
        case .portable, nil: nil
        }
    }

    var step: StepBody {
        switch NumericType(context.inputTypes[0]) {
        case .f32: f32Step ?? make(Float.self)
        case .f64: make(Double.self)
        case .i32: make(Int32.self)
        case .i64: make(Int64.self)
        }
    }

    func make<T: KernelScalar>(_: T.Type) -> StepBody {
        let geometry = context.convGeometry()
        let transposed = context.op == .conv_transpose2d
        let scratchElements = transposed ? geometry.transposeScratchElements : geometry.convScratchElements
        let scratch = context.scratch
        scratch.reserve(scratchElements * MemoryLayout<T>.stride)
        let (x, w, out) = (context.input(0, T.self), context.input(1, T.self), context.output(0, T.self))
        let bias = context.optionalInput(2, T.self)
        let parallelism = context.parallelism
        return {
            let columns = scratch.pointer.assumingMemoryBound(to: T.self)
            if transposed {
                convTranspose2d(geometry, x: x, w: w, bias: bias, out: out, scratch: columns, threads: parallelism.threads)
            } else {
                conv2d(geometry, x: x, w: w, bias: bias, out: out, scratch: columns,
                       scratchStride: scratch.slotStride / MemoryLayout<T>.stride, parallelism: parallelism)
            }
        }
    }
}

extension ConvKernel {
    func makePackedConv() -> StepBody {
        let geometry = context.convGeometry()
        let (x, w, out) = (context.input(0, Float.self), context.input(1, Float.self), context.output(0, Float.self))
        let weights: ConvWeights
        if context.isConstant(input: 1) {
            weights = context.packedConstant(inputs: [1], layout: ConvWeights.layoutName(geometry),
                                             byteCount: ConvWeights.packedElements(geometry) * MemoryLayout<Float>.stride) {
                ConvWeights(geometry, w: w, packingInto: $0.assumingMemoryBound(to: Float.self), pack: $1)
            }
        } else {
            weights = ConvWeights(geometry, w: w)
        }
        var table: UnsafePointer<Int32>?
        if algorithm == .gatherTable, let entries = ConvGatherTable.elements(geometry) {
            let storage = Arena(byteCount: entries * MemoryLayout<Int32>.stride)
            context.keep(storage)
            ConvGatherTable.fill(geometry, into: storage.base.assumingMemoryBound(to: Int32.self))
            table = UnsafePointer(storage.base.assumingMemoryBound(to: Int32.self))
        }
        // A shifted conv (constant weights packed per tap) copies the padded image into scratch.
        let scratch = context.scratch
        if algorithm == .shifted {
            scratch.reserve(ConvShifted.scratchElements(geometry) * MemoryLayout<Float>.stride)
        }
        let (bias, parallelism, epilogue) = (context.optionalInput(2, Float.self), context.parallelism, self.epilogue)
        return {
            conv2dF32(geometry, x: x, weights: weights, bias: bias, out: out, parallelism: parallelism, epilogue: epilogue,
                      table: table, scratch: scratch.pointer.assumingMemoryBound(to: Float.self),
                      scratchStride: scratch.slotStride / MemoryLayout<Float>.stride)
        }
    }
}

struct PoolKernel {
    let context: StepContext

    var step: StepBody {
        switch NumericType(context.inputTypes[0]) {
        case .f32: make(Float.self)
        case .f64: make(Double.self)
        case .i32: make(Int32.self)
        case .i64: make(Int64.self)
        }
    }

    func make<T: KernelScalar>(_: T.Type) -> StepBody {
        let (x, out) = (context.input(0, T.self), context.output(0, T.self))
        let parallelism = context.parallelism
        if context.op == .global_avg_pool {
            let shape = context.inputShapes[0]
            let planes = shape.prefix(2).reduce(1, *), size = shape.dropFirst(2).reduce(1, *)
            return { globalAveragePool(planes: planes, size: size, x: x, out: out, parallelism: parallelism) }
        }
        let geometry = context.poolGeometry()
        if context.op == .max_pool2d && T.self == Float.self { return maxPoolStep(geometry) }
        let average = context.op == .avg_pool2d
        let includePad = average && context.attributes.bool("count_include_pad")
        return { pool2d(geometry, average: average, includePad: includePad, x: x, out: out, parallelism: parallelism) }
    }
}
