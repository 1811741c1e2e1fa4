import LeptonKernels

/// Which weights the runtime packs once when it prepares a plan, and into which layout — the
/// answer the `prepack` pass notes (`lepton dump -O2`). The kernels decide for real at plan
/// time, from the concrete shapes: a weight is packed when it is an f32 param (constant once
/// the executor exists) and packing pays (`gemmPrefersPackedB`: not for a row-major B that a
/// batch of at most 3 rows streams in place).
public func planTimeWeightLayout(_ op: Op, operand: Int, _ type: TensorType) -> String? {
    guard packedGemmAvailable, type.dtype == .f32 else { return nil }
    let b = PackedOperand.layoutName(.b)
    // Under half a panel of columns is not packed (a known narrow last dim of linear/matmul).
    if op == .linear || op == .matmul, case .fixed(let n)? = type.shape.last, n < gemmNarrowestPackedB { return nil }
    switch (op, operand) {
    case (.conv2d, 1):
        // One input channel per group (w[M, 1, kH, kW]): the depthwise kernel reads w as it is.
        if case .fixed(1)? = type.shape.dropFirst().first { return nil }
        return "\(PackedOperand.layoutName(.a)) (per kernel tap for large stride-1 convs)"
    case (.linear, 1), (.gemm, 1): return "\(b) (unless at most \(gemmStreamingRows) rows)"
    case (.matmul, 1):
        guard type.shape.dropLast(2).allSatisfy({ $0 == .fixed(1) }), type.rank >= 2 else { return nil }
        return "\(b) (unless at most \(gemmStreamingRows) rows)"
    case (.lstm, 1), (.lstm, 2), (.gru, 1), (.gru, 2): return "\(b) (transposed)"
    default: return nil
    }
}
