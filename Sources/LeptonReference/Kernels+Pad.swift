/// pad: ONNX Pad. `pads` is [x1_begin, x2_begin, …, x1_end, x2_end, …]; negative pads crop.
/// constant fills with `value`; edge repeats the border element; reflect mirrors about the
/// border element without repeating it (numpy "reflect"), bouncing again if a pad is longer
/// than the dim.
func pad(_ x: Tensor, pads: [Int], mode: String, value: Double) -> Tensor {
    let rank = x.rank
    precondition(pads.count == 2 * rank, "pad takes two pads per axis")
    let strides = rowMajorStrides(x.shape)
    var shape: [Int] = []
    var tables: [[Int]] = []
    for axis in 0..<rank {
        let dim = x.shape[axis], begin = pads[axis], end = pads[axis + rank]
        let size = Swift.max(0, dim + begin + end)
        shape.append(size)
        tables.append((0..<size).map { i in
            guard let source = padSource(i - begin, dim: dim, mode: mode) else { return outsideSource }
            return source * strides[axis]
        })
    }
    return x.gathering(gatherOffsets(shape: shape, tables: tables), shape: shape, fill: value)
}

/// Which element of a `dim`-long axis padded position `index` (relative to the axis start)
/// reads, or nil for the constant.
private func padSource(_ index: Int, dim: Int, mode: String) -> Int? {
    if index >= 0 && index < dim { return index }
    switch mode {
    case "constant":
        return nil
    case "edge":
        return dim == 0 ? nil : Swift.min(Swift.max(index, 0), dim - 1)
    case "reflect":
        if dim <= 1 { return dim == 0 ? nil : 0 }
        let period = 2 * (dim - 1)
        let folded = ((index % period) + period) % period
        return folded < dim ? folded : period - folded
    default:
        preconditionFailure("pad mode \(mode)")
    }
}
