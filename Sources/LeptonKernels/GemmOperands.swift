/// What the packed f32 GEMM can multiply besides plain strided matrices, and what it can do to
/// a finished block of C:
///
/// - `PackedOperand`: a constant operand (a weight) packed once, when a plan is prepared, into
///   exactly the panel layout the micro-kernels read, so a product never repacks it (an LSTM
///   used to repack its recurrent weights every time step);
/// - `ConvImage`: the B operand of a convolution read straight from the image (implicit
///   im2col: the packer gathers each panel with the conv geometry, no column matrix);
/// - `GemmWriteBack`: per-row or per-column bias and an epilogue callback run on each finished
///   block of C by the thread that computed it, while it is still in cache.

/// A GEMM operand packed once. As A (`role == .a`, A[m, k]) it is MR-row slivers, as B
/// (`.b`, B[k, n]) NR-column panels; either way one KC-deep block of k steps after another,
/// block `k0` holding every sliver/panel of its k steps contiguously (zero-padded to a whole
/// sliver/panel), exactly as the driver packs a block on the fly. The memory is the caller's.
public struct PackedOperand: @unchecked Sendable {
    public enum Role: Sendable { case a, b }
    public let role: Role
    /// m (as A) or n (as B).
    public let extent: Int
    public let k: Int
    /// The operand unpacked (read by the portable GEMM, which does not use panels).
    public let source: MatrixView<Float>
    let base: UnsafePointer<Float>

    /// The layout's name: "gemm-a:mr12:kc256" (A slivers) or "gemm-b:nr32:kc256" (B panels).
    public static func layoutName(_ role: Role) -> String {
        role == .a ? "gemm-a:mr\(PackedGemm.mr):kc\(PackedGemm.kc)" : "gemm-b:nr\(PackedGemm.nr):kc\(PackedGemm.kc)"
    }

    /// Floats `init(packing:…)` writes.
    public static func elements(role: Role, extent: Int, k: Int) -> Int { padded(role, extent) * k }

    /// Packs `source` (A[extent, k] or B[k, extent]) into `into`, which must hold `elements(…)`
    /// floats — or, with `pack: false`, adopts `into` as already holding that packing (made by
    /// an earlier plan, or stored in an artifact).
    public init(packing source: MatrixView<Float>, role: Role, extent: Int, k: Int, into: UnsafeMutablePointer<Float>, pack: Bool = true) {
        (self.source, self.role, self.extent, self.k, base) = (source, role, extent, k, UnsafePointer(into))
        guard pack else { return }
        let width = Self.padded(role, extent)
        var k0 = 0
        while k0 < k {
            let depth = Swift.min(PackedGemm.blockDepth(k), k - k0)
            switch role {
            case .a: PackedGemm.packA(source, rows: 0, extent, columns: k0, depth, into: into + k0 * width)
            case .b: PackedGemm.packB(source, rows: k0, depth, columns: 0, extent, into: into + k0 * width)
            }
            k0 += depth
        }
    }

    /// The slivers/panels of the k block at `k0` (`depth` steps) from row/column `start` (a
    /// multiple of MR/NR) on.
    func block(k0: Int, depth: Int, start: Int) -> UnsafePointer<Float> { base + k0 * Self.padded(role, extent) + start * depth }

    static func padded(_ role: Role, _ extent: Int) -> Int {
        let width = role == .a ? PackedGemm.mr : PackedGemm.nr
        return (extent + width - 1) / width * width
    }
}

/// The A operand of a product: a strided matrix or a pre-packed one.
public enum GemmOperandA: @unchecked Sendable {
    case matrix(MatrixView<Float>)
    case packed(PackedOperand)
}

/// The B operand of a product: a strided matrix, a pre-packed one, or a conv's image read as
/// its column matrix.
public enum GemmOperandB: @unchecked Sendable {
    case matrix(MatrixView<Float>)
    case packed(PackedOperand)
    case image(ConvImage)
}

/// One group of one image of a conv2d as the B[k, n] operand of its GEMM: k = (c·kH + ky)·kW + kx
/// over the group's channels, n = oy·oW + ox, B[k, n] = x[c, oy·sH − padTop + ky·dH,
/// ox·sW − padLeft + kx·dW] (0 outside the image).
public struct ConvImage: @unchecked Sendable {
    public var geometry: ConvGeometry
    /// The group's first channel.
    public var x: UnsafePointer<Float>
    /// For small convs, each B element's offset from `x` (-1: padding), made once at plan time
    /// (`ConvGatherTable`): packing is then one gather per element instead of a walk over
    /// short row runs, whose bookkeeping dominated convs with few output columns per row.
    public var table: UnsafePointer<Int32>?

    public init(_ geometry: ConvGeometry, x: UnsafePointer<Float>, table: UnsafePointer<Int32>? = nil) {
        (self.geometry, self.x, self.table) = (geometry, x, table)
    }
}

/// What happens to each finished block of C before the GEMM returns: `rowBias[i]` /
/// `columnBias[j]` are added (C[i, j] += b), then `epilogue` runs over it.
public struct GemmWriteBack: @unchecked Sendable {
    public var rowBias: UnsafePointer<Float>?
    public var columnBias: UnsafePointer<Float>?
    public var epilogue: GemmEpilogue?

    public init(rowBias: UnsafePointer<Float>? = nil, columnBias: UnsafePointer<Float>? = nil, epilogue: GemmEpilogue? = nil) {
        (self.rowBias, self.columnBias, self.epilogue) = (rowBias, columnBias, epilogue)
    }

    public static let none = GemmWriteBack()
    var isEmpty: Bool { rowBias == nil && columnBias == nil && epilogue == nil }
}

/// A callback over finished output elements: `body(start, count, slot)` for the `count`
/// contiguous elements from `offset + start` (element index from the output's base, `start`
/// counted from C's first element) — called on the thread that computed them, `slot` being
/// that thread's index (below the GEMM's thread count) unless the caller fixed one. Each
/// element is passed exactly once.
///
/// The callback is a C function and a pointer to its state, which the caller owns (the
/// prepared step) and keeps alive while kernels run. No reference is counted: kernels copy
/// their problem description (and this struct in it) per block and per thread, and calling a
/// Swift closure retained and released its context on every call, from both cores, so its
/// count's cache line bounced between them.
public struct GemmEpilogue: @unchecked Sendable {
    public typealias Function = @convention(c) (_ state: UnsafeRawPointer, _ start: Int, _ count: Int, _ slot: Int) -> Void
    private let function: Function
    private let state: UnsafeRawPointer
    /// Where C starts, in elements from the base the body indexes.
    public var offset: Int
    /// A fixed scratch slot (a caller already running on worker `slot`), else the GEMM's own.
    public var slot: Int?

    /// An epilogue calling `function(state, start, count, slot)`; `state` must outlive every use.
    public init(state: UnsafeRawPointer, offset: Int = 0, slot: Int? = nil, _ function: Function) {
        (self.function, self.state, self.offset, self.slot) = (function, state, offset, slot)
    }

    /// Runs the callback over `count` elements from `start`, as scratch slot `slot`.
    @inline(__always) public func body(_ start: Int, _ count: Int, _ slot: Int) { function(state, start, count, slot) }
}

extension GemmWriteBack {
    /// Applies the write-back to C[rows, columns] (C has row stride `ldc`).
    func finish(_ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Range<Int>, columns: Range<Int>, part: Int) {
        if rowBias != nil || columnBias != nil {
            for i in rows {
                let row = c + i * ldc
                if let rowBias { let b = rowBias[i]; for j in columns { row[j] += b } }
                if let columnBias { for j in columns { row[j] += columnBias[j] } }
            }
        }
        guard let epilogue, !rows.isEmpty, !columns.isEmpty else { return }
        let slot = epilogue.slot ?? part
        if columns.lowerBound == 0 && columns.upperBound == ldc {
            epilogue.body(epilogue.offset + rows.lowerBound * ldc, rows.count * ldc, slot)
        } else {
            for i in rows { epilogue.body(epilogue.offset + i * ldc + columns.lowerBound, columns.count, slot) }
        }
    }
}
