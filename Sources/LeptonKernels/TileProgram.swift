/// The fused-elementwise engine: a list of elementwise instructions over typed registers,
/// evaluated over the output in tiles of `tile` elements so every intermediate stays in cache.
/// A single elementwise op is a one-instruction program, so standalone and fused elementwise
/// code share one implementation.
///
/// Registers `0..<inputs.count` hold the operands (loaded per tile: contiguous operands are
/// read in place, broadcast ones gathered through their strides); the others hold instruction
/// results. Scratch for one tile of every register is passed in by the caller.
public struct TileProgram: Sendable {
    public enum Unary: Hashable, Sendable {
        case exp, log, sqrt, rsqrt, reciprocal, sigmoid, tanh, softplus, erf, geluExact, geluTanh, floor, ceil
        case leakyRelu(alpha: Double), elu(alpha: Double)
        case neg, abs, relu, clip(min: Double, max: Double)
        case not, identity
    }

    public enum Binary: Hashable, Sendable {
        case add, sub, mul, div, pow, max, min
        case eq, ne, lt, le, gt, ge
        case and, or, xor
    }

    /// One elementwise step; `type` is the operands' element type.
    public enum Instruction: Hashable, Sendable {
        case unary(Unary, ScalarType, x: Int, result: Int)
        case binary(Binary, ScalarType, x: Int, y: Int, result: Int)
        case select(ScalarType, condition: Int, x: Int, y: Int, result: Int)
        case cast(from: ScalarType, to: ScalarType, x: Int, result: Int)

        /// Rough cost per element (see `elementCost`).
        var cost: Int {
            switch self {
            case .unary(let op, _, _, _):
                switch op {
                case .exp, .log, .sigmoid, .tanh, .softplus, .erf, .geluExact, .geluTanh, .elu: 8
                default: 1
                }
            case .binary(.pow, _, _, _, _): 8
            default: 1
            }
        }

        var result: Int {
            switch self {
            case .unary(_, _, _, let r), .binary(_, _, _, _, let r), .select(_, _, _, _, let r), .cast(_, _, _, let r): r
            }
        }
    }

    /// The iteration (output) shape.
    public let shape: [Int]
    public let count: Int
    public let registerTypes: [ScalarType]
    /// Per operand: its strides over `shape` (0 on broadcast axes).
    public let inputStrides: [[Int]]
    private let inputContiguous: [Bool]
    /// Operands broadcast from one element: their register holds the same values for every
    /// tile, so a chunk fills it once, on its first tile.
    private let inputScalar: [Bool]
    public let instructions: [Instruction]
    /// The register each output takes.
    public let outputs: [Int]
    public let tile: Int
    /// The output written straight into its buffer by the last instruction (no copy).
    private let directOutput: Int?

    public init(shape: [Int], registerTypes: [ScalarType], inputStrides: [[Int]], instructions: [Instruction],
                outputs: [Int], tile: Int = 4096) {
        self.shape = shape
        self.count = shape.reduce(1, *)
        self.registerTypes = registerTypes
        self.inputStrides = inputStrides
        let dense = contiguousStrides(shape)
        // Contiguous: every non-unit axis has its row-major stride, so the operand is read in place.
        inputContiguous = inputStrides.map { strides in shape.indices.allSatisfy { shape[$0] == 1 || strides[$0] == dense[$0] } }
        inputScalar = inputStrides.map { strides in strides.allSatisfy { $0 == 0 } }
        self.instructions = instructions
        self.outputs = outputs
        self.tile = Swift.max(1, tile)
        let passthrough = outputs.contains { $0 < inputStrides.count }
        if let last = instructions.last, !passthrough { directOutput = outputs.firstIndex(of: last.result) } else { directOutput = nil }
    }

    /// Bytes of scratch `run` needs: one tile of 8-byte slots per register.
    public var scratchBytes: Int { registerTypes.count * tile * 8 }

    /// Runs the program over the whole output. Outputs may alias contiguous operands exactly
    /// (in-place steps): every tile reads its operands before its last instruction writes.
    /// Tiles are independent, so they are split over `parallelism`'s threads; chunk `c` uses
    /// the `scratchBytes` at `scratch + c * scratchStride`.
    public func run(operands: [UnsafeRawPointer], results: [UnsafeMutableRawPointer], scratch: UnsafeMutableRawPointer,
                    scratchStride: Int = 0, parallelism: Parallelism = .serial) throws(KernelFailure) {
        let tiles = (count + tile - 1) / tile
        let cost = tile * elementCost / 2
        let chunks = parallelism.chunks(tiles, cost: cost)
        guard chunks > 1 else { return try runTiles(0..<tiles, operands: operands, results: results, scratch: scratch) }
        // Through a C function and a pointer (a capturing closure handed to the workers would
        // allocate on every run); each chunk keeps its failure, the first one is thrown.
        let failure: KernelFailure? = withUnsafeTemporaryAllocation(of: KernelFailure?.self, capacity: chunks) { failures in
            failures.initialize(repeating: nil)
            guard let slots = failures.baseAddress else { return nil }
            var state = TileRun(program: self, operands: operands, results: results, scratch: scratch, scratchStride: scratchStride,
                                failures: slots)
            withUnsafeMutablePointer(to: &state) { state in
                parallelism.forEach(tiles, cost: cost, context: UnsafeMutableRawPointer(state)) { context, lower, upper, chunk in
                    let run = context.assumingMemoryBound(to: TileRun.self).pointee
                    do throws(KernelFailure) {
                        try run.program.runTiles(lower..<upper, operands: run.operands, results: run.results,
                                                 scratch: run.scratch + chunk * run.scratchStride)
                    } catch {
                        run.failures[chunk] = error
                    }
                }
            }
            let first = failures.lazy.compactMap { $0 }.first
            failures.deinitialize()
            return first
        }
        if let failure { throw failure }
    }

    /// Runs tiles `range` on the calling thread with one scratch block.
    private func runTiles(_ range: Range<Int>, operands: [UnsafeRawPointer], results: [UnsafeMutableRawPointer],
                          scratch: UnsafeMutableRawPointer) throws(KernelFailure) {
        for t in range {
            let start = t * tile
            try runTile(start: start, count: Swift.min(tile, count - start), operands: operands, results: results, scratch: scratch,
                        first: t == range.lowerBound)
        }
    }

    /// Runs the program over elements `start..<start+count` only, on the calling thread, with
    /// one `scratchBytes` block: a GEMM's write-back runs a fused epilogue this way on each
    /// finished block of its output while the block is in cache.
    public func run(elements start: Int, count: Int, operands: [UnsafeRawPointer], results: [UnsafeMutableRawPointer],
                    scratch: UnsafeMutableRawPointer) throws(KernelFailure) {
        var first = start
        while first < start + count {
            let n = Swift.min(tile, start + count - first)
            try runTile(start: first, count: n, operands: operands, results: results, scratch: scratch,
                        first: first == start)  // scalars filled once per call: the scratch may be shared
            first += n
        }
    }

    /// Rough cost of one element in half-nanoseconds: a transcendental ~4 ns, any other
    /// instruction or a gathered (broadcast) operand ~0.5 ns.
    private var elementCost: Int {
        // Lazily: a filtered array allocated on every run of a program with a broadcast operand.
        let gathers = inputContiguous.lazy.filter { !$0 }.count
        return Swift.max(1, gathers + instructions.reduce(0) { $0 + $1.cost })
    }

    private func runTile(start: Int, count n: Int, operands: [UnsafeRawPointer], results: [UnsafeMutableRawPointer],
                         scratch: UnsafeMutableRawPointer, first: Bool) throws(KernelFailure) {
        try withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer.self, capacity: registerTypes.count) { registers throws(KernelFailure) in
            for r in registerTypes.indices { registers[r] = scratch + r * tile * 8 }
            for (i, operand) in operands.enumerated() {
                let size = registerTypes[i].byteSize
                if inputContiguous[i] {
                    registers[i] = UnsafeMutableRawPointer(mutating: operand + start * size)
                } else if inputScalar[i] && !first {
                    continue    // filled on the chunk's first tile (a full one, or the only one)
                } else {
                    gatherRange(operand, strides: inputStrides[i], start: start, count: n, into: registers[i], size: size)
                }
            }
            if let direct = directOutput {
                registers[outputs[direct]] = results[direct] + start * registerTypes[outputs[direct]].byteSize
            }
            for instruction in instructions {
                try execute(instruction, registers, n)
            }
            for (k, register) in outputs.enumerated() where k != directOutput {
                let size = registerTypes[register].byteSize
                (results[k] + start * size).copyMemory(from: registers[register], byteCount: n * size)
            }
        }
    }

    /// Copies elements `start..<start+count` (row-major over `shape`) of a strided operand.
    private func gatherRange(_ src: UnsafeRawPointer, strides: [Int], start: Int, count n: Int,
                             into dst: UnsafeMutableRawPointer, size: Int) {
        switch size {
        case 1: gatherRange(src, strides, start, n, dst, UInt8.self)
        case 4: gatherRange(src, strides, start, n, dst, UInt32.self)
        default: gatherRange(src, strides, start, n, dst, UInt64.self)
        }
    }

    private func gatherRange<E>(_ src: UnsafeRawPointer, _ strides: [Int], _ start: Int, _ n: Int,
                                _ dst: UnsafeMutableRawPointer, _: E.Type) {
        let s = src.assumingMemoryBound(to: E.self), d = dst.assumingMemoryBound(to: E.self)
        let rank = shape.count
        // A broadcast scalar (every stride 0) is one fill, not a strided walk per element.
        guard rank > 0, strides.contains(where: { $0 != 0 }) else {
            d.update(repeating: s[0], count: n)
            return
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
            var rest = start, offset = 0
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                index[axis] = rest % shape[axis]
                rest /= shape[axis]
                offset += index[axis] * strides[axis]
            }
            let inner = shape[rank - 1], innerStride = strides[rank - 1]
            var j = 0
            while j < n {
                let run = Swift.min(inner - index[rank - 1], n - j)
                switch innerStride {
                case 0: (d + j).update(repeating: s[offset], count: run)
                case 1: (d + j).update(from: s + offset, count: run)
                default: for t in 0..<run { d[j + t] = s[offset + t * innerStride] }
                }
                j += run
                offset += run * innerStride
                index[rank - 1] += run
                var axis = rank - 1
                while axis > 0 && index[axis] == shape[axis] {
                    offset -= shape[axis] * strides[axis]
                    index[axis] = 0
                    axis -= 1
                    index[axis] += 1
                    offset += strides[axis]
                }
            }
        }
    }
}

/// One tile program run split over threads: what every chunk reads, and where it records its
/// failure.
private struct TileRun {
    let program: TileProgram
    let operands: [UnsafeRawPointer], results: [UnsafeMutableRawPointer]
    let scratch: UnsafeMutableRawPointer, scratchStride: Int
    let failures: UnsafeMutablePointer<KernelFailure?>
}
