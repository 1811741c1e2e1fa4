import LeptonIR

/// Gradients of lstm and gru: backpropagation through time by the reverse sweep itself.
///
/// The rule re-emits the node as its unrolled recurrence out of primitive ops and sweeps the
/// node's result adjoints back through them (`gradientThroughDecomposition`). Writing BPTT by
/// hand would repeat what the matmul, sigmoid, tanh, split and concat rules already do, and
/// would be one more copy of the ONNX equations to keep in step with the reference kernel
/// (`Kernels+Sequence.swift`); here the decomposition is the only copy, and the finite
/// difference checks compare it with that kernel.
///
/// To keep the backward graph small for long sequences, the input projection of all steps is
/// one matmul, x[seq·batch, input]·Wᵀ, with the biases added once and then split into steps;
/// each step is then one matmul with Rᵀ on the whole [batch, gates·H] block, one nonlinearity
/// per group of gates, and the state update (about a dozen nodes per LSTM step). The states
/// start from zeros when no initial state is given. Results nobody reads (y in a classifier
/// that uses only y_h) are dead code after differentiation, and DCE removes them.
func recurrentGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    guard b.shape(rule.x)[0] > 0 else {  // no steps: y is empty and the final states are the initial ones
        return [nil, nil, nil, nil, rule.results[1], rule.results.count > 2 ? rule.results[2] : nil]
    }
    let unrolled = Unrolled(rule, b)
    return try b.gradientThroughDecomposition(rule) { (b: inout GradientBuilder) throws(GradientError) -> [ValueID] in
        try unrolled.results(&b)
    }
}

/// An lstm or gru node's sizes and operands, and how to emit its recurrence step by step.
private struct Unrolled {
    let rule: GradientRule
    let isLSTM: Bool
    let seq: Int, batch: Int, features: Int, hidden: Int, dirs: Int

    init(_ rule: GradientRule, _ b: GradientBuilder) {
        self.rule = rule
        isLSTM = rule.op == .lstm
        let x = b.shape(rule.x)
        (seq, batch, features) = (x[0], x[1], x[2])
        hidden = rule.attributes.int("hidden_size")
        dirs = b.shape(rule.node.inputs[1])[0]
    }

    /// The node's results as the unrolled recurrence computes them: y, y_h (and y_c).
    func results(_ b: inout GradientBuilder) throws(GradientError) -> [ValueID] {
        var ys: [ValueID] = [], hs: [ValueID] = [], cs: [ValueID] = []
        for d in 0..<dirs {
            let run = try direction(d, &b)
            ys.append(try b.reshape(join(run.ys, axis: 0, &b), [seq, 1, batch, hidden]))
            hs.append(try b.reshape(run.h, [1, batch, hidden]))
            if let c = run.c { cs.append(try b.reshape(c, [1, batch, hidden])) }
        }
        let results = [try join(ys, axis: 1, &b), try join(hs, axis: 0, &b)]
        return isLSTM ? results + [try join(cs, axis: 0, &b)] : results
    }

    /// One direction: its per-step h in time order ([batch, H] each) and its final states.
    /// The reverse direction reads the steps last to first, as the kernel does.
    private func direction(_ d: Int, _ b: inout GradientBuilder) throws(GradientError) -> (ys: [ValueID], h: ValueID, c: ValueID?) {
        let reversed = rule.attributes.choice("direction") == "reverse" || d == 1
        let order = reversed ? Array((0..<seq).reversed()) : Array(0..<seq)
        let w = try ofDirection(rule.node.inputs[1], d, &b), r = try ofDirection(rule.node.inputs[2], d, &b)
        let bias = try rule.operand(3).map { v throws(GradientError) in try ofDirection(v, d, &b) }
        let xs = try b.reshape(rule.x, [seq * batch, features])
        let projected = try b(.matmul, xs, b(.transpose, w))  // [seq·batch, gates·H]
        var h = try initialState(4, d, &b)
        var ys = [ValueID](repeating: h, count: seq)
        if isLSTM {
            let cell = try LSTMCell(projected: projected, r: r, bias: bias, self, &b)
            var c = try initialState(5, d, &b)
            for t in order {
                (h, c) = try cell.step(t, h: h, c: c, &b)
                ys[t] = h
            }
            return (ys, h, c)
        }
        let cell = try GRUCell(projected: projected, r: r, bias: bias, self, &b)
        for t in order {
            h = try cell.step(t, h: h, &b)
            ys[t] = h
        }
        return (ys, h, nil)
    }

    /// Direction d's initial state from operand `i` [dirs, batch, H], zeros when it is left off.
    private func initialState(_ i: Int, _ d: Int, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
        if let state = rule.operand(i) { return try ofDirection(state, d, &b) }
        return try b.expand(b.scalar(0, b.dtype(rule.x)), [batch, hidden])
    }

    /// Direction d's part of a [dirs, ...] operand, without the dirs axis.
    private func ofDirection(_ v: ValueID, _ d: Int, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
        let rest = Array(b.shape(v).dropFirst())
        let part = dirs == 1 ? v : try b(.slice, v, attributes: ["starts": .ints([d]), "ends": .ints([d + 1]), "axes": .ints([0])])
        return try b.reshape(part, rest)
    }

    /// The per-step rows [batch, cols] of a [seq·batch, cols] block, by time step.
    func steps(_ block: ValueID, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID] {
        seq == 1 ? [block] : try b.apply(.split, [block], ["axis": .int(0), "parts": .int(seq)])
    }
}

/// LSTM: gates i, o, f, c in the rows of w, r and each half of b.
private struct LSTMCell {
    let inputs: [ValueID]
    let rT: ValueID
    let hidden: Int

    init(projected: ValueID, r: ValueID, bias: ValueID?, _ shape: Unrolled, _ b: inout GradientBuilder) throws(GradientError) {
        let size = 4 * shape.hidden
        var block = projected
        if let bias {  // Wb + Rb, added once to every step's input projection
            block = try b(.add, block, b(.add, slice(bias, 0..<size, &b), slice(bias, size..<(2 * size), &b)))
        }
        inputs = try shape.steps(block, &b)
        rT = try b(.transpose, r)
        hidden = shape.hidden
    }

    /// c' = f·c + i·tanh(ĉ), h' = o·tanh(c').
    func step(_ t: Int, h: ValueID, c: ValueID, _ b: inout GradientBuilder) throws(GradientError) -> (h: ValueID, c: ValueID) {
        let pre = try b(.add, inputs[t], b(.matmul, h, rT))
        let parts = try b.apply(.split, [pre], ["axis": .int(1), "sizes": .ints([3 * hidden, hidden])])
        let gates = try b.apply(.split, [b(.sigmoid, parts[0])], ["axis": .int(1), "parts": .int(3)])
        let (input, output, forget) = (gates[0], gates[1], gates[2])
        let cell = try b(.add, b(.mul, forget, c), b(.mul, input, b(.tanh, parts[1])))
        return (try b(.mul, output, b(.tanh, cell)), cell)
    }
}

/// GRU: gates z, r, h in the rows of w, r and each half of b. Without linear_before_reset
/// the candidate is tanh(x·W_hᵀ + (r ⊙ h)·R_hᵀ + Rb_h + Wb_h); with it,
/// tanh(x·W_hᵀ + r ⊙ (h·R_hᵀ + Rb_h) + Wb_h).
private struct GRUCell {
    /// How h enters the gates: the whole of Rᵀ [H, 3H] applied to h, with Rb_h (nil without
    /// b) added to its h columns; or Rᵀ's z, r columns [H, 2H] applied to h and its h columns
    /// [H, H] to r ⊙ h.
    enum Recurrence {
        case linearBeforeReset(rT: ValueID, resetBias: ValueID?)
        case resetBeforeLinear(updateResetT: ValueID, candidateT: ValueID)
    }

    /// Per step: the z, r columns [batch, 2H] and the h columns [batch, H] of x·Wᵀ + biases.
    let updateReset: [ValueID]
    let candidate: [ValueID]
    let recurrence: Recurrence
    let hidden: Int

    init(projected: ValueID, r: ValueID, bias: ValueID?, _ shape: Unrolled, _ b: inout GradientBuilder) throws(GradientError) {
        let n = shape.hidden
        let linearBeforeReset = shape.rule.attributes.bool("linear_before_reset")
        let columns = try b.apply(.split, [projected], ["axis": .int(1), "sizes": .ints([2 * n, n])])
        var (zr, h) = (columns[0], columns[1])
        var resetBias: ValueID?
        if let bias {
            let rb = 3 * n  // where Rb starts, after Wb
            zr = try b(.add, zr, b(.add, slice(bias, 0..<(2 * n), &b), slice(bias, rb..<(rb + 2 * n), &b)))
            let wbH = try slice(bias, (2 * n)..<rb, &b), rbH = try slice(bias, (rb + 2 * n)..<(rb + 3 * n), &b)
            h = try b(.add, h, linearBeforeReset ? wbH : b(.add, wbH, rbH))
            resetBias = linearBeforeReset ? rbH : nil
        }
        updateReset = try shape.steps(zr, &b)
        candidate = try shape.steps(h, &b)
        recurrence = linearBeforeReset ? .linearBeforeReset(rT: try b(.transpose, r), resetBias: resetBias)
            : .resetBeforeLinear(updateResetT: try b(.transpose, slice(r, 0..<(2 * n), &b)),
                                 candidateT: try b(.transpose, slice(r, (2 * n)..<(3 * n), &b)))
        hidden = n
    }

    /// h' = ĥ + z·(h − ĥ), which is (1 − z)·ĥ + z·h.
    func step(_ t: Int, h: ValueID, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
        func gates(_ recurrent: ValueID) throws(GradientError) -> [ValueID] {  // z, r
            try b.apply(.split, [b(.sigmoid, b(.add, updateReset[t], recurrent))], ["axis": .int(1), "parts": .int(2)])
        }
        let update: ValueID, gated: ValueID
        switch recurrence {
        case .linearBeforeReset(let rT, let resetBias):
            let parts = try b.apply(.split, [b(.matmul, h, rT)], ["axis": .int(1), "sizes": .ints([2 * hidden, hidden])])
            let zr = try gates(parts[0])
            let linear = try resetBias.map { v throws(GradientError) in try b(.add, parts[1], v) } ?? parts[1]
            (update, gated) = (zr[0], try b(.mul, zr[1], linear))
        case .resetBeforeLinear(let updateResetT, let candidateT):
            let zr = try gates(b(.matmul, h, updateResetT))
            (update, gated) = (zr[0], try b(.matmul, b(.mul, zr[1], h), candidateT))
        }
        let proposal = try b(.tanh, b(.add, candidate[t], gated))
        return try b(.add, proposal, b(.mul, update, b(.sub, h, proposal)))
    }
}

/// Rows `range` along axis 0.
private func slice(_ v: ValueID, _ range: Range<Int>, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    try b(.slice, v, attributes: ["starts": .ints([range.lowerBound]), "ends": .ints([range.upperBound]), "axes": .ints([0])])
}

/// `values` concatenated along `axis` (the value itself when there is one).
private func join(_ values: [ValueID], axis: Int, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    values.count == 1 ? values[0] : try b.apply(.concat, values, ["axis": .int(axis)])[0]
}
