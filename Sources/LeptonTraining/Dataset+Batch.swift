import LeptonTensor

/// Gathering samples into batches: row copies out of each array, into fresh tensors or into
/// the previous batch's tensors (no allocation once the batch size repeats).
extension Dataset {
    /// The samples at `indices` (each in 0..<sampleCount), in that order, from every array:
    /// `x: f32[1438, 64]` gives `x: f32[indices.count, 64]`.
    public func batch(_ indices: ArraySlice<Int>) -> [String: Tensor] {
        var tensors: [Tensor] = []
        fillBatch(indices, into: &tensors)
        return Dictionary(uniqueKeysWithValues: zip(names, tensors))
    }

    /// Like `batch(_:)`, writing `tensors[k]` for `arrays[k]`. A tensor already of the batch's
    /// type and shape (the previous batch's, same size) is overwritten in place, so a training
    /// loop that passes the same array each step allocates nothing for its batches.
    public func fillBatch(_ indices: ArraySlice<Int>, into tensors: inout [Tensor]) {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < sampleCount }, "a batch index is outside 0..<\(sampleCount)")
        if tensors.count != arrays.count {
            tensors = Array(repeating: Tensor(shape: [0], storage: .bool([])), count: arrays.count)
        }
        for index in arrays.indices {
            let source = arrays[index].tensor
            switch source.storage {
            case .f32(let scalars): gather(scalars, source.shape, indices, into: &tensors[index])
            case .f64(let scalars): gather(scalars, source.shape, indices, into: &tensors[index])
            case .i32(let scalars): gather(scalars, source.shape, indices, into: &tensors[index])
            case .i64(let scalars): gather(scalars, source.shape, indices, into: &tensors[index])
            case .bool(let scalars): gather(scalars, source.shape, indices, into: &tensors[index])
            }
        }
    }

    /// The dataset restricted to the samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var tensors: [Tensor] = []
        fillBatch(indices[...], into: &tensors)
        return Dataset(validated: Array(zip(names, tensors)), files: files, sampleCount: indices.count)
    }
}

private extension Dataset {
    /// Copies rows `rows` of `source` (shaped `shape`) into `destination`, reusing its storage
    /// when it already has the right type and shape.
    func gather<T: TensorElement>(_ source: [T], _ shape: [Int], _ rows: ArraySlice<Int>, into destination: inout Tensor) {
        let rowSize = shape.dropFirst().reduce(1, *)
        let fits = destination.dtype == T.dtype && destination.rank == shape.count
            && destination.shape.first == rows.count && destination.shape.dropFirst() == shape.dropFirst()
        if fits {
            var scalars: [T] = destination.takeScalars()
            scalars.withUnsafeMutableBufferPointer { copyRows(source, rowSize, rows, into: $0) }
            destination.storage = T.wrap(scalars)
        } else {
            let scalars = [T](unsafeUninitializedCapacity: rows.count * rowSize) { buffer, initialized in
                copyRows(source, rowSize, rows, into: buffer)
                initialized = buffer.count
            }
            destination = Tensor(shape: [rows.count] + shape.dropFirst(), storage: T.wrap(scalars))
        }
    }

    func copyRows<T>(_ source: [T], _ rowSize: Int, _ rows: ArraySlice<Int>, into destination: UnsafeMutableBufferPointer<T>) {
        guard rowSize > 0, let target = destination.baseAddress else { return }
        source.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress else { return }
            // Every TensorElement is a trivial type: initializing over old values is overwriting.
            for (offset, row) in rows.enumerated() {
                (target + offset * rowSize).initialize(from: base + row * rowSize, count: rowSize)
            }
        }
    }
}
