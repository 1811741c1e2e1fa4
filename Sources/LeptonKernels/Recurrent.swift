/// LSTM and GRU (ONNX layouts, default activations, no peepholes): the input projections of
/// all time steps are one `gemm` up front, each step one `gemm` against the recurrent weights,
/// then the gate math. Pre-activations sum x·Wᵀ, h·Rᵀ, Wb, Rb in that order, as the reference.

public struct RecurrentGeometry: Hashable, Sendable {
    public enum Direction: Hashable, Sendable { case forward, reverse, bidirectional }
    public var seq: Int, batch: Int, input: Int, hidden: Int
    public var direction: Direction
    /// 4 for LSTM (i, o, f, c), 3 for GRU (z, r, h).
    public var gates: Int
    public var linearBeforeReset: Bool

    public init(seq: Int, batch: Int, input: Int, hidden: Int, direction: Direction, gates: Int, linearBeforeReset: Bool = false) {
        (self.seq, self.batch, self.input, self.hidden) = (seq, batch, input, hidden)
        (self.direction, self.gates, self.linearBeforeReset) = (direction, gates, linearBeforeReset)
    }

    public var directions: Int { direction == .bidirectional ? 2 : 1 }
    /// Scratch elements: all input projections, one step's recurrent projection, and two
    /// [batch, hidden] temporaries for the GRU's reset-gated state.
    public var scratchElements: Int { (seq * batch + batch) * gates * hidden + 3 * batch * hidden }
}

/// The operands of one recurrent op; optional ones are nil.
public struct RecurrentOperands<T> {
    public var x: UnsafePointer<T>, w: UnsafePointer<T>, r: UnsafePointer<T>
    public var b: UnsafePointer<T>?, initialH: UnsafePointer<T>?, initialC: UnsafePointer<T>?
    public var y: UnsafeMutablePointer<T>, yH: UnsafeMutablePointer<T>, yC: UnsafeMutablePointer<T>?

    public init(x: UnsafePointer<T>, w: UnsafePointer<T>, r: UnsafePointer<T>, b: UnsafePointer<T>?,
                initialH: UnsafePointer<T>?, initialC: UnsafePointer<T>?, y: UnsafeMutablePointer<T>,
                yH: UnsafeMutablePointer<T>, yC: UnsafeMutablePointer<T>?) {
        (self.x, self.w, self.r, self.b, self.initialH, self.initialC) = (x, w, r, b, initialH, initialC)
        (self.y, self.yH, self.yC) = (y, yH, yC)
    }
}

/// The f32 weights of a recurrent op packed once (they are constant), so neither the input
/// projection nor any time step repacks them: per direction Wᵀ [input, gates·hidden],
/// Rᵀ [hidden, gates·hidden] and, for a GRU, R_hᵀ [hidden, hidden] on its own.
public struct RecurrentPacking: @unchecked Sendable {
    public let w: [PackedOperand], r: [PackedOperand], rHidden: [PackedOperand]

    /// Floats the packing of `g`'s weights takes.
    public static func elements(_ g: RecurrentGeometry) -> Int {
        let gh = g.gates * g.hidden
        let perDirection = PackedOperand.elements(role: .b, extent: gh, k: g.input) + PackedOperand.elements(role: .b, extent: gh, k: g.hidden)
            + (g.gates == 3 ? PackedOperand.elements(role: .b, extent: g.hidden, k: g.hidden) : 0)
        return g.directions * perDirection
    }

    /// Names everything the packing depends on besides the weights' values.
    public static func layoutName(_ g: RecurrentGeometry) -> String {
        "recurrent \(PackedOperand.layoutName(.b)) gates\(g.gates) h\(g.hidden) in\(g.input) dir\(g.directions)"
    }

    /// Packs w[directions, gh, input] and r[directions, gh, hidden] into `into` (`elements(g)`
    /// floats); with `pack: false`, `into` already holds that packing.
    public init(_ g: RecurrentGeometry, w: UnsafePointer<Float>, r: UnsafePointer<Float>, into: UnsafeMutablePointer<Float>,
                pack: Bool = true) {
        let gh = g.gates * g.hidden
        var (ws, rs, hs) = ([PackedOperand](), [PackedOperand](), [PackedOperand]())
        var next = into
        let packNow = pack
        func operand(_ source: MatrixView<Float>, n: Int, k: Int) -> PackedOperand {
            let operand = PackedOperand(packing: source, role: .b, extent: n, k: k, into: next, pack: packNow)
            next += PackedOperand.elements(role: .b, extent: n, k: k)
            return operand
        }
        for d in 0..<g.directions {
            let (wd, rd) = (w + d * gh * g.input, r + d * gh * g.hidden)
            ws.append(operand(MatrixView(wd, rowStride: g.input).transposed, n: gh, k: g.input))
            rs.append(operand(MatrixView(rd, rowStride: g.hidden).transposed, n: gh, k: g.hidden))
            if g.gates == 3 {
                hs.append(operand(MatrixView(rd + 2 * g.hidden * g.hidden, rowStride: g.hidden).transposed, n: g.hidden, k: g.hidden))
            }
        }
        (self.w, self.r, rHidden) = (ws, rs, hs)
    }
}

/// C = A·B, through the pre-packed B when there is one (f32 only).
@inlinable func recurrentProduct<T: KernelFloat>(_ shape: GemmShape, _ a: MatrixView<T>, _ b: MatrixView<T>,
                                                                     packed: PackedOperand?, _ c: UnsafeMutablePointer<T>, ldc: Int,
                                                                     threads: Int) {
    if let packed, T.self == Float.self {
        gemmF32(shape, .matrix(unsafeBitCast(a, to: MatrixView<Float>.self)), .packed(packed),
                UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc, accumulate: false, threads: threads)
    } else {
        gemm(shape, a, b, c, ldc: ldc, accumulate: false, threads: threads)
    }
}

/// Runs every direction; the state lives in yH / yC (a scratch slice for a GRU's absent c).
/// `threads` caps the threads each f32 GEMM may split over; `packed` holds f32 weights packed
/// beforehand.
@inlinable public func recurrent<T: KernelFloat>(_ g: RecurrentGeometry, _ o: RecurrentOperands<T>, scratch: UnsafeMutablePointer<T>,
                                                 threads: Int = .max, packed: RecurrentPacking? = nil) {
    let (gh, state) = (g.gates * g.hidden, g.batch * g.hidden)
    let xw = scratch, hr = scratch + g.seq * g.batch * gh, temp = hr + g.batch * gh
    for d in 0..<g.directions {
        let reverse = g.direction == .reverse || (g.direction == .bidirectional && d == 1)
        let (w, r) = (o.w + d * gh * g.input, o.r + d * gh * g.hidden)
        let b = o.b.map { $0 + d * 2 * gh }
        let h = o.yH + d * state
        if let h0 = o.initialH { h.update(from: h0 + d * state, count: state) } else { h.update(repeating: 0, count: state) }
        let c = o.yC.map { $0 + d * state }
        if let c {
            if let c0 = o.initialC { c.update(from: c0 + d * state, count: state) } else { c.update(repeating: 0, count: state) }
        }
        recurrentProduct(GemmShape(m: g.seq * g.batch, n: gh, k: g.input), MatrixView(o.x, rowStride: g.input),
                         MatrixView(w, rowStride: g.input).transposed, packed: packed?.w[d], xw, ldc: gh, threads: threads)
        for step in 0..<g.seq {
            let t = reverse ? g.seq - 1 - step : step
            let recurrentRows = g.gates == 3 && !g.linearBeforeReset ? 2 * g.hidden : gh
            recurrentProduct(GemmShape(m: g.batch, n: recurrentRows, k: g.hidden), MatrixView(UnsafePointer(h), rowStride: g.hidden),
                             MatrixView(r, rowStride: g.hidden).transposed, packed: packed?.r[d], hr, ldc: gh, threads: threads)
            let stepXW = xw + t * g.batch * gh
            if let c {
                lstmGates(g, stepXW, hr, b, h, c, threads: threads)
            } else {
                gruGates(g, stepXW, hr, b, r, h, temp, threads: threads, packed: packed?.rHidden[d])
            }
            (o.y + (t * g.directions + d) * state).update(from: h, count: state)
        }
    }
}

@inlinable func lstmGates<T: KernelFloat>(_ g: RecurrentGeometry, _ xw: UnsafeMutablePointer<T>, _ hr: UnsafeMutablePointer<T>,
                                       _ b: UnsafePointer<T>?, _ h: UnsafeMutablePointer<T>, _ c: UnsafeMutablePointer<T>,
                                       threads: Int = 1) {
    let size = g.hidden, gh = 4 * size
    if T.self == Float.self {    // SIMD16 gates (RecurrentGates.swift)
        return lstmGatesFloat(batch: g.batch, hidden: size, UnsafePointer(OpaquePointer(xw)), UnsafePointer(OpaquePointer(hr)),
                              b.map { UnsafePointer(OpaquePointer($0)) }, UnsafeMutablePointer(OpaquePointer(h)),
                              UnsafeMutablePointer(OpaquePointer(c)), threads: threads)
    }
    for row in 0..<g.batch {
        let (x, rr) = (xw + row * gh, hr + row * gh)
        func gate(_ k: Int) -> T { x[k] + rr[k] + (b?[k] ?? 0) + (b?[gh + k] ?? 0) }
        for j in 0..<size {
            let input = sigmoid(gate(j)), output = sigmoid(gate(size + j))
            let forget = sigmoid(gate(2 * size + j)), candidate = T.tanh(gate(3 * size + j))
            let cell = forget * c[row * size + j] + input * candidate
            c[row * size + j] = cell
            h[row * size + j] = output * T.tanh(cell)
        }
    }
}

@inlinable func gruGates<T: KernelFloat>(_ g: RecurrentGeometry, _ xw: UnsafeMutablePointer<T>, _ hr: UnsafeMutablePointer<T>,
                                      _ b: UnsafePointer<T>?, _ r: UnsafePointer<T>, _ h: UnsafeMutablePointer<T>,
                                      _ temp: UnsafeMutablePointer<T>, threads: Int, packed: PackedOperand?) {
    let size = g.hidden, gh = 3 * size, state = g.batch * size
    let (reset, gated) = (temp, temp + state)
    if T.self == Float.self {    // SIMD16 gates, rows over the threads (RecurrentGates.swift)
        let job = GRUGatesJob(batch: g.batch, size: size, linearBeforeReset: g.linearBeforeReset, xw: UnsafePointer(OpaquePointer(xw)),
                              hr: UnsafePointer(OpaquePointer(hr)), b: b.map { UnsafePointer(OpaquePointer($0)) },
                              reset: UnsafeMutablePointer(OpaquePointer(reset)), gated: UnsafePointer(OpaquePointer(gated)),
                              h: UnsafeMutablePointer(OpaquePointer(h)))
        job.run(.reset, threads: threads)
        if !g.linearBeforeReset { gruGatedProduct(g, reset, h, r, temp, gated, threads: threads, packed: packed) }
        job.run(.update, threads: threads)
        return
    }
    func wb(_ k: Int) -> T { b?[k] ?? 0 }
    func rb(_ k: Int) -> T { b?[gh + k] ?? 0 }
    for row in 0..<g.batch {
        for j in 0..<size {
            let k = row * gh + size + j
            reset[row * size + j] = sigmoid(xw[k] + hr[k] + wb(size + j) + rb(size + j))
        }
    }
    if !g.linearBeforeReset { gruGatedProduct(g, reset, h, r, temp, gated, threads: threads, packed: packed) }
    for row in 0..<g.batch {
        for j in 0..<size {
            let (x, rr) = (xw + row * gh, hr + row * gh)
            let update = sigmoid(x[j] + rr[j] + wb(j) + rb(j))
            let candidate: T
            if g.linearBeforeReset {
                candidate = T.tanh(x[2 * size + j] + reset[row * size + j] * (rr[2 * size + j] + rb(2 * size + j)) + wb(2 * size + j))
            } else {
                candidate = T.tanh(x[2 * size + j] + gated[row * size + j] + rb(2 * size + j) + wb(2 * size + j))
            }
            h[row * size + j] = (1 - update) * candidate + update * h[row * size + j]
        }
    }
}

/// gated = (reset ⊙ h) · R_hᵀ, before h changes (a GRU step without linear_before_reset).
@inlinable func gruGatedProduct<T: KernelFloat>(_ g: RecurrentGeometry, _ reset: UnsafeMutablePointer<T>, _ h: UnsafeMutablePointer<T>,
                                             _ r: UnsafePointer<T>, _ temp: UnsafeMutablePointer<T>, _ gated: UnsafeMutablePointer<T>,
                                             threads: Int, packed: PackedOperand?) {
    let (size, state) = (g.hidden, g.batch * g.hidden)
    let rh = temp + 2 * state
    for i in 0..<state { rh[i] = reset[i] * h[i] }
    recurrentProduct(GemmShape(m: g.batch, n: size, k: size), MatrixView(UnsafePointer(rh), rowStride: size),
                     MatrixView(r + 2 * size * size, rowStride: size).transposed, packed: packed, gated, ldc: size,
                     threads: threads)
}
