import LeptonKernels

/// matmul (numpy, batched with broadcast), gemm (ONNX) and linear over `gemm`. In f32 a
/// constant B (a param: the weight) is packed once here, when the step is prepared, into the
/// panels the GEMM reads, and bias and a fused epilogue (`epilogue`, from `FusedPreparer`)
/// run in the GEMM's write-back.

/// numpy matmul: per broadcast batch element, one product of the matching matrices.
struct MatmulKernel {
    let context: StepContext
    var epilogue: GemmEpilogue? = nil

    var step: StepBody {
        switch NumericType(context.inputTypes[0]) {
        case .f32: makeF32()
        case .f64: make(Double.self)
        case .i32: make(Int32.self)
        case .i64: make(Int64.self)
        }
    }

    /// The products a matmul of these shapes is: batch element i multiplies matrix aIndex[i]
    /// of a (m x k) by matrix bIndex[i] of b (k x n); 1-D operands count as a row / a column.
    struct Products {
        let m: Int, n: Int, k: Int
        let aIndex: [Int], bIndex: [Int]
        /// b is one matrix (no batch dims of its own).
        let singleB: Bool

        init(_ context: StepContext) {
            let (aShape, bShape) = (context.inputShapes[0], context.inputShapes[1])
            let aMatrix = aShape.count == 1 ? [1, aShape[0]] : aShape
            let bMatrix = bShape.count == 1 ? [bShape[0], 1] : bShape
            (m, k, n) = (aMatrix[aMatrix.count - 2], aMatrix[aMatrix.count - 1], bMatrix[bMatrix.count - 1])
            let (aBatch, bBatch) = (Array(aMatrix.dropLast(2)), Array(bMatrix.dropLast(2)))
            let output = context.outputShapes[0]
            let batch = Array(output.prefix(output.count - (aShape.count > 1 ? 1 : 0) - (bShape.count > 1 ? 1 : 0)))
            (aIndex, bIndex) = (batchOffsets(aBatch, batch), batchOffsets(bBatch, batch))
            singleB = bBatch.reduce(1, *) == 1
        }
    }

    func make<T: KernelScalar>(_: T.Type) -> StepBody {
        let products = Products(context)
        let (m, n, k, aIndex, bIndex) = (products.m, products.n, products.k, products.aIndex, products.bIndex)
        let (a, b, out) = (context.input(0, T.self), context.input(1, T.self), context.output(0, T.self))
        let shape = GemmShape(m: m, n: n, k: k)
        let threads = context.parallelism.threads
        return {
            for i in aIndex.indices {
                gemm(shape, MatrixView(a + aIndex[i] * m * k, rowStride: k), MatrixView(b + bIndex[i] * k * n, rowStride: n),
                     out + i * m * n, ldc: n, accumulate: false, threads: threads)
            }
        }
    }
}

extension MatmulKernel {
    /// The f32 products, B packed once when it is a single constant matrix.
    func makeF32() -> StepBody {
        let products = Products(context)
        let (m, n, k, aIndex, bIndex) = (products.m, products.n, products.k, products.aIndex, products.bIndex)
        let (a, b, out) = (context.input(0, Float.self), context.input(1, Float.self), context.output(0, Float.self))
        let shape = GemmShape(m: m, n: n, k: k)
        let packed = products.singleB ? context.packedB(input: 1, MatrixView(b, rowStride: n), m: m, n: n, k: k) : nil
        let (parallelism, epilogue) = (context.parallelism, self.epilogue)
        // Products too small to split, or as many as fill the threads evenly (attention
        // heads), run side by side instead, each on one thread: one fork-join for the batch
        // instead of one per product. Every output is still computed exactly as serially.
        let work = m * n * k
        let splitBatch = aIndex.count > 1 && (work < gemmParallelWork || aIndex.count % parallelism.threads == 0)
        let batch = BatchedProducts(shape: shape, a: a, b: b, out: out, aIndex: aIndex, bIndex: bIndex, packed: packed,
                                    epilogue: epilogue)
        return {
            if splitBatch {
                // Through a C function and a pointer: a capturing closure handed to the
                // workers would allocate on every run.
                var state = batch
                withUnsafeMutablePointer(to: &state) { state in
                    parallelism.forEach(aIndex.count, cost: work / 16, context: UnsafeMutableRawPointer(state)) { context, lower, upper, chunk in
                        let batch = context.assumingMemoryBound(to: BatchedProducts.self)
                        for i in lower..<upper { batch.pointee.product(i, threads: 1, slot: chunk) }
                    }
                }
            } else {
                for i in aIndex.indices { batch.product(i, threads: parallelism.threads, slot: nil) }
            }
        }
    }
}

/// The f32 products of one batched matmul: product i multiplies matrix aIndex[i] of a by
/// matrix bIndex[i] of b (or the packed B) into matrix i of out.
private struct BatchedProducts {
    let shape: GemmShape
    let a: UnsafePointer<Float>, b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
    let aIndex: [Int], bIndex: [Int]
    let packed: PackedOperand?
    let epilogue: GemmEpilogue?

    func product(_ i: Int, threads: Int, slot: Int?) {
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let bOperand = packed.map { GemmOperandB.packed($0) } ?? .matrix(MatrixView(b + bIndex[i] * k * n, rowStride: n))
        var writeBack = GemmWriteBack(epilogue: epilogue)
        writeBack.epilogue?.offset += i * m * n
        if let slot { writeBack.epilogue?.slot = slot }
        gemmF32(shape, .matrix(MatrixView(a + aIndex[i] * m * k, rowStride: k)), bOperand, out + i * m * n, ldc: n,
                accumulate: false, threads: threads, writeBack: writeBack)
    }
}

extension StepContext {
    /// B[k, n] (input `i`) packed once for m-row f32 products when it is constant and packing
    /// pays (`gemmPrefersPackedB`); the packed panels are kept for the plan's life.
    func packedB(input i: Int, _ b: MatrixView<Float>, m: Int, n: Int, k: Int) -> PackedOperand? {
        guard isConstant(input: i), k > 0, gemmPrefersPackedB(m: m, n: n, b) else { return nil }
        let layout = "\(PackedOperand.layoutName(.b)) k\(k) n\(n) ld\(b.rowStride) cs\(b.columnStride)"
        return packedConstant(inputs: [i], layout: layout, byteCount: PackedOperand.elements(role: .b, extent: n, k: k) * MemoryLayout<Float>.stride) {
            PackedOperand(packing: b, role: .b, extent: n, k: k, into: $0.assumingMemoryBound(to: Float.self), pack: $1)
        }
    }
}

/// For each element (row-major) of `batch`, the flat index of the matrix of `source` (batch
/// dims aligned right, broadcast) it reads.
func batchOffsets(_ source: [Int], _ batch: [Int]) -> [Int] {
    let padded = Array(repeating: 1, count: batch.count - source.count) + source
    let strides = broadcastStrides(from: padded, to: batch)
    var result: [Int] = []
    let count = batch.reduce(1, *)
    result.reserveCapacity(count)
    for flat in 0..<count {
        var rest = flat, offset = 0
        for axis in stride(from: batch.count - 1, through: 0, by: -1) {
            offset += (rest % batch[axis]) * strides[axis]
            rest /= batch[axis]
        }
        result.append(offset)
    }
    return result
}

/// gemm: alpha·op(A)·op(B) + beta·C, C broadcast to [M, N].
struct GemmKernel {
    let context: StepContext
    var epilogue: GemmEpilogue? = nil

    var step: StepBody {
        switch NumericType(context.inputTypes[0]) {
        case .f32: makeF32()
        case .f64: make(Double.self)
        case .i32: make(Int32.self)
        case .i64: make(Int64.self)
        }
    }

    func make<T: KernelScalar>(_: T.Type) -> StepBody {
        let attributes = context.attributes
        let (shape, a, b) = operands(T.self)
        let (m, n) = (shape.m, shape.n)
        let out = context.output(0, T.self)
        let alpha = T(attribute: attributes.float("alpha")), beta = T(attribute: attributes.float("beta"))
        let c = context.optionalInput(2, T.self)
        let cStrides = context.inputShapes.count > 2 ? broadcastStrides(from: context.inputShapes[2], to: [m, n]) : [0, 0]
        let threads = context.parallelism.threads
        return {
            gemm(shape, a, b, out, ldc: n, accumulate: false, threads: threads)
            if alpha != T.one { for i in 0..<(m * n) { out[i] = T.multiply(alpha, out[i]) } }
            guard let c else { return }
            for i in 0..<m {
                for j in 0..<n { out[i * n + j] = T.add(out[i * n + j], T.multiply(beta, c[i * cStrides[0] + j * cStrides[1]])) }
            }
        }
    }
}

extension GemmKernel {
    /// f32: a constant B packed once; alpha and beta·C after the product (the epilogue after
    /// them, so only when there are none: `FusedPreparer` asks `supportsEpilogue`).
    func makeF32() -> StepBody {
        let attributes = context.attributes
        let (shape, a, b) = operands(Float.self)
        let (m, n, k) = (shape.m, shape.n, shape.k)
        let bOperand = context.packedB(input: 1, b, m: m, n: n, k: k).map { GemmOperandB.packed($0) } ?? .matrix(b)
        let out = context.output(0, Float.self)
        let alpha = Float(attributes.float("alpha")), beta = Float(attributes.float("beta"))
        let c = context.optionalInput(2, Float.self)
        let cStrides = context.inputShapes.count > 2 ? broadcastStrides(from: context.inputShapes[2], to: [m, n]) : [0, 0]
        let (threads, writeBack) = (context.parallelism.threads, GemmWriteBack(epilogue: epilogue))
        return {
            gemmF32(shape, .matrix(a), bOperand, out, ldc: n, accumulate: false, threads: threads, writeBack: writeBack)
            if alpha != 1 { for i in 0..<(m * n) { out[i] = alpha * out[i] } }
            guard let c else { return }
            for i in 0..<m {
                for j in 0..<n { out[i * n + j] = out[i * n + j] + beta * c[i * cStrides[0] + j * cStrides[1]] }
            }
        }
    }

    /// The product's shape and A and B as matrix views, trans_a / trans_b applied.
    func operands<T>(_: T.Type) -> (shape: GemmShape, a: MatrixView<T>, b: MatrixView<T>) {
        let (transA, transB) = (context.attributes.bool("trans_a"), context.attributes.bool("trans_b"))
        let (aShape, bShape) = (context.inputShapes[0], context.inputShapes[1])
        let (m, k) = transA ? (aShape[1], aShape[0]) : (aShape[0], aShape[1])
        let n = transB ? bShape[0] : bShape[1]
        let aView = MatrixView(context.input(0, T.self), rowStride: aShape[1])
        let bView = MatrixView(context.input(1, T.self), rowStride: bShape[1])
        return (GemmShape(m: m, n: n, k: k), transA ? aView.transposed : aView, transB ? bView.transposed : bView)
    }

    /// Whether the write-back epilogue would see the final values (no alpha, no C).
    var supportsEpilogue: Bool { context.attributes.float("alpha") == 1 && context.inputs.count == 2 }
}

/// linear(x[..., K], w[K, N], b[N]?): one product over the flattened leading dims, then bias.
struct LinearKernel {
    let context: StepContext
    var epilogue: GemmEpilogue? = nil

    var step: StepBody {
        switch NumericType(context.inputTypes[0]) {
        case .f32: makeF32()
        case .f64: make(Double.self)
        case .i32: make(Int32.self)
        case .i64: make(Int64.self)
        }
    }

    func make<T: KernelScalar>(_: T.Type) -> StepBody {
        let k = context.inputShapes[0].last ?? 1, n = context.inputShapes[1][1]
        let rows = context.count(input: 0) / Swift.max(k, 1)
        let (x, w, out) = (context.input(0, T.self), context.input(1, T.self), context.output(0, T.self))
        let bias = context.optionalInput(2, T.self)
        let shape = GemmShape(m: k == 0 ? context.count(output: 0) / Swift.max(n, 1) : rows, n: n, k: k)
        let threads = context.parallelism.threads
        return {
            gemm(shape, MatrixView(x, rowStride: k), MatrixView(w, rowStride: n), out, ldc: n, accumulate: false, threads: threads)
            if let bias { addRowBias(bias, out, rows: shape.m, columns: n) }
        }
    }
}

extension LinearKernel {
    /// f32: the constant weight packed once, the bias added in the write-back.
    func makeF32() -> StepBody {
        let k = context.inputShapes[0].last ?? 1, n = context.inputShapes[1][1]
        let rows = context.count(input: 0) / Swift.max(k, 1)
        let (x, w, out) = (context.input(0, Float.self), context.input(1, Float.self), context.output(0, Float.self))
        let shape = GemmShape(m: k == 0 ? context.count(output: 0) / Swift.max(n, 1) : rows, n: n, k: k)
        let weight = context.packedB(input: 1, MatrixView(w, rowStride: n), m: shape.m, n: n, k: k).map { GemmOperandB.packed($0) }
            ?? .matrix(MatrixView(w, rowStride: n))
        let writeBack = GemmWriteBack(columnBias: context.optionalInput(2, Float.self), epilogue: epilogue)
        let threads = context.parallelism.threads
        return {
            gemmF32(shape, .matrix(MatrixView(x, rowStride: k)), weight, out, ldc: n, accumulate: false, threads: threads,
                    writeBack: writeBack)
        }
    }
}

/// out[i, j] += bias[j].
func addRowBias<T: KernelScalar>(_ bias: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, rows: Int, columns: Int) {
    for i in 0..<rows {
        let row = out + i * columns
        for j in 0..<columns { row[j] = T.add(row[j], bias[j]) }
    }
}
