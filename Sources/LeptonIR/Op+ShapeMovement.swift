// Shape rules of reshape, transpose, flatten, squeeze, unsqueeze, expand and tile.

/// An element count as known sizes times symbols: 6 * N.
private struct Count {
    var fixed = 1
    var symbols: [String] = []

    var text: String {
        let parts = (fixed == 1 && !symbols.isEmpty ? [] : ["\(fixed)"]) + symbols.sorted()
        return parts.joined(separator: "*")
    }
}

extension Op {
    private func count(_ dims: [Dim]) throws(ShapeError) -> Count {
        var result = Count()
        for dim in dims {
            switch dim {
            case .fixed(let n): result.fixed = try checkedMul(result.fixed, n)
            case .symbol(let s): result.symbols.append(s)
            }
        }
        return result
    }

    /// reshape: 0 copies the input dim at that index, -1 is inferred from the element count.
    func reshapeType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let x = inputs[0].shape
        let target = attributes.ints("shape")
        let requested = "[" + target.map(String.init).joined(separator: ", ") + "]"
        var dims: [Dim] = []
        var inferred: Int?
        for (i, size) in target.enumerated() {
            switch size {
            case -1:
                guard inferred == nil else { throw fail("shape \(requested) has more than one -1") }
                inferred = i
                dims.append(.fixed(1))
            case 0:
                guard i < x.count else {
                    throw fail("shape \(requested) copies dimension \(i) (a 0) but x \(shapeText(x)) has rank \(x.count)")
                }
                dims.append(x[i])
            case 1...: dims.append(.fixed(size))
            default: throw fail("shape \(requested) has invalid size \(size) (expected -1, 0 or positive)")
            }
        }
        let have = try count(x), want = try count(dims)
        let mismatch = "cannot reshape \(shapeText(x)) (\(have.text) elements) to \(requested)"
        guard let inferred else {
            let same = have.fixed == 0 ? want.fixed == 0 : have.fixed == want.fixed && have.symbols.sorted() == want.symbols.sorted()
            guard same else { throw fail("\(mismatch) (\(want.text) elements)") }
            return TensorType(inputs[0].dtype, dims)
        }
        dims[inferred] = try inferredDim(have, want, mismatch)
        return TensorType(inputs[0].dtype, dims)
    }

    /// The -1 of a reshape: `have` elements over the `want` the other dims hold.
    private func inferredDim(_ have: Count, _ want: Count, _ mismatch: String) throws(ShapeError) -> Dim {
        guard want.fixed != 0 else { throw fail("\(mismatch): -1 is ambiguous next to a 0-size dimension") }
        if have.fixed == 0 { return .fixed(0) }
        var leftover = have.symbols
        for s in want.symbols {
            guard let i = leftover.firstIndex(of: s) else {
                throw fail("\(mismatch): symbol '\(s)' does not divide \(have.text)")
            }
            leftover.remove(at: i)
        }
        if leftover.isEmpty, have.fixed % want.fixed == 0 { return .fixed(have.fixed / want.fixed) }
        if leftover.count == 1, have.fixed == want.fixed { return .symbol(leftover[0]) }
        throw fail("\(mismatch): \(have.text) elements do not divide into \(want.text) times one known size or one symbol")
    }

    /// transpose: `perm` (reversed dims when empty) must be a permutation of the axes.
    func transposeType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let x = inputs[0].shape
        var perm = attributes.ints("perm")
        if perm.isEmpty { perm = Array(x.indices.reversed()) }
        guard perm.count == x.count, Set(perm) == Set(x.indices) else {
            throw fail("perm \(perm) is not a permutation of the \(x.count) axes of \(shapeText(x))")
        }
        return TensorType(inputs[0].dtype, perm.map { x[$0] })
    }

    /// flatten(axis) -> [prod(x[..<axis]), prod(x[axis...])]; axis in [-rank, rank].
    func flattenType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let x = inputs[0].shape
        let given = attributes.int("axis")
        let axis = given < 0 ? given + x.count : given
        guard axis >= 0, axis <= x.count else {
            throw fail("axis \(given) is out of range for rank \(x.count) (expected -\(x.count) to \(x.count))")
        }
        var result: [Dim] = []
        for part in [Array(x[..<axis]), Array(x[axis...])] {
            guard let dim = try product(part) else {
                throw fail("cannot merge \(shapeText(part)) into one dimension: needs known sizes besides one symbol")
            }
            result.append(dim)
        }
        return TensorType(inputs[0].dtype, result)
    }

    /// squeeze: removes the size-1 dims at `axes`, or every size-1 dim when empty. Without
    /// axes every dim must be known: with a symbolic N the result's rank would depend on
    /// whether N is 1 at run time, which no static type can say.
    func squeezeType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let x = inputs[0].shape
        let given = attributes.ints("axes")
        guard !given.isEmpty else {
            if let symbol = x.first(where: { $0.fixedValue == nil }) {
                throw fail("without axes needs every dimension known, but \(shapeText(x)) has symbol '\(symbol)' (whether it is 1 decides the result's rank); give axes", operand: 0)
            }
            return TensorType(inputs[0].dtype, x.filter { $0 != .fixed(1) })
        }
        let removed = try axes(given, rank: x.count)
        for a in removed {
            let size = try known(x[a], "dimension \(a) to squeeze", operand: 0)
            guard size == 1 else {
                throw fail("cannot remove dimension \(a) of \(shapeText(x)): its size is \(size), not 1", operand: 0)
            }
        }
        return TensorType(inputs[0].dtype, x.indices.filter { !removed.contains($0) }.map { x[$0] })
    }

    /// unsqueeze: inserts size-1 dims at `axes`, which index the result.
    func unsqueezeType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let x = inputs[0].shape
        let given = attributes.ints("axes")
        guard !given.isEmpty else { throw fail("needs at least one axis") }
        let rank = x.count + given.count
        let inserted = try axes(given, rank: rank)
        var next = 0
        var result: [Dim] = []
        for i in 0..<rank {
            if inserted.contains(i) {
                result.append(.fixed(1))
            } else {
                result.append(x[next])
                next += 1
            }
        }
        return TensorType(inputs[0].dtype, result)
    }

    /// expand: ONNX Expand, broadcasting x and `shape` both ways.
    func expandType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let shape = attributes.ints("shape")
        try requireAtLeast(shape, 0, "shape")
        return TensorType(inputs[0].dtype, try broadcast(inputs[0].shape, shape.map(Dim.fixed)))
    }

    /// tile: dim i repeated repeats[i] times.
    func tileType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        let x = inputs[0].shape
        let repeats = attributes.ints("repeats")
        try requireCount(repeats, x.count, "repeats (one per dimension of \(shapeText(x)))")
        try requireAtLeast(repeats, 0, "repeats")
        var result: [Dim] = []
        for (i, dim) in x.enumerated() {
            if repeats[i] == 1 || repeats[i] == 0 {
                result.append(repeats[i] == 1 ? dim : .fixed(0))
            } else {
                let size = try known(dim, "dimension \(i) repeated \(repeats[i]) times", operand: 0)
                result.append(.fixed(try checkedMul(size, repeats[i])))
            }
        }
        return TensorType(inputs[0].dtype, result)
    }
}
