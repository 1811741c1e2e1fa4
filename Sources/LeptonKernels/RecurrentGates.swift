/// The LSTM gate math for f32 on SIMD16 lanes of the hidden axis: sigmoid/tanh from
/// VectorMath.swift instead of one libm call per gate per element (30% of the LSTM profile).
/// Pre-activations are summed in the reference's order (x·Wᵀ + h·Rᵀ + Wb + Rb), and a
/// hidden size that is not a multiple of 16 runs its tail on zero-padded lanes, so every
/// element's value is independent of its position.

/// One LSTM step's gates for all batch rows: c ← f⊙c + i⊙g, h ← o⊙tanh(c), gates (i, o, f, c).
@usableFromInline func lstmGatesFloat(batch: Int, hidden size: Int, _ xw: UnsafePointer<Float>, _ hr: UnsafePointer<Float>,
                                      _ b: UnsafePointer<Float>?, _ h: UnsafeMutablePointer<Float>, _ c: UnsafeMutablePointer<Float>) {
    let gh = 4 * size
    for row in 0..<batch {
        let (x, rr) = (xw + row * gh, hr + row * gh)
        let (hRow, cRow) = (h + row * size, c + row * size)
        var j = 0
        while j < size {
            let lanes = Swift.min(16, size - j)
            @inline(__always) func gate(_ k: Int) -> F32x16 {
                var sum = loadLanes(x + k, lanes) + loadLanes(rr + k, lanes)
                if let b {
                    sum = sum + loadLanes(b + k, lanes)
                    sum = sum + loadLanes(b + gh + k, lanes)
                }
                return sum
            }
            let input = vsigmoid(gate(j)), output = vsigmoid(gate(size + j))
            let forget = vsigmoid(gate(2 * size + j)), candidate = vtanh(gate(3 * size + j))
            let cell = forget * loadLanes(cRow + j, lanes) + input * candidate
            storeLanes(cell, cRow + j, lanes)
            storeLanes(output * vtanh(cell), hRow + j, lanes)
            j += 16
        }
    }
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
