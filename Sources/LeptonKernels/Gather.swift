/// gather (ONNX Gather) over raw elements: data[outer, dim, inner] picked along the middle
/// axis by integer indices (negative ones count from the end).

/// out[o, p, :] = data[o, indices[p], :], each row `inner` elements of `elementSize` bytes.
/// Throws on an index outside [−dim, dim) before writing anything.
@inlinable public func gather<I: FixedWidthInteger>(data: UnsafeRawPointer, indices: UnsafePointer<I>, indexCount: Int,
                                         out: UnsafeMutableRawPointer, outer: Int, dim: Int, inner: Int,
                                         elementSize: Int, axis: Int) throws(KernelFailure) {
    for p in 0..<indexCount {
        let index = Int(indices[p])
        if index < -dim || index >= dim {
            throw KernelFailure("gather index \(index) is out of range for axis \(axis) of size \(dim)")
        }
    }
    let row = inner * elementSize
    var target = out
    for o in 0..<outer {
        for p in 0..<indexCount {
            var index = Int(indices[p])
            if index < 0 { index += dim }
            target.copyMemory(from: data + (o * dim + index) * row, byteCount: row)
            target += row
        }
    }
}
