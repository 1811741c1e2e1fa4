/// The geometry of a 2-D sliding window (conv, conv_transpose, pooling): per spatial axis
/// (H, W) the kernel extent, stride, dilation, pads and result size.
///
/// TODO(shapes): switch to LeptonIR's `resolvePads` / `pooledSize` once merged, so the
/// padding math has one implementation.
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

    /// max_pool2d / avg_pool2d over spatial `input` [H, W].
    static func pool(input: [Int], _ attributes: Attributes) -> Window2D {
        let dilations = attributes["dilations"] == nil ? [1, 1] : attributes.ints("dilations")
        return sliding(input: input, kernel: attributes.ints("kernel"), dilations: dilations,
                       ceilMode: attributes.bool("ceil_mode"), attributes)
    }

    /// conv_transpose2d: out = stride·(in − 1) + output_padding + ((k − 1)·dilation + 1) − pads;
    /// `same` modes choose pads making out = in·stride (ONNX ConvTranspose auto_pad).
    static func transposed(input: [Int], kernel: [Int], _ attributes: Attributes) -> Window2D {
        let strides = attributes.ints("strides"), dilations = attributes.ints("dilations")
        let outputPadding = attributes.ints("output_padding")
        var window = Window2D(kernel: kernel, strides: strides, dilations: dilations,
                              padBegin: [0, 0], padEnd: [0, 0], output: [0, 0])
        for axis in 0..<2 {
            let full = strides[axis] * (input[axis] - 1) + outputPadding[axis] + (kernel[axis] - 1) * dilations[axis] + 1
            switch attributes.choice("padding") {
            case "explicit":
                window.padBegin[axis] = attributes.ints("pads")[axis]
                window.padEnd[axis] = attributes.ints("pads")[axis + 2]
            case "same", "same_lower":
                let total = full - input[axis] * strides[axis]
                let small = total / 2, large = total - total / 2
                let upper = attributes.choice("padding") == "same"
                (window.padBegin[axis], window.padEnd[axis]) = upper ? (small, large) : (large, small)
            default:
                break
            }
            window.output[axis] = full - window.padBegin[axis] - window.padEnd[axis]
        }
        return window
    }

    private static func sliding(input: [Int], kernel: [Int], dilations: [Int], ceilMode: Bool, _ attributes: Attributes) -> Window2D {
        let strides = attributes.ints("strides")
        var window = Window2D(kernel: kernel, strides: strides, dilations: dilations,
                              padBegin: [0, 0], padEnd: [0, 0], output: [0, 0])
        for axis in 0..<2 {
            let extent = (kernel[axis] - 1) * dilations[axis] + 1
            let stride = strides[axis]
            switch attributes.choice("padding") {
            case "explicit":
                window.padBegin[axis] = attributes.ints("pads")[axis]
                window.padEnd[axis] = attributes.ints("pads")[axis + 2]
            case "same", "same_lower":
                // ONNX SAME_*: output ceil(in / stride); the odd pad goes at the end (same) or begin.
                let wanted = (input[axis] + stride - 1) / stride
                let total = Swift.max(0, (wanted - 1) * stride + extent - input[axis])
                let small = total / 2, large = total - total / 2
                let upper = attributes.choice("padding") == "same"
                (window.padBegin[axis], window.padEnd[axis]) = upper ? (small, large) : (large, small)
            default:
                break
            }
            let span = input[axis] + window.padBegin[axis] + window.padEnd[axis] - extent
            var size = (ceilMode ? ceilDivide(span, stride) : floorDivide(span, stride)) + 1
            // ceil_mode: a window starting inside the end padding is dropped (ONNX, PyTorch).
            if ceilMode && size > 0 && (size - 1) * stride >= input[axis] + window.padBegin[axis] { size -= 1 }
            window.output[axis] = Swift.max(0, size)
        }
        return window
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
