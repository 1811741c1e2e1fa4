/// The geometry of a 2-D sliding window (conv, conv_transpose, pooling): per spatial axis
/// (H, W) the kernel extent, stride, dilation, resolved pads and result size. The sizes and
/// pads come from LeptonIR's shape helpers, so kernels and shape rules share one formula.
struct Window2D {
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    var padBegin: [Int]
    var padEnd: [Int]
    var output: [Int]

    /// conv2d over spatial `input` [H, W] with `kernel` [kH, kW].
    static func conv(input: [Int], kernel: [Int], _ attributes: Attributes) -> Window2D {
        sliding(input: input, kernel: kernel, dilations: attributes.ints("dilations"), ceilMode: false, attributes)
    }

    /// max_pool2d / avg_pool2d over spatial `input` [H, W] (avg_pool2d has no dilations).
    static func pool(input: [Int], _ attributes: Attributes) -> Window2D {
        let dilations = attributes["dilations"] == nil ? [1, 1] : attributes.ints("dilations")
        return sliding(input: input, kernel: attributes.ints("kernel"), dilations: dilations,
                       ceilMode: attributes.bool("ceil_mode"), attributes)
    }

    /// conv_transpose2d: out = stride·(in − 1) + output_padding + ((k − 1)·dilation + 1) − pads.
    static func transposed(input: [Int], kernel: [Int], _ attributes: Attributes) -> Window2D {
        let strides = attributes.ints("strides"), dilations = attributes.ints("dilations")
        let outputPadding = attributes.ints("output_padding")
        let pads = resolveTransposePads(input: input, kernel: kernel, strides: strides, dilations: dilations,
                                        outputPadding: outputPadding, pads: attributes.ints("pads"),
                                        padding: attributes.choice("padding"))
        let output = (0..<2).map { axis in
            transposedSize(input: input[axis], kernel: kernel[axis], stride: strides[axis], dilation: dilations[axis],
                           padBegin: pads[axis], padEnd: pads[axis + 2], outputPadding: outputPadding[axis])
        }
        return Window2D(kernel: kernel, strides: strides, dilations: dilations,
                        padBegin: Array(pads[..<2]), padEnd: Array(pads[2...]), output: output)
    }

    /// Ops without a `padding` attribute (conv2d_weight_grad) take explicit pads.
    private static func sliding(input: [Int], kernel: [Int], dilations: [Int], ceilMode: Bool, _ attributes: Attributes) -> Window2D {
        let strides = attributes.ints("strides")
        let padding = attributes["padding"] == nil ? "explicit" : attributes.choice("padding")
        let (output, pads) = windowOutput(input: input, kernel: kernel, strides: strides, dilations: dilations,
                                          pads: attributes.ints("pads"), padding: padding, ceilMode: ceilMode)
        return Window2D(kernel: kernel, strides: strides, dilations: dilations,
                        padBegin: Array(pads[..<2]), padEnd: Array(pads[2...]), output: output.map { Swift.max(0, $0) })
    }

    /// The outputs o in 0..<outputCount whose source position o·stride + offset lies in
    /// 0..<inputCount: the loop bounds that let inner loops skip padding checks.
    static func validRange(offset: Int, stride: Int, inputCount: Int, outputCount: Int) -> Range<Int> {
        let low = Swift.max(0, ceilDivide(-offset, stride))
        let high = Swift.min(outputCount, ceilDivide(inputCount - offset, stride))
        return low..<Swift.max(low, high)
    }
}

/// ⌈a / b⌉ for b > 0 and any sign of a.
func ceilDivide(_ a: Int, _ b: Int) -> Int { -floorDivide(-a, b) }

/// ⌊a / b⌋ for b > 0 and any sign of a.
func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
