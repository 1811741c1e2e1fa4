// Shape rules of concat, split, slice, gather and pad.

/// More pieces than this is surely a mistake (and would build a huge node).
let splitOutputLimit = 1 << 16

extension Op {
    /// concat: one dtype and rank; all dims but `axis` equal; sizes along `axis` add up.
    func concatType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let first = inputs[0].shape
        let axis = try axis(attributes.int("axis"), rank: first.count)
        var total = 0
        for (i, input) in inputs.enumerated() {
            try requireSameDType(inputs, i, as: 0)
            let shape = input.shape
            let agrees = shape.count == first.count && shape.indices.allSatisfy { $0 == axis || shape[$0] == first[$0] }
            guard agrees else {
                throw fail("expects shapes equal except along axis \(axis), got \(shapeText(first)) and \(shapeText(shape))",
                           operand: i)
            }
            if inputs.count > 1 {
                total = try checkedAdd(total, try known(shape[axis], "dimension \(axis) of \(operandName(i)) along the concat axis", operand: i))
            }
        }
        var result = first
        if inputs.count > 1 { result[axis] = .fixed(total) }
        return TensorType(inputs[0].dtype, result)
    }

    /// split: one output per entry of `sizes` (adding up to the dim), or `parts` equal pieces,
    /// or (neither given) one piece per element along `axis`.
    func splitTypes(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> [TensorType] {
        let x = inputs[0].shape
        let axis = try axis(attributes.int("axis"), rank: x.count)
        let sizes = attributes.ints("sizes"), parts = attributes.int("parts")
        guard sizes.isEmpty || parts == 0 else { throw fail("takes sizes or parts, not both") }
        guard parts >= 0 else { throw fail("parts must be positive, got \(parts)") }
        let piece = { (size: Dim) in
            var shape = x
            shape[axis] = size
            return TensorType(inputs[0].dtype, shape)
        }
        if parts == 1 { return [inputs[0]] }
        let what = "dimension \(axis) to split"
        let size = try known(x[axis], what, operand: 0)
        if !sizes.isEmpty {
            try requireAtLeast(sizes, 0, "sizes")
            var sum = 0
            for s in sizes { sum = try checkedAdd(sum, s) }
            guard sum == size else {
                throw fail("sizes \(sizes) add up to \(sum), but dimension \(axis) of \(shapeText(x)) is \(size)", operand: 0)
            }
            guard sizes.count <= splitOutputLimit else { throw fail("would make \(sizes.count) outputs") }
            return sizes.map { piece(.fixed($0)) }
        }
        let count = parts == 0 ? size : parts
        guard count >= 1, count <= splitOutputLimit else {
            throw fail("would make \(count) outputs from dimension \(axis) of \(shapeText(x)) "
                + "(expected 1 to \(splitOutputLimit))", operand: 0)
        }
        if parts == 0 { return Array(repeating: piece(.fixed(1)), count: size) }
        guard size % parts == 0 else {
            throw fail("cannot divide dimension \(axis) of \(shapeText(x)) into \(parts) equal parts", operand: 0)
        }
        return Array(repeating: piece(.fixed(size / parts)), count: parts)
    }

    /// slice: ONNX Slice (negative indices count from the end; out-of-range ones clamp).
    func sliceType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let x = inputs[0].shape
        let starts = attributes.ints("starts"), ends = attributes.ints("ends")
        var axesGiven = attributes.ints("axes"), steps = attributes.ints("steps")
        if axesGiven.isEmpty { axesGiven = Array(0..<starts.count) }
        if steps.isEmpty { steps = Array(repeating: 1, count: starts.count) }
        try requireCount(ends, starts.count, "ends (one per start)")
        try requireCount(axesGiven, starts.count, "axes (one per start)")
        try requireCount(steps, starts.count, "steps (one per start)")
        if steps.contains(0) { throw fail("steps must not be 0, got \(steps)") }
        let sliced = try axes(axesGiven, rank: x.count)
        var result = x
        for (i, a) in sliced.enumerated() {
            let (start, end, step) = (starts[i], ends[i], steps[i])
            let big = Int(Int32.max)
            let whole = (step == 1 && start == 0 && end >= big) || (step == -1 && (start == -1 || start >= big) && end <= -big)
            if case .symbol = x[a], whole { continue }
            let size = try known(x[a], "dimension \(a) to slice", operand: 0)
            result[a] = .fixed(sliceRange(start: start, end: end, step: step, size: size).count)
        }
        return TensorType(inputs[0].dtype, result)
    }

    /// gather(data, indices) along `axis`: data[..axis] + indices.shape + data[axis+1..].
    func gatherType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let (data, indices) = (inputs[0].shape, inputs[1])
        guard indices.dtype.isInteger else {
            throw fail("expects integer indices (i32 or i64), got \(indices.dtype)", operand: 1)
        }
        let axis = try axis(attributes.int("axis"), rank: data.count)
        return TensorType(inputs[0].dtype, Array(data[..<axis]) + indices.shape + Array(data[(axis + 1)...]))
    }

    /// pad: dim i grows by pads[i] at the start and pads[rank + i] at the end (negative crops).
    func padType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let x = inputs[0].shape
        let pads = attributes.ints("pads"), mode = attributes.choice("mode")
        try requireCount(pads, 2 * x.count, "pads (a begin and an end per dimension of \(shapeText(x)))")
        var result = x
        for i in x.indices {
            let (b, e) = (pads[i], pads[i + x.count])
            if b == 0, e == 0 { continue }
            let size = try known(x[i], "dimension \(i) to pad", operand: 0)
            let out = try checkedAdd(try checkedAdd(size, b), e)
            guard out >= 0 else {
                throw fail("pads \(b) and \(e) remove more than the \(size) elements of dimension \(i)", operand: 0)
            }
            if mode == "reflect", Swift.max(b, e) >= size {
                throw fail("reflect mode needs pads smaller than the dimension: dimension \(i) has size \(size), "
                    + "pads \(b) and \(e)", operand: 0)
            }
            if mode == "edge", size == 0, Swift.max(b, e) > 0 {
                throw fail("edge mode cannot pad the empty dimension \(i)", operand: 0)
            }
            result[i] = .fixed(out)
        }
        return TensorType(inputs[0].dtype, result)
    }
}
