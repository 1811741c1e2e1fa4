import LeptonKernels

/// Data movement as strided copies prepared once: transpose, slice, expand, tile, concat,
/// split (one copy per piece) and pad (a table gather); gather by index.

extension StepContext {
    /// One strided copy per (source, target) pair, run in order.
    func copies(_ list: [(input: Int, output: Int, copy: StridedCopy)]) -> StepBody {
        let bound = list.map { (UnsafeRawPointer(inputs[$0.input]), outputs[$0.output], $0.copy) }
        let parallelism = self.parallelism
        return { for (source, target, copy) in bound { copy.run(src: source, dst: target, parallelism: parallelism) } }
    }

    func movementStep() -> StepBody {
        let shape = inputShapes[0], size = inputTypes[0].byteSize
        let strides = contiguousStrides(shape)
        let out = outputShapes[0]
        switch op {
        case .transpose:
            let requested = attributes.ints("perm")
            let perm = requested.isEmpty ? Array(shape.indices.reversed()) : requested.map { $0 < 0 ? $0 + shape.count : $0 }
            return copies([(0, 0, StridedCopy(shape: out, srcStrides: perm.map { strides[$0] }, dstStrides: contiguousStrides(out), elementSize: size))])
        case .expand:
            return copies([(0, 0, StridedCopy(shape: out, srcStrides: broadcastStrides(from: shape, to: out), dstStrides: contiguousStrides(out), elementSize: size))])
        case .tile:
            // Tile is an expand over interleaved axes [r0, d0, r1, d1, …] with stride 0 on the repeats.
            let repeats = attributes.ints("repeats")
            let interleaved = shape.indices.flatMap { [repeats[$0], shape[$0]] }
            let source = shape.indices.flatMap { [0, strides[$0]] }
            return copies([(0, 0, StridedCopy(shape: interleaved, srcStrides: source, dstStrides: contiguousStrides(interleaved), elementSize: size))])
        case .slice:
            return copies([(0, 0, sliceCopy())])
        case .concat:
            let axis = self.axis("axis", rank: out.count)
            let outStrides = contiguousStrides(out)
            var start = 0
            var list: [(input: Int, output: Int, copy: StridedCopy)] = []
            for (i, piece) in inputShapes.enumerated() {
                list.append((i, 0, StridedCopy(shape: piece, srcStrides: contiguousStrides(piece), dstStrides: outStrides,
                                               dstOffset: start * outStrides[axis], elementSize: size)))
                start += piece[axis]
            }
            return copies(list)
        case .split:
            let axis = self.axis("axis", rank: shape.count)
            var start = 0
            var list: [(input: Int, output: Int, copy: StridedCopy)] = []
            for (k, piece) in outputShapes.enumerated() {
                list.append((0, k, StridedCopy(shape: piece, srcStrides: strides, srcOffset: start * strides[axis],
                                               dstStrides: contiguousStrides(piece), elementSize: size)))
                start += piece[axis]
            }
            return copies(list)
        case .pad:
            return padStep()
        default:
            preconditionFailure("\(op) is not a movement op")
        }
    }

    private func sliceCopy() -> StridedCopy {
        let shape = inputShapes[0], strides = contiguousStrides(shape)
        let starts = attributes.ints("starts"), ends = attributes.ints("ends")
        let givenAxes = attributes.ints("axes"), givenSteps = attributes.ints("steps")
        let axes = givenAxes.isEmpty ? Array(starts.indices) : givenAxes.map { $0 < 0 ? $0 + shape.count : $0 }
        let steps = givenSteps.isEmpty ? Array(repeating: 1, count: starts.count) : givenSteps
        var out = shape, source = strides, offset = 0
        for (i, axis) in axes.enumerated() {
            let (start, count) = sliceRange(start: starts[i], end: ends[i], step: steps[i], size: shape[axis])
            out[axis] = count
            source[axis] = strides[axis] * steps[i]
            if count > 0 { offset += start * strides[axis] }
        }
        return StridedCopy(shape: out, srcStrides: source, srcOffset: offset, dstStrides: contiguousStrides(out), elementSize: inputTypes[0].byteSize)
    }

    /// ONNX Pad through per-axis source tables (negative entries read the fill value).
    private func padStep() -> StepBody {
        let shape = inputShapes[0], strides = contiguousStrides(shape), rank = shape.count
        let pads = attributes.ints("pads"), mode = attributes.choice("mode")
        let tables = (0..<rank).map { axis in
            (0..<outputShapes[0][axis]).map { i in
                padSource(i - pads[axis], dim: shape[axis], mode: mode).map { $0 * strides[axis] } ?? -(1 << 40)
            }
        }
        let gather = TableGather(shape: outputShapes[0], tables: tables, elementSize: inputTypes[0].byteSize,
                                 fillBits: fillBits(attributes.float("value"), inputTypes[0]))
        let (source, target) = (UnsafeRawPointer(inputs[0]), outputs[0])
        return { gather.run(src: source, dst: target) }
    }

    func gatherStep() -> StepBody {
        let shape = inputShapes[0], axis = self.axis("axis", rank: shape.count)
        let (outer, dim, inner) = (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
        let (data, target, size, count) = (UnsafeRawPointer(inputs[0]), outputs[0], inputTypes[0].byteSize, self.count(input: 1))
        if inputTypes[1] == .i32 {
            let indices = input(1, Int32.self)
            return { () throws(KernelFailure) in try gather(data: data, indices: indices, indexCount: count, out: target, outer: outer, dim: dim, inner: inner, elementSize: size, axis: axis) }
        }
        let indices = input(1, Int64.self)
        return { () throws(KernelFailure) in try gather(data: data, indices: indices, indexCount: count, out: target, outer: outer, dim: dim, inner: inner, elementSize: size, axis: axis) }
    }
}

/// Which element of a `dim`-long axis padded position `index` reads, or nil for the constant.
private func padSource(_ index: Int, dim: Int, mode: String) -> Int? {
    if index >= 0 && index < dim { return index }
    switch mode {
    case "edge":
        return dim == 0 ? nil : Swift.min(Swift.max(index, 0), dim - 1)
    case "reflect":
        if dim <= 1 { return dim == 0 ? nil : 0 }
        let period = 2 * (dim - 1)
        let folded = ((index % period) + period) % period
        return folded < dim ? folded : period - folded
    default:
        return nil
    }
}

/// The bytes of `value` in `dtype` (ints round, saturating, like the reference's fill).
func fillBits(_ value: Double, _ dtype: DType) -> UInt64 {
    switch dtype {
    case .f32: UInt64(Float(value).bitPattern)
    case .f64: value.bitPattern
    case .i32: UInt64(UInt32(bitPattern: Int32(attribute: value)))
    case .i64: UInt64(bitPattern: Int64(attribute: value))
    case .bool: value != 0 ? 1 : 0
    }
}
