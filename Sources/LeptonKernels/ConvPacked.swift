/// conv2d in f32 on the packed GEMM without a column matrix: per (image, group) one product
/// W_g[mg, cg·kH·kW] · B where B is read straight from the image by the panel packer
/// (implicit im2col; a 1x1 stride-1 conv's B is the image itself), the weights are packed
/// once when the plan is prepared (they are constant), and the bias and any fused epilogue
/// run in the GEMM's write-back. No scratch, nothing allocated per call.

/// conv2d's weights as the A operands of its GEMMs, one per group: packed when constant.
public struct ConvWeights: @unchecked Sendable {
    let geometry: ConvGeometry
    let w: UnsafePointer<Float>
    let packed: UnsafePointer<Float>?

    /// Floats that packing the weights of `g` takes.
    public static func packedElements(_ g: ConvGeometry) -> Int {
        g.group * PackedOperand.elements(role: .a, extent: g.outChannels / g.group, k: g.inChannels / g.group * g.taps)
    }

    /// Names everything `init(_:w:packingInto:)` writes depends on besides w's values: the
    /// per-tap or im2col layout, the panel sizes and the weight's dims (not the image's).
    public static func layoutName(_ g: ConvGeometry) -> String {
        "conv \(ConvShifted.applies(g) ? "per-tap" : "im2col") \(PackedOperand.layoutName(.a)) "
            + "m\(g.outChannels) c\(g.inChannels) g\(g.group) k\(g.kernelH)x\(g.kernelW)"
    }

    /// The weights `w[M, C/group, kH, kW]`, read as they are on every call.
    public init(_ g: ConvGeometry, w: UnsafePointer<Float>) { (geometry, self.w, packed) = (g, w, nil) }

    /// The weights packed into `into` (`packedElements(g)` floats) once, now: per tap for a
    /// shifted conv (`ConvShifted`), else as the A operand of each group's im2col product.
    /// With `pack: false`, `into` already holds that packing.
    public init(_ g: ConvGeometry, w: UnsafePointer<Float>, packingInto into: UnsafeMutablePointer<Float>, pack: Bool = true) {
        (geometry, self.w, packed) = (g, w, UnsafePointer(into))
        guard pack else { return }
        if ConvShifted.applies(g) {
            ConvShifted.packWeights(g, w: w, into: into)
            return
        }
        for group in 0..<g.group {
            _ = PackedOperand(packing: matrix(group), role: .a, extent: mg, k: depth, into: into + group * groupElements)
        }
    }

    var mg: Int { geometry.outChannels / geometry.group }
    var depth: Int { geometry.inChannels / geometry.group * geometry.taps }
    var groupElements: Int { PackedOperand.elements(role: .a, extent: mg, k: depth) }

    func matrix(_ group: Int) -> MatrixView<Float> { MatrixView(w + group * mg * depth, rowStride: depth) }

    func operand(_ group: Int) -> GemmOperandA {
        guard let packed else { return .matrix(matrix(group)) }
        return .packed(PackedOperand(packed: packed + group * groupElements, source: matrix(group), role: .a, extent: mg, k: depth))
    }
}

extension PackedOperand {
    /// An operand packed earlier (by `init(packing:…)` into `packed`).
    init(packed: UnsafePointer<Float>, source: MatrixView<Float>, role: Role, extent: Int, k: Int) {
        (self.source, self.role, self.extent, self.k, base) = (source, role, extent, k, packed)
    }
}

/// conv2d(x[N, C, H, W], w, b[M]?) -> out[N, M, oH, oW] in f32. When there are at least as many
/// (image, group) pairs as threads they are split over the threads (each product serial);
/// otherwise each product splits its columns. Either way every output element is summed by
/// one micro-kernel in k order, so the result does not depend on the thread count.
/// `epilogue` (offsets from `out`) runs on every finished block of the output.
/// `table` (`ConvGatherTable`, optional) makes packing the image one gather per element.
/// Packed weights of a conv that `ConvShifted.applies` to run shifted, in `scratch` (one
/// `ConvShifted.scratchElements` slot per thread, `scratchStride` floats apart).
public func conv2dF32(_ g: ConvGeometry, x: UnsafePointer<Float>, weights: ConvWeights, bias: UnsafePointer<Float>?,
                      out: UnsafeMutablePointer<Float>, parallelism: Parallelism, epilogue: GemmEpilogue? = nil,
                      table: UnsafePointer<Int32>? = nil, scratch: UnsafeMutablePointer<Float>? = nil, scratchStride: Int = 0) {
    let shifted = weights.packed != nil && ConvShifted.applies(g)
    precondition(!shifted || scratch != nil, "a shifted conv needs its scratch")
    let units = g.batch * g.group
    let conv = ConvUnits(g: g, x: x, weights: weights, bias: bias, out: out, epilogue: epilogue, table: table,
                         scratch: shifted ? scratch : nil, scratchStride: scratchStride)
    let work = conv.shape.m * conv.shape.n * conv.shape.k / 16
    if units >= parallelism.threads, parallelism.chunks(units, cost: work) > 1 {
        // Through a C function and a pointer: a capturing closure would allocate per run.
        var state = conv
        withUnsafeMutablePointer(to: &state) { state in
            parallelism.forEach(units, cost: work, context: UnsafeMutableRawPointer(state)) { context, lower, upper, chunk in
                let conv = context.assumingMemoryBound(to: ConvUnits.self)
                for u in lower..<upper { conv.pointee.unit(u, threads: 1, slot: chunk) }
            }
        }
        return
    }
    for u in 0..<units { conv.unit(u, threads: parallelism.threads, slot: nil) }
}

/// The (image, group) products of one conv2dF32 call.
private struct ConvUnits {
    let g: ConvGeometry, x: UnsafePointer<Float>, weights: ConvWeights, bias: UnsafePointer<Float>?
    let out: UnsafeMutablePointer<Float>, epilogue: GemmEpilogue?, table: UnsafePointer<Int32>?
    /// The shifted conv's scratch (nil when it does not run shifted).
    let scratch: UnsafeMutablePointer<Float>?, scratchStride: Int

    var shape: GemmShape { GemmShape(m: g.outChannels / g.group, n: g.outH * g.outW, k: g.inChannels / g.group * g.taps) }

    /// Unit u = (image, group): its product on up to `threads` threads; `slot` picks the
    /// epilogue's and the shifted conv's scratch when units run side by side.
    func unit(_ u: Int, threads: Int, slot: Int?) {
        let (cg, mg, plane) = (g.inChannels / g.group, g.outChannels / g.group, g.outH * g.outW)
        let (n, group) = (u / g.group, u % g.group)
        let xg = x + (n * g.inChannels + group * cg) * g.height * g.width
        let b: GemmOperandB = g.isPointwise ? .matrix(MatrixView(xg, rowStride: plane)) : .image(ConvImage(g, x: xg, table: table))
        let offset = (n * g.outChannels + group * mg) * plane
        var writeBack = GemmWriteBack(rowBias: bias.map { $0 + group * mg }, epilogue: epilogue)
        writeBack.epilogue?.offset += offset
        if let slot { writeBack.epilogue?.slot = slot }
        if let scratch, let packed = weights.packed {
            ConvShifted.run(g, x: xg, packed: packed + group * weights.groupElements, out: out + offset,
                            padded: scratch + (slot ?? 0) * scratchStride, writeBack: writeBack, threads: threads)
            return
        }
        gemmF32(shape, weights.operand(group), b, out + offset, ldc: plane, accumulate: false, threads: threads,
                writeBack: writeBack)
    }
}

/// The gather table of a small conv's implicit im2col: for each k step (channel, ky, kx) of
/// one group and each output position, the offset of the input element it reads from the
/// group's first channel, or -1 where the window is in the padding. Worth it (and made) only
/// for small convs, where walking short row runs cost more than the product.
public enum ConvGatherTable {
    /// Entries of the table, or nil when the conv is too big (or pointwise) to want one.
    public static func elements(_ g: ConvGeometry) -> Int? {
        let entries = g.inChannels / g.group * g.taps * g.outH * g.outW
        guard !g.isPointwise, entries <= 1 << 16, g.inChannels / g.group * g.height * g.width < Int(Int32.max) else { return nil }
        return entries
    }

    /// Fills `into` (`elements(g)` entries).
    public static func fill(_ g: ConvGeometry, into table: UnsafeMutablePointer<Int32>) {
        let (positions, steps) = (g.outH * g.outW, g.inChannels / g.group * g.taps)
        for p in 0..<steps {
            for j in 0..<positions {
                table[p * positions + j] = g.imageOffset(step: p, position: j).map { Int32($0) } ?? -1
            }
        }
    }
}
