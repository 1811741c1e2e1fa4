/// Which kernel an f32 conv2d runs on, decided once from its geometry. The runtime's plain
/// and fused conv steps both dispatch on this one answer, and tests pin it for the example
/// models' convs: a merge once sent depthwise convs to the GEMM and nothing noticed.
public enum ConvAlgorithm: String, Sendable, CaseIterable {
    /// Groups of one input channel: the direct SIMD kernel (DepthwiseConv.swift).
    case depthwise
    /// 1x1, stride 1, unpadded: one GEMM reading the image as B in place (ConvPacked.swift).
    case pointwise
    /// Stride 1 with constant weights: shifted products over a padded copy (ConvShifted.swift).
    case shifted
    /// Small convs: implicit im2col through a plan-time gather table (`ConvGatherTable`).
    case gatherTable
    /// Implicit im2col: B panels packed straight from the image (GemmImagePacking.swift).
    case implicitIm2col
    /// Without target-CPU SIMD: explicit im2col and the portable GEMM (Conv.swift).
    case portable

    /// The kernel for conv `g` in f32; `constantWeights` when the weights are a param (packed
    /// once when the plan is prepared).
    public static func f32(_ g: ConvGeometry, constantWeights: Bool) -> ConvAlgorithm {
        if g.isDepthwise { return .depthwise }
        guard packedGemmAvailable else { return .portable }
        if g.isPointwise { return .pointwise }
        if constantWeights && ConvShifted.applies(g) { return .shifted }
        return ConvGatherTable.elements(g) != nil ? .gatherTable : .implicitIm2col
    }
}
