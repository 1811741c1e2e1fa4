// Shape rules of softmax, the reductions and argmax/argmin.

extension Op {
    /// softmax / log_softmax: floating point, `axis` in range, same type out.
    func softmaxType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireFloat(inputs, 0)
        _ = try axis(attributes.int("axis"), rank: inputs[0].rank)
        return inputs[0]
    }

    /// reduce_*: numeric; `axes` (all when empty) become 1 with `keepdims`, else vanish.
    func reduceType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireNumeric(inputs, 0)
        let x = inputs[0].shape
        let given = try axes(attributes.ints("axes"), rank: x.count)
        let reduced = given.isEmpty ? Array(x.indices) : given
        if self == .reduce_max || self == .reduce_min {
            try requireNonEmpty(x, reduced)
        }
        return TensorType(inputs[0].dtype, reducedShape(x, reduced, keepdims: attributes.bool("keepdims")))
    }

    /// argmax / argmin along `axis`: i64 indices.
    func argReduceType(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> TensorType {
        try requireNumeric(inputs, 0)
        let x = inputs[0].shape
        let a = try axis(attributes.int("axis"), rank: x.count)
        try requireNonEmpty(x, [a])
        return TensorType(.i64, reducedShape(x, [a], keepdims: attributes.bool("keepdims")))
    }

    /// max, min and arg* have no value over an empty dimension.
    private func requireNonEmpty(_ x: [Dim], _ axes: [Int]) throws(ShapeError) {
        if let empty = axes.first(where: { x[$0] == .fixed(0) }) {
            throw fail("cannot reduce the empty dimension \(empty) of \(shapeText(x))", operand: 0)
        }
    }

    private func reducedShape(_ x: [Dim], _ axes: [Int], keepdims: Bool) -> [Dim] {
        var result: [Dim] = []
        for (i, dim) in x.enumerated() {
            if !axes.contains(i) {
                result.append(dim)
            } else if keepdims {
                result.append(.fixed(1))
            }
        }
        return result
    }
}
