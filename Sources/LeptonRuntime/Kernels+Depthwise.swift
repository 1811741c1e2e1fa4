import LeptonKernels

/// The f32 depthwise conv2d step (DepthwiseConv.swift): ConvKernel hands over every conv
/// whose groups each have one input channel, with a fused epilogue run on each finished plane. PoolKernel hands over f32 max pooling
/// (PoolFloat.swift), which shares the padded-plane layout.

extension ConvKernel {
    func depthwiseStep(_ geometry: ConvGeometry) -> StepBody {
        let scratch = context.scratch
        scratch.reserve(geometry.depthwiseScratchElements * MemoryLayout<Float>.stride)
        let (x, w, out) = (context.input(0, Float.self), context.input(1, Float.self), context.output(0, Float.self))
        let bias = context.optionalInput(2, Float.self)
        let (parallelism, epilogue) = (context.parallelism, self.epilogue)
        return {
            depthwiseConv2d(geometry, x: x, w: w, bias: bias, out: out, scratch: scratch.pointer.assumingMemoryBound(to: Float.self),
                            scratchStride: scratch.slotStride / MemoryLayout<Float>.stride, parallelism: parallelism,
                            epilogue: epilogue)
        }
    }
}

extension PoolKernel {
    func maxPoolStep(_ geometry: PoolGeometry) -> StepBody {
        let scratch = context.scratch
        scratch.reserve(geometry.maxPoolScratchElements * MemoryLayout<Float>.stride)
        let (x, out) = (context.input(0, Float.self), context.output(0, Float.self))
        let parallelism = context.parallelism
        return {
            maxPool2dFloat(geometry, x: x, out: out, scratch: scratch.pointer.assumingMemoryBound(to: Float.self),
                           scratchStride: scratch.slotStride / MemoryLayout<Float>.stride, parallelism: parallelism)
        }
    }
}
