/// The LSTM gate math for f32 on SIMD16 lanes of the hidden axis: sigmoid/tanh from
/// VectorMath.swift instead of one libm call per gate per element (30% of the LSTM profile).
/// Pre-activations are summed in the reference's order (x·Wᵀ + h·Rᵀ + Wb + Rb), and a
/// hidden size that is not a multiple of 16 runs its tail on zero-padded lanes, so every
/// element's value is independent of its position.

/// One LSTM step's gates for all batch rows: c ← f⊙c + i⊙g, h ← o⊙tanh(c), gates (i, o, f, c).
/// The rows are split over up to `threads` threads when there is enough of them: the gates
/// (five vector transcendentals per 16 units, ~12 µs for 8 x 256) were the serial part of
/// each step of a two-thread LSTM, between two halves of its split product.
@usableFromInline func lstmGatesFloat(batch: Int, hidden size: Int, _ xw: UnsafePointer<Float>, _ hr: UnsafePointer<Float>,
                                      _ b: UnsafePointer<Float>?, _ h: UnsafeMutablePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                                      threads: Int = 1) {
    var job = LSTMGatesJob(batch: batch, size: size, xw: xw, hr: hr, b: b, h: h, c: c)
    withUnsafeMutablePointer(to: &job) { job in
        gatesParallelism(batch: batch, size: size, threads: threads)
            .forEach(batch, cost: size, context: UnsafeMutableRawPointer(job)) { context, lower, upper, _ in
                context.assumingMemoryBound(to: LSTMGatesJob.self).pointee.run(rows: lower..<upper)
            }
    }
}

/// How a recurrent step's gates split their batch rows: one chunk per thread from 1,024
/// hidden units (batch x hidden, ~3 µs of gates) on. Far under the default chunk bar, but the
/// fork-join on awake workers costs ~0.5 µs and the gates are the serial part of each step.
func gatesParallelism(batch: Int, size: Int, threads: Int) -> Parallelism {
    Parallelism(threads: batch * size < 1024 ? 1 : threads, minimumChunkCost: 1)
}

/// The operands of one step's LSTM gates.
struct LSTMGatesJob: @unchecked Sendable {
    let batch: Int, size: Int
    let xw: UnsafePointer<Float>, hr: UnsafePointer<Float>, b: UnsafePointer<Float>?
    let h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>

    init(batch: Int, size: Int, xw: UnsafePointer<Float>, hr: UnsafePointer<Float>, b: UnsafePointer<Float>?,
         h: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>) {
        (self.batch, self.size, self.xw, self.hr, self.b, self.h, self.c) = (batch, size, xw, hr, b, h, c)
    }

    func run(rows: Range<Int>) {
        let gh = 4 * size, full = size / 16 * 16
        for row in rows {
            let (x, rr) = (xw + row * gh, hr + row * gh)
            let (hRow, cRow) = (h + row * size, c + row * size)
            for j in stride(from: 0, to: full, by: 16) {
                lstmLanes(x + j, rr + j, b.map { $0 + j }, gate: size, bias: gh, cRow + j, hRow + j)
            }
            guard full < size else { continue }
            // The tail on zero-padded copies laid out as 16-wide gates, through the same code.
            let lanes = size - full
            // Two buffers of at most 1 KB each: a bigger temporary allocation may go to the heap.
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 160) { states in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 128) { biases in
                    guard let t = states.baseAddress, let tb = biases.baseAddress else { return }
                    t.initialize(repeating: 0, count: 160)
                    tb.initialize(repeating: 0, count: 128)
                    let (tx, tr, tc, th) = (t, t + 64, t + 128, t + 144)
                    for k in 0..<4 {
                        (tx + 16 * k).update(from: x + k * size + full, count: lanes)
                        (tr + 16 * k).update(from: rr + k * size + full, count: lanes)
                        if let b {
                            (tb + 16 * k).update(from: b + k * size + full, count: lanes)
                            (tb + 64 + 16 * k).update(from: b + gh + k * size + full, count: lanes)
                        }
                    }
                    tc.update(from: cRow + full, count: lanes)
                    lstmLanes(tx, tr, b == nil ? nil : UnsafePointer(tb), gate: 16, bias: 64, tc, th)
                    (cRow + full).update(from: tc, count: lanes)
                    (hRow + full).update(from: th, count: lanes)
                }
            }
        }
    }
}

/// 16 hidden units: gate k's pre-activations at k·`gate` in x and rr (and b, whose recurrent
/// half starts at `bias`), the cell and hidden state at c and h.
@inline(__always) func lstmLanes(_ x: UnsafePointer<Float>, _ rr: UnsafePointer<Float>, _ b: UnsafePointer<Float>?, gate: Int, bias: Int,
                                 _ c: UnsafeMutablePointer<Float>, _ h: UnsafeMutablePointer<Float>) {
    @inline(__always) func preactivation(_ k: Int) -> F32x16 {
        var sum = loadF32x16(x + k * gate) + loadF32x16(rr + k * gate)
        if let b {
            sum = sum + loadF32x16(b + k * gate)
            sum = sum + loadF32x16(b + bias + k * gate)
        }
        return sum
    }
    let input = vsigmoid(preactivation(0)), output = vsigmoid(preactivation(1))
    let forget = vsigmoid(preactivation(2)), candidate = vtanh(preactivation(3))
    let cell = forget * loadF32x16(c) + input * candidate
    storeF32x16(cell, c)
    storeF32x16(output * vtanh(cell), h)
}

/// `lanes` (1...16) floats from p, zeros in the other lanes.
@inline(__always) func loadLanes(_ p: UnsafePointer<Float>, _ lanes: Int) -> F32x16 {
    if lanes == 16 { return loadF32x16(p) }
    var v = F32x16()
    for l in 0..<lanes { v[l] = p[l] }
    return v
}

/// The first `lanes` (1...16) lanes of v to p.
@inline(__always) func storeLanes(_ v: F32x16, _ p: UnsafeMutablePointer<Float>, _ lanes: Int) {
    if lanes == 16 { return storeF32x16(v, p) }
    for l in 0..<lanes { p[l] = v[l] }
}

/// One GRU step's gates in f32 (gates z, r, h in ONNX order), 16 hidden units at a time, the
/// batch rows split over threads like the LSTM's (`gatesParallelism`). Phase `reset` writes
/// r = σ(x_r + rr_r + Wb_r + Rb_r); phase `update` writes h ← (1 − z)⊙ĥ + z⊙h with z = σ(x_z + rr_z + Wb_z + Rb_z) and
/// ĥ = tanh(x_h + r⊙(rr_h + Rb_h) + Wb_h) (linear before reset) or tanh(x_h + g + Rb_h + Wb_h),
/// g = (r⊙h)·R_hᵀ computed between the phases. Sums run in the scalar path's order.
@usableFromInline struct GRUGatesJob {
    @usableFromInline enum Phase { case reset, update }
    @usableFromInline var phase: Phase
    @usableFromInline let batch: Int, size: Int, linearBeforeReset: Bool
    @usableFromInline let xw: UnsafePointer<Float>, hr: UnsafePointer<Float>, b: UnsafePointer<Float>?
    @usableFromInline let reset: UnsafeMutablePointer<Float>, gated: UnsafePointer<Float>, h: UnsafeMutablePointer<Float>

    @usableFromInline init(batch: Int, size: Int, linearBeforeReset: Bool, xw: UnsafePointer<Float>, hr: UnsafePointer<Float>,
                           b: UnsafePointer<Float>?, reset: UnsafeMutablePointer<Float>, gated: UnsafePointer<Float>,
                           h: UnsafeMutablePointer<Float>) {
        (self.phase, self.batch, self.size, self.linearBeforeReset) = (.reset, batch, size, linearBeforeReset)
        (self.xw, self.hr, self.b, self.reset, self.gated, self.h) = (xw, hr, b, reset, gated, h)
    }

    /// Runs `phase` for every batch row, split over up to `threads` threads.
    @usableFromInline func run(_ phase: Phase, threads: Int) {
        var job = self
        job.phase = phase
        withUnsafeMutablePointer(to: &job) { job in
            gatesParallelism(batch: batch, size: size, threads: threads)
                .forEach(batch, cost: size, context: UnsafeMutableRawPointer(job)) { context, lower, upper, _ in
                    context.assumingMemoryBound(to: GRUGatesJob.self).pointee.run(rows: lower..<upper)
                }
        }
    }

    func run(rows: Range<Int>) {
        let gh = 3 * size
        for row in rows {
            let (x, rr, state) = (xw + row * gh, hr + row * gh, row * size)
            forEachVector(size) { j, lanes in
                @inline(__always) func load(_ p: UnsafePointer<Float>) -> F32x16 { loadLanes(p + j, lanes) }
                @inline(__always) func bias(_ k: Int) -> F32x16? { b.map { load($0 + k) } }
                switch phase {
                case .reset:
                    var sum = load(x + size) + load(rr + size)
                    if let wb = bias(size), let rb = bias(gh + size) { sum = sum + wb + rb }
                    storeLanes(vsigmoid(sum), reset + state + j, lanes)
                case .update:
                    var z = load(x) + load(rr)
                    if let wb = bias(0), let rb = bias(gh) { z = z + wb + rb }
                    let update = vsigmoid(z)
                    var candidate: F32x16
                    if linearBeforeReset {
                        var recurrent = load(rr + 2 * size)
                        if let rb = bias(gh + 2 * size) { recurrent = recurrent + rb }
                        candidate = load(x + 2 * size) + load(reset + state) * recurrent
                        if let wb = bias(2 * size) { candidate = candidate + wb }
                    } else {
                        candidate = load(x + 2 * size) + load(gated + state)
                        if let rb = bias(gh + 2 * size), let wb = bias(2 * size) { candidate = candidate + rb + wb }
                    }
                    candidate = vtanh(candidate)
                    let previous = load(h + state)
                    storeLanes((F32x16(repeating: 1) - update) * candidate + update * previous, h + state + j, lanes)
                }
            }
        }
    }
}
