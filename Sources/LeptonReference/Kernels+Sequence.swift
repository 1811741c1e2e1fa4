/// LSTM and GRU over x[seq, batch, input] (ONNX LSTM/GRU: default activations, no peepholes,
/// no sequence_lens). Weights are per direction: w[dirs, gates·H, input], r[dirs, gates·H, H],
/// b[dirs, 2·gates·H] = [Wb, Rb]. The reverse direction reads time steps last to first and
/// writes each step's state at that step's position in y.
///
/// Pre-activations sum x·Wᵀ, h·Rᵀ, Wb, Rb in that order (each dot product in order over k).

/// lstm -> [y[seq, dirs, batch, H], y_h[dirs, batch, H], y_c[dirs, batch, H]]. Gates i, o, f, c.
func lstm(_ inputs: [Tensor], _ attributes: Attributes) -> [Tensor] {
    switch inputs[0].storage {
    case .f32: recurrent(inputs, attributes, Float.self, gates: 4, cell: lstmCell)
    case .f64: recurrent(inputs, attributes, Double.self, gates: 4, cell: lstmCell)
    default: preconditionFailure("lstm takes floats")
    }
}

/// gru -> [y[seq, dirs, batch, H], y_h[dirs, batch, H]]. Gates z, r, h.
func gru(_ inputs: [Tensor], _ attributes: Attributes) -> [Tensor] {
    let linearBeforeReset = attributes.bool("linear_before_reset")
    switch inputs[0].storage {
    case .f32: return recurrent(inputs, attributes, Float.self, gates: 3) { gruCell($0, linearBeforeReset: linearBeforeReset) }
    case .f64: return recurrent(inputs, attributes, Double.self, gates: 3) { gruCell($0, linearBeforeReset: linearBeforeReset) }
    default: preconditionFailure("gru takes floats")
    }
}

/// Everything one cell update reads: this step's input row, the previous state, and the
/// direction's weights (offsets into the full w, r, b arrays).
struct CellStep<T: FloatScalar> {
    var x: ArraySlice<T>
    var h: ArraySlice<T>
    var c: ArraySlice<T>
    var w: ArraySlice<T>
    var r: ArraySlice<T>
    /// [Wb, Rb], zeros when the op has no bias.
    var b: ArraySlice<T>
    var hidden: Int

    /// m[rows, v.count] · v, m row-major.
    func times(_ m: ArraySlice<T>, rows: Range<Int>, _ v: some Collection<T>) -> [T] {
        let k = v.count
        return rows.map { row in
            var sum = T.zero
            for (j, value) in v.enumerated() { sum += m[m.startIndex + row * k + j] * value }
            return sum
        }
    }
}

private func lstmCell<T: FloatScalar>(_ step: CellStep<T>) -> (h: [T], c: [T]) {
    let size = step.hidden
    let xw = step.times(step.w, rows: 0..<(4 * size), step.x)
    let hr = step.times(step.r, rows: 0..<(4 * size), step.h)
    func gate(_ g: Int, _ j: Int) -> T {
        let k = g * size + j
        return xw[k] + hr[k] + step.b[step.b.startIndex + k] + step.b[step.b.startIndex + 4 * size + k]
    }
    var h: [T] = [], c: [T] = []
    for j in 0..<size {
        let input = sigmoid(gate(0, j)), output = sigmoid(gate(1, j))
        let forget = sigmoid(gate(2, j)), candidate = T.tanh(gate(3, j))
        let cell = forget * step.c[step.c.startIndex + j] + input * candidate
        c.append(cell)
        h.append(output * T.tanh(cell))
    }
    return (h, c)
}

private func gruCell<T: FloatScalar>(_ step: CellStep<T>, linearBeforeReset: Bool) -> (h: [T], c: [T]) {
    let size = step.hidden
    let (wb, rb) = (step.b.startIndex, step.b.startIndex + 3 * size)
    let xw = step.times(step.w, rows: 0..<(3 * size), step.x)
    let hr = step.times(step.r, rows: 0..<(linearBeforeReset ? 3 : 2) * size, step.h)
    let previous = Array(step.h)
    let update = (0..<size).map { sigmoid(xw[$0] + hr[$0] + step.b[wb + $0] + step.b[rb + $0]) }
    let reset = (0..<size).map { sigmoid(xw[size + $0] + hr[size + $0] + step.b[wb + size + $0] + step.b[rb + size + $0]) }
    let candidate: [T]
    if linearBeforeReset {
        candidate = (0..<size).map { j in
            T.tanh(xw[2 * size + j] + reset[j] * (hr[2 * size + j] + step.b[rb + 2 * size + j]) + step.b[wb + 2 * size + j])
        }
    } else {
        let gated = step.times(step.r, rows: (2 * size)..<(3 * size), (0..<size).map { reset[$0] * previous[$0] })
        candidate = (0..<size).map { j in
            T.tanh(xw[2 * size + j] + gated[j] + step.b[rb + 2 * size + j] + step.b[wb + 2 * size + j])
        }
    }
    let h = (0..<size).map { j in (1 - update[j]) * candidate[j] + update[j] * previous[j] }
    return (h, [])
}

/// Runs `cell` over every direction, time step and batch row; returns y, y_h and (when the
/// cell has one) y_c.
private func recurrent<T: FloatScalar>(_ inputs: [Tensor], _ attributes: Attributes, _: T.Type, gates: Int,
                                       cell: (CellStep<T>) -> (h: [T], c: [T])) -> [Tensor] {
    let (xTensor, wTensor, rTensor) = (inputs[0], inputs[1], inputs[2])
    let (seq, batch, inputSize) = (xTensor.shape[0], xTensor.shape[1], xTensor.shape[2])
    let hidden = attributes.int("hidden_size"), dirs = wTensor.shape[0]
    let direction = attributes.choice("direction")
    let x = xTensor.array(T.self), w = wTensor.array(T.self), r = rTensor.array(T.self)
    let b = inputs.count > 3 ? inputs[3].array(T.self) : nil
    let state = dirs * batch * hidden
    var h = (inputs.count > 4 ? inputs[4].array(T.self) : nil) ?? Array(repeating: 0, count: state)
    var c = (inputs.count > 5 ? inputs[5].array(T.self) : nil) ?? Array(repeating: 0, count: state)
    var y = Array(repeating: T.zero, count: seq * state)
    let zeroBias = Array(repeating: T.zero, count: 2 * gates * hidden)
    for d in 0..<dirs {
        let reverse = direction == "reverse" || (direction == "bidirectional" && d == 1)
        let wSlice = w[(d * gates * hidden * inputSize)..<((d + 1) * gates * hidden * inputSize)]
        let rSlice = r[(d * gates * hidden * hidden)..<((d + 1) * gates * hidden * hidden)]
        let bSlice = b?[(d * 2 * gates * hidden)..<((d + 1) * 2 * gates * hidden)] ?? zeroBias[...]
        for stepIndex in 0..<seq {
            let t = reverse ? seq - 1 - stepIndex : stepIndex
            for row in 0..<batch {
                let s = (d * batch + row) * hidden
                let xStart = (t * batch + row) * inputSize
                let step = CellStep(x: x[xStart..<(xStart + inputSize)], h: h[s..<(s + hidden)], c: c[s..<(s + hidden)],
                                    w: wSlice, r: rSlice, b: bSlice, hidden: hidden)
                let next = cell(step)
                h.replaceSubrange(s..<(s + hidden), with: next.h)
                if !next.c.isEmpty { c.replaceSubrange(s..<(s + hidden), with: next.c) }
                y.replaceSubrange((t * state + s)..<(t * state + s + hidden), with: next.h)
            }
        }
    }
    let results = [Tensor(shape: [seq, dirs, batch, hidden], scalars: y), Tensor(shape: [dirs, batch, hidden], scalars: h)]
    return gates == 4 ? results + [Tensor(shape: [dirs, batch, hidden], scalars: c)] : results
}
