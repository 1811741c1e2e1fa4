import Testing
import LeptonIR
@testable import LeptonKernels
import LeptonRuntime

/// Which kernel the example models' convs get (`ConvAlgorithm`, the one decision the runtime's
/// plain and fused conv steps dispatch on): a change of choice must be deliberate.
@Suite struct ConvAlgorithmTests {
    static func geometry(c: Int, hw: Int, m: Int, k: Int, stride: Int = 1, pad: Int = 0, group: Int = 1) -> ConvGeometry {
        let out = (hw + 2 * pad - k) / stride + 1
        return ConvGeometry(batch: 1, inChannels: c, height: hw, width: hw, outChannels: m, kernelH: k, kernelW: k, outH: out,
                            outW: out, strides: [stride, stride], dilations: [1, 1], padTop: pad, padLeft: pad, group: group)
    }

    @Test func exampleModelConvsGetTheirKernels() {
        let cases: [(String, ConvGeometry, constant: Bool, ConvAlgorithm)] = [
            ("resblock 3x3 64->64 @56", Self.geometry(c: 64, hw: 56, m: 64, k: 3, pad: 1), true, .shifted),
            ("the same with weights computed at run time", Self.geometry(c: 64, hw: 56, m: 64, k: 3, pad: 1), false, .implicitIm2col),
            ("mobilenet_v2 depthwise 3x3 @112", Self.geometry(c: 32, hw: 112, m: 32, k: 3, pad: 1, group: 32), true, .depthwise),
            ("mobilenet_v2 stride-2 depthwise", Self.geometry(c: 96, hw: 112, m: 96, k: 3, stride: 2, pad: 1, group: 96), true, .depthwise),
            ("mobilenet_v2 1x1 expansion", Self.geometry(c: 16, hw: 112, m: 96, k: 1), true, .pointwise),
            ("mobilenet_v2 stem 3x3 stride 2", Self.geometry(c: 3, hw: 224, m: 32, k: 3, stride: 2, pad: 1), true, .implicitIm2col),
            // One input channel is a depthwise conv with a channel multiplier of 6: the direct kernel.
            ("lenet c1 5x5 @28", Self.geometry(c: 1, hw: 28, m: 6, k: 5, pad: 2), true, .depthwise),
            ("lenet c2 5x5 @14", Self.geometry(c: 6, hw: 14, m: 16, k: 5), true, .shifted),
            ("cifar_cnn 3x3 @32, 3 channels", Self.geometry(c: 3, hw: 32, m: 32, k: 3), true, .gatherTable),
            ("lenet c2 with weights computed at run time", Self.geometry(c: 6, hw: 14, m: 16, k: 5), false, .gatherTable),
        ]
        for (name, g, constant, expected) in cases {
            let want = packedGemmAvailable || expected == .depthwise ? expected : .portable
            #expect(ConvAlgorithm.f32(g, constantWeights: constant) == want, "\(name)")
        }
    }

    /// `lepton dump -O2`'s prepack note for conv weights matches the kernels: depthwise
    /// weights (one input channel per group) are read as they are, not packed.
    @Test func planTimeNoteFollowsTheConvKernel() {
        guard packedGemmAvailable else { return }
        #expect(planTimeWeightLayout(.conv2d, operand: 1, TensorType(.f32, fixed: [32, 1, 3, 3])) == nil)
        #expect(planTimeWeightLayout(.conv2d, operand: 1, TensorType(.f32, fixed: [64, 64, 3, 3]))?.hasPrefix("gemm-a") == true)
    }
}
