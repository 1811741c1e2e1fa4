import LeptonIR

/// Gradients of data movement: each sends g back to where the elements came from.

/// The inverse permutation (an empty perm reverses, and is its own inverse).
func transposeGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let perm = rule.attributes.ints("perm")
    guard !perm.isEmpty else { return try b(.transpose, rule.gradient) }
    var inverse = [Int](repeating: 0, count: perm.count)
    for (i, p) in perm.enumerated() { inverse[p < 0 ? p + perm.count : p] = i }
    return try b(.transpose, rule.gradient, attributes: ["perm": .ints(inverse)])
}

/// Each operand gets its own stretch of g along the axis.
func concatGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    let rank = b.rank(rule.y)
    let axis = rule.attributes.int("axis") < 0 ? rule.attributes.int("axis") + rank : rule.attributes.int("axis")
    var offset = 0
    var adjoints: [ValueID?] = []
    for (i, input) in rule.node.inputs.enumerated() {
        let size = b.shape(input)[axis]
        defer { offset += size }
        guard rule.needs(i) else { adjoints.append(nil); continue }
        adjoints.append(try b(.slice, rule.gradient, attributes: [
            "starts": .ints([offset]), "ends": .ints([offset + size]), "axes": .ints([axis]),
        ]))
    }
    return adjoints
}

/// The pieces' adjoints joined again (zeros for pieces no gradient reached).
func splitGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    if rule.node.outputs.count == 1 { return rule.gradient }
    var pieces: [ValueID] = []
    for (i, output) in rule.node.outputs.enumerated() {
        if let adjoint = rule.results[i] { pieces.append(adjoint) } else { pieces.append(try b.filled(0, like: output)) }
    }
    return try b.apply(.concat, pieces, ["axis": rule.attributes["axis"] ?? .int(0)])[0]
}

/// g placed back at the sliced positions, zeros elsewhere: per sliced axis, spread the
/// taken elements `step` apart (unsqueeze, pad, reshape), then pad to the operand's size.
func sliceGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let shape = b.shape(rule.x), rank = shape.count
    let starts = rule.attributes.ints("starts"), ends = rule.attributes.ints("ends")
    var axes = rule.attributes.ints("axes"), steps = rule.attributes.ints("steps")
    if axes.isEmpty { axes = Array(0..<starts.count) }
    if steps.isEmpty { steps = Array(repeating: 1, count: starts.count) }
    var g = rule.gradient
    for i in starts.indices {
        let axis = axes[i] < 0 ? axes[i] + rank : axes[i]
        let size = shape[axis], step = steps[i]
        let (first, count) = sliceRange(start: starts[i], end: ends[i], step: step, size: size)
        guard count > 0 else { return try b.filled(0, like: rule.x) }
        var low = first
        if step < 0 {  // walk the taken elements upward instead: flip g along the axis
            low = first + (count - 1) * step
            g = try b(.slice, g, attributes: ["starts": .ints([-1]), "ends": .ints([-(count + 1)]), "axes": .ints([axis]), "steps": .ints([-1])])
        }
        let stride = abs(step)
        var current = b.shape(g)
        if stride > 1 {  // [.., count, ..] -> [.., count, stride, ..] with zeros after each -> [.., count·stride, ..]
            var unsqueezed = current
            unsqueezed.insert(1, at: axis + 1)
            var pads = [Int](repeating: 0, count: 2 * (rank + 1))
            pads[rank + 1 + axis + 1] = stride - 1
            let spaced = try b(.pad, b.reshape(g, unsqueezed), attributes: ["pads": .ints(pads)])
            current[axis] = count * stride
            g = try b.reshape(spaced, current)
            let span = min(count * stride, size - low)  // drop the zeros past the last element
            if span < current[axis] {
                g = try b(.slice, g, attributes: ["starts": .ints([0]), "ends": .ints([span]), "axes": .ints([axis])])
                current[axis] = span
            }
        }
        var pads = [Int](repeating: 0, count: 2 * rank)
        pads[axis] = low
        pads[rank + axis] = size - low - current[axis]
        g = try b(.pad, g, attributes: ["pads": .ints(pads)])
    }
    return g
}

/// Constant padding: cropping g by the same pads (a negative pad crops, so this is pad(g, −pads)).
/// Edge and reflect padding also fold the copied border elements back onto their sources.
func padGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let pads = rule.attributes.ints("pads"), mode = rule.attributes.choice("mode")
    if mode == "constant" {
        return try b(.pad, rule.gradient, attributes: ["pads": .ints(pads.map { -$0 })])
    }
    guard !pads.contains(where: { $0 < 0 }) else {
        throw GradientError("pad in \(mode) mode with negative pads has no gradient rule; crop with slice instead")
    }
    // The border modes are separable: differentiate one axis at a time, last axis first.
    let shape = b.shape(rule.x), rank = shape.count
    var g = rule.gradient
    for axis in (0..<rank).reversed() where pads[axis] != 0 || pads[rank + axis] != 0 {
        g = try foldBorders(g, axis: axis, begin: pads[axis], end: pads[rank + axis], size: shape[axis], reflect: mode == "reflect", &b)
    }
    return g
}

/// One axis of an edge/reflect pad's gradient: the interior plus each border folded back.
private func foldBorders(_ g: ValueID, axis: Int, begin: Int, end: Int, size: Int, reflect: Bool,
                         _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let rank = b.rank(g)
    func take(_ from: Int, _ to: Int) throws(GradientError) -> ValueID {
        try b(.slice, g, attributes: ["starts": .ints([from]), "ends": .ints([to]), "axes": .ints([axis])])
    }
    func place(_ piece: ValueID, at offset: Int) throws(GradientError) -> ValueID {  // zero-pad to `size`
        var pads = [Int](repeating: 0, count: 2 * rank)
        pads[axis] = offset
        pads[rank + axis] = size - offset - b.shape(piece)[axis]
        return try b(.pad, piece, attributes: ["pads": .ints(pads)])
    }
    func flip(_ piece: ValueID) throws(GradientError) -> ValueID {
        let n = b.shape(piece)[axis]
        return try b(.slice, piece, attributes: ["starts": .ints([-1]), "ends": .ints([-(n + 1)]), "axes": .ints([axis]), "steps": .ints([-1])])
    }
    var result = try take(begin, begin + size)
    if begin > 0 {
        let border = try take(0, begin)
        let folded = reflect ? try place(flip(border), at: 1)  // pad position j copies x[begin − j]
            : try place(b(.reduce_sum, border, attributes: ["axes": .ints([axis]), "keepdims": .bool(true)]), at: 0)
        result = try b(.add, result, folded)
    }
    if end > 0 {
        let border = try take(begin + size, begin + size + end)
        let folded = reflect ? try place(flip(border), at: size - 1 - end)  // copies x[size − 2 − j]
            : try place(b(.reduce_sum, border, attributes: ["axes": .ints([axis]), "keepdims": .bool(true)]), at: size - 1)
        result = try b(.add, result, folded)
    }
    return result
}

/// tile: g viewed as [r0, d0, r1, d1, …] summed over the repeat axes.
func tileGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> ValueID {
    let shape = b.shape(rule.x), repeats = rule.attributes.ints("repeats")
    if repeats.contains(0) || shape.contains(0) { return try b.filled(0, like: rule.x) }
    var split: [Int] = []
    for (r, d) in zip(repeats, shape) { split += [r, d] }
    let summed = try b(.reduce_sum, b.reshape(rule.gradient, split),
                       attributes: ["axes": .ints(Array(stride(from: 0, to: split.count, by: 2))), "keepdims": .bool(false)])
    return try b.reshape(summed, shape)
}
