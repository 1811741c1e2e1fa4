import LeptonKernels

/// A fused `anchor + elementwise epilogue` node whose anchor is an f32 matmul, gemm, linear or
/// conv2d: the epilogue's tile program runs inside the GEMM's write-back, on each block of the
/// output as soon as its last k block is done (a depthwise conv: on each finished plane), on
/// the thread that computed it (the block is still in cache), instead of as a second pass
/// over the whole output.

/// The step, or nil when the anchor cannot take an epilogue (then `FusedPreparer` runs it as a
/// second pass). `operands`/`results` are the tile program's (the anchor's result is read from
/// the output buffer, as the second pass would).
func writeBackStep(_ anchor: StepContext, _ program: TileProgram, operands: [UnsafeRawPointer],
                   results: [UnsafeMutableRawPointer], preparer: Preparer) -> StepBody? {
    guard packedGemmAvailable, anchor.inputTypes.allSatisfy({ $0 == .f32 }), anchor.outputTypes == [.f32] else { return nil }
    let slots = anchor.parallelism.threads
    let slotBytes = aligned64(program.scratchBytes)
    let scratch = preparer.allocate(slotBytes * slots)
    let failures = EpilogueFailures(slots: slots)
    // Owned by the returned step, which keeps it alive while the kernels call it.
    let state = TileEpilogue(program: program, operands: operands, results: results, scratch: scratch, slotBytes: slotBytes,
                             failures: failures)
    let epilogue = GemmEpilogue(state: UnsafeRawPointer(Unmanaged.passUnretained(state).toOpaque())) { raw, start, count, slot in
        Unmanaged<TileEpilogue>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.run(start: start, count: count, slot: slot) }
    }
    let body: StepBody
    switch anchor.op {
    case .matmul: body = MatmulKernel(context: anchor, epilogue: epilogue).makeF32()
    case .linear: body = LinearKernel(context: anchor, epilogue: epilogue).makeF32()
    case .gemm:
        let kernel = GemmKernel(context: anchor, epilogue: epilogue)
        guard kernel.supportsEpilogue else { return nil }
        body = kernel.makeF32()
    case .conv2d:
        guard let step = ConvKernel(context: anchor, epilogue: epilogue).f32Step else { return nil }
        body = step
    default: return nil
    }
    return { () throws(KernelFailure) in
        try withExtendedLifetime(state) { () throws(KernelFailure) in try body() }
        if let failure = failures.take() { throw failure }
    }
}

/// What a fused epilogue runs on each finished block: the tile program over those elements,
/// with the slot's scratch; a failure is recorded for the step to throw.
private final class TileEpilogue {
    let program: TileProgram
    let operands: [UnsafeRawPointer], results: [UnsafeMutableRawPointer]
    let scratch: UnsafeMutableRawPointer, slotBytes: Int
    let failures: EpilogueFailures

    init(program: TileProgram, operands: [UnsafeRawPointer], results: [UnsafeMutableRawPointer], scratch: UnsafeMutableRawPointer,
         slotBytes: Int, failures: EpilogueFailures) {
        (self.program, self.operands, self.results, self.scratch, self.slotBytes, self.failures) =
            (program, operands, results, scratch, slotBytes, failures)
    }

    func run(start: Int, count: Int, slot: Int) {
        do throws(KernelFailure) {
            try program.run(elements: start, count: count, operands: operands, results: results, scratch: scratch + slot * slotBytes)
        } catch {
            failures.record(error, slot: slot)
        }
    }
}

/// The first failure of an epilogue run on each worker slot (the GEMM's callback cannot throw);
/// one slot per thread, so recording needs no lock.
private final class EpilogueFailures: @unchecked Sendable {
    private let slots: Int
    private let failures: UnsafeMutablePointer<KernelFailure?>

    init(slots: Int) {
        self.slots = slots
        failures = .allocate(capacity: slots)
        failures.initialize(repeating: nil, count: slots)
    }

    deinit {
        failures.deinitialize(count: slots)
        failures.deallocate()
    }

    func record(_ failure: KernelFailure, slot: Int) {
        if failures[slot] == nil { failures[slot] = failure }
    }

    /// The lowest slot's failure, clearing them all (for the next run).
    func take() -> KernelFailure? {
        var first: KernelFailure?
        for i in 0..<slots where failures[i] != nil {
            if first == nil { first = failures[i] }
            failures[i] = nil
        }
        return first
    }
}
