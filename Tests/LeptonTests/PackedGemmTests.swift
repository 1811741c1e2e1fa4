import Testing
import LeptonIR
import LeptonTensor
@testable import LeptonKernels
@testable import LeptonReference

/// The f32 GEMM's other operand kinds and its write-back: pre-packed A and B (as the runtime
/// packs constant weights) against a Double triple loop, implicit-im2col conv2d (packed or
/// plain weights) against the reference conv on random geometries (strides, pads,
/// dilations, groups, 1x1), bias and the epilogue callback (every element exactly once),
/// and bit-identical results for 1 and 2 threads.
@Suite struct PackedGemmTests {
    /// C = A·B with A and/or B packed first; compared with a Double loop and with the plain GEMM.
    static func checkPacked(m: Int, n: Int, k: Int, packA: Bool, packB: Bool, transB: Bool = false, threads: Int = 1, seed: UInt64 = 5) {
        var random = SplitMix64(seed: seed)
        let a = (0..<(m * k)).map { _ in Float(random.nextUnit() * 2 - 1) }
        let b = (0..<(k * n)).map { _ in Float(random.nextUnit() * 2 - 1) }
        let ldc = n + 3
        var c = [Float](repeating: .nan, count: m * ldc)
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                let av = MatrixView(ap.baseAddress!, rowStride: k)
                let bv = transB ? MatrixView(bp.baseAddress!, rowStride: k).transposed : MatrixView(bp.baseAddress!, rowStride: n)
                let aStore = UnsafeMutablePointer<Float>.allocate(capacity: PackedOperand.elements(role: .a, extent: m, k: k) + 1)
                let bStore = UnsafeMutablePointer<Float>.allocate(capacity: PackedOperand.elements(role: .b, extent: n, k: k) + 1)
                defer { aStore.deallocate(); bStore.deallocate() }
                let aOperand: GemmOperandA = packA ? .packed(PackedOperand(packing: av, role: .a, extent: m, k: k, into: aStore)) : .matrix(av)
                let bOperand: GemmOperandB = packB ? .packed(PackedOperand(packing: bv, role: .b, extent: n, k: k, into: bStore)) : .matrix(bv)
                c.withUnsafeMutableBufferPointer { cp in
                    gemmF32(GemmShape(m: m, n: n, k: k), aOperand, bOperand, cp.baseAddress!, ldc: ldc, accumulate: false, threads: threads)
                }
            }
        }
        var worst = 0.0
        for i in 0..<m {
            for j in 0..<n {
                var (sum, scale) = (0.0, 0.0)
                for p in 0..<k {
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    sum += Double(a[i * k + p]) * Double(bv)
                    scale += abs(Double(a[i * k + p]) * Double(bv))
                }
                worst = max(worst, abs(Double(c[i * ldc + j]) - sum) / max(scale, 1e-30))
            }
            for j in n..<ldc { #expect(c[i * ldc + j].isNaN, "padding column \(j) written") }
        }
        #expect(worst <= 1e-5 * Double(max(k, 1)).squareRoot(), "m \(m) n \(n) k \(k) packA \(packA) packB \(packB): \(worst)")
    }

    @Test func packedOperandsOnEdgeShapes() {
        for (m, n, k) in [(1, 1, 1), (1, 33, 5), (3, 16, 13), (8, 1024, 256), (12, 32, 16), (13, 33, 17), (25, 47, 257),
                          (33, 13, 300), (61, 67, 521), (2, 100, 1)] {
            Self.checkPacked(m: m, n: n, k: k, packA: false, packB: true)
            Self.checkPacked(m: m, n: n, k: k, packA: true, packB: false)
            Self.checkPacked(m: m, n: n, k: k, packA: true, packB: true, transB: true)
        }
    }

    @Test func packedBIsBitIdenticalToPackingOnTheFly() {
        let (m, n, k) = (40, 300, 270)
        var random = SplitMix64(seed: 11)
        let a = (0..<(m * k)).map { _ in Float(random.nextUnit() - 0.5) }
        let b = (0..<(k * n)).map { _ in Float(random.nextUnit() - 0.5) }
        var (plain, packed) = ([Float](repeating: 0, count: m * n), [Float](repeating: 0, count: m * n))
        a.withUnsafeBufferPointer { ap in
            b.withUnsafeBufferPointer { bp in
                let (av, bv) = (MatrixView(ap.baseAddress!, rowStride: k), MatrixView(bp.baseAddress!, rowStride: n))
                let store = UnsafeMutablePointer<Float>.allocate(capacity: PackedOperand.elements(role: .b, extent: n, k: k))
                defer { store.deallocate() }
                let operand = PackedOperand(packing: bv, role: .b, extent: n, k: k, into: store)
                plain.withUnsafeMutableBufferPointer { gemmF32(GemmShape(m: m, n: n, k: k), av, bv, $0.baseAddress!, ldc: n, accumulate: false) }
                for threads in [1, 2] {
                    packed.withUnsafeMutableBufferPointer {
                        gemmF32(GemmShape(m: m, n: n, k: k), .matrix(av), .packed(operand), $0.baseAddress!, ldc: n, accumulate: false,
                                threads: threads)
                    }
                    #expect(packed == plain, "threads \(threads)")
                }
            }
        }
    }

    /// Bias and the epilogue see every element of C exactly once, after its last k block.
    @Test func writeBackCoversEveryElementOnce() {
        for (m, n, k, threads) in [(1, 5, 3, 1), (13, 33, 300, 1), (100, 1100, 40, 2), (2, 40, 9, 2), (490, 70, 20, 2), (2, 1001, 70, 2)] {
            var random = SplitMix64(seed: UInt64(m * n))
            let a = (0..<(m * k)).map { _ in Float(random.nextUnit() - 0.5) }
            let b = (0..<(k * n)).map { _ in Float(random.nextUnit() - 0.5) }
            let rowBias = (0..<m).map { Float($0) }, columnBias = (0..<n).map { Float($0) * 0.5 }
            var (plain, fused) = ([Float](repeating: 0, count: m * n), [Float](repeating: 0, count: m * n))
            let seen = UnsafeMutablePointer<Int>.allocate(capacity: m * n)
            seen.initialize(repeating: 0, count: m * n)
            defer { seen.deallocate() }
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    let (av, bv) = (MatrixView(ap.baseAddress!, rowStride: k), MatrixView(bp.baseAddress!, rowStride: n))
                    plain.withUnsafeMutableBufferPointer { gemmF32(GemmShape(m: m, n: n, k: k), av, bv, $0.baseAddress!, ldc: n, accumulate: false) }
                    rowBias.withUnsafeBufferPointer { rb in
                        columnBias.withUnsafeBufferPointer { cb in
                            fused.withUnsafeMutableBufferPointer { cp in
                                let out = cp.baseAddress!
                                // The epilogue's state: `seen` counts each element's calls.
                                var state = (seen: seen, out: out)
                                withUnsafeMutablePointer(to: &state) { state in
                                    let epilogue = GemmEpilogue(state: UnsafeRawPointer(state)) { raw, start, count, _ in
                                        let (seen, out) = raw.assumingMemoryBound(to: (seen: UnsafeMutablePointer<Int>, out: UnsafeMutablePointer<Float>).self).pointee
                                        for e in start..<(start + count) {
                                            seen[e] += 1
                                            out[e] = max(out[e], 0)
                                        }
                                    }
                                    let writeBack = GemmWriteBack(rowBias: rb.baseAddress, columnBias: cb.baseAddress, epilogue: epilogue)
                                    gemmF32(GemmShape(m: m, n: n, k: k), .matrix(av), .matrix(bv), out, ldc: n, accumulate: false,
                                            threads: threads, writeBack: writeBack)
                                }
                            }
                        }
                    }
                }
            }
            #expect((0..<(m * n)).allSatisfy { seen[$0] == 1 }, "m \(m) n \(n) k \(k)")
            for i in 0..<m {
                for j in 0..<n {
                    #expect(fused[i * n + j] == max(plain[i * n + j] + rowBias[i] + columnBias[j], 0), "m \(m) n \(n) (\(i), \(j))")
                }
            }
        }
    }

    struct ConvCase {
        var n = 1, c = 3, h = 7, w = 9, m = 4, kh = 3, kw = 3
        var strides = [1, 1], dilations = [1, 1], pads = [1, 1, 1, 1], group = 1, bias = true

        var geometry: ConvGeometry {
            let outH = (h + pads[0] + pads[2] - dilations[0] * (kh - 1) - 1) / strides[0] + 1
            let outW = (w + pads[1] + pads[3] - dilations[1] * (kw - 1) - 1) / strides[1] + 1
            return ConvGeometry(batch: n, inChannels: c, height: h, width: w, outChannels: m, kernelH: kh, kernelW: kw,
                                outH: outH, outW: outW, strides: strides, dilations: dilations, padTop: pads[0],
                                padLeft: pads[1], group: group)
        }
    }

    /// conv2dF32 (packed and plain weights, 1 and 2 threads) against the reference conv2d.
    static func checkConv(_ t: ConvCase, seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        func values(_ count: Int) -> [Float] { (0..<count).map { _ in Float(random.nextUnit() * 2 - 1) } }
        let x = values(t.n * t.c * t.h * t.w), w = values(t.m * (t.c / t.group) * t.kh * t.kw), b = values(t.m)
        var inputs = [Tensor(shape: [t.n, t.c, t.h, t.w], scalars: x), Tensor(shape: [t.m, t.c / t.group, t.kh, t.kw], scalars: w)]
        if t.bias { inputs.append(Tensor(shape: [t.m], scalars: b)) }
        let attributes: [String: Attribute] = ["strides": .ints(t.strides), "dilations": .ints(t.dilations), "pads": .ints(t.pads),
                                               "group": .int(t.group)]
        let expected = try evaluate1(.conv2d, inputs, attributes)
        let g = t.geometry
        #expect([g.batch, g.outChannels, g.outH, g.outW] == expected.shape)
        let reference = expected.doubles
        var outputs: [[Float]] = []
        // With and without the gather table small convs pack through (when it applies).
        let entries = ConvGatherTable.elements(g)
        let table = UnsafeMutablePointer<Int32>.allocate(capacity: entries ?? 1)
        defer { table.deallocate() }
        if entries != nil { ConvGatherTable.fill(g, into: table) }
        for (pack, threads, gather) in [(false, 1, false), (true, 1, false), (true, 2, false), (true, 1, true), (true, 2, true)]
        where !gather || entries != nil {
            var out = [Float](repeating: .nan, count: reference.count)
            let store = UnsafeMutablePointer<Float>.allocate(capacity: ConvWeights.packedElements(g) + 1)
            // One slot per thread for a shifted conv's padded image, NaN-filled: every element read must be written.
            let slot = ConvShifted.scratchElements(g)
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 2 * slot)
            scratch.initialize(repeating: .nan, count: 2 * slot)
            defer { store.deallocate(); scratch.deallocate() }
            x.withUnsafeBufferPointer { xp in
                w.withUnsafeBufferPointer { wp in
                    b.withUnsafeBufferPointer { bp in
                        out.withUnsafeMutableBufferPointer { op in
                            let weights = pack ? ConvWeights(g, w: wp.baseAddress!, packingInto: store) : ConvWeights(g, w: wp.baseAddress!)
                            conv2dF32(g, x: xp.baseAddress!, weights: weights, bias: t.bias ? bp.baseAddress : nil, out: op.baseAddress!,
                                      parallelism: Parallelism(threads: threads, minimumChunkCost: 1),
                                      table: gather ? UnsafePointer(table) : nil, scratch: scratch, scratchStride: slot)
                        }
                    }
                }
            }
            let worst = zip(out, reference).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
            // f32 sums of K products drift ~sqrt(K) ulps from the reference's order.
            let tolerance = 1e-5 * max(1, Double(t.c / t.group * t.kh * t.kw).squareRoot() / 8)
            #expect(worst <= tolerance, "\(t) pack \(pack) threads \(threads) gather \(gather): \(worst)")
            outputs.append(out)
        }
        #expect(outputs[1] == outputs[2], "\(t): 1 and 2 threads differ")
        #expect(outputs.count == 3 || outputs[3...].allSatisfy { $0 == outputs[1] }, "\(t): the gather table changes the result")
    }

    @Test func convGeometriesAgreeWithReference() throws {
        var cases: [ConvCase] = [
            ConvCase(),
            ConvCase(c: 1, h: 1, w: 1, m: 1, kh: 1, kw: 1, pads: [0, 0, 0, 0]),
            ConvCase(n: 2, c: 5, h: 13, w: 33, m: 13, pads: [0, 0, 0, 0]),
            ConvCase(c: 8, h: 10, w: 10, m: 6, kh: 1, kw: 1, pads: [0, 0, 0, 0]),
            ConvCase(c: 4, h: 11, w: 12, m: 8, strides: [2, 2], pads: [1, 0, 1, 2]),
            ConvCase(c: 6, h: 12, w: 9, m: 6, strides: [1, 3], dilations: [2, 2], pads: [2, 2, 2, 2], group: 3),
            ConvCase(n: 3, c: 4, h: 6, w: 40, m: 4, kh: 5, kw: 2, pads: [2, 0, 2, 1], group: 4, bias: false),
            ConvCase(c: 2, h: 5, w: 5, m: 3, kh: 5, kw: 5, pads: [4, 4, 4, 4]),
            ConvCase(c: 3, h: 9, w: 9, m: 5, kh: 1, kw: 1, strides: [2, 2], pads: [0, 0, 0, 0]),
        ]
        // Deep enough for more than one KC block (k = 33 · 9 = 297) and wide enough to split columns.
        cases.append(ConvCase(c: 33, h: 20, w: 37, m: 14))
        // Shifted convs (stride 1, too big for the gather table): dilation with asymmetric pads
        // and groups, more channels than a KC block per tap, outputs narrower than a panel, a
        // 1x5 window, several images over two threads, and one big enough to split its columns.
        cases += [
            ConvCase(c: 20, h: 30, w: 41, m: 26, dilations: [2, 3], pads: [2, 1, 0, 3], group: 2),
            ConvCase(c: 300, h: 8, w: 30, m: 5, pads: [0, 1, 2, 1], bias: false),
            ConvCase(c: 16, h: 150, w: 5, m: 7, kh: 3, kw: 3, pads: [1, 1, 1, 1]),
            ConvCase(n: 3, c: 24, h: 20, w: 33, m: 9, kh: 1, kw: 5, pads: [0, 2, 0, 2]),
            ConvCase(c: 64, h: 24, w: 30, m: 24),
        ]
        #expect(cases.suffix(5).allSatisfy { ConvShifted.applies($0.geometry) } || !packedGemmAvailable,
                "the shifted cases must reach ConvShifted")
        for (index, t) in cases.enumerated() { try Self.checkConv(t, seed: UInt64(index + 1)) }
    }
}

extension PackedGemmTests {
    /// Shapes whose threads split rows (tall A, or a pre-packed B) as well as columns, and
    /// matrix-vector products whose streamed columns are split: the same bits as one thread.
    @Test func rowAndColumnSplitsMatchOneThread() {
        for (m, n, k, packB) in [(200, 100, 300, false), (300, 64, 40, true), (61, 700, 100, false), (97, 250, 260, true),
                                  (1, 1000, 100, false), (3, 517, 90, false)] {
            var random = SplitMix64(seed: UInt64(m + n))
            let a = (0..<(m * k)).map { _ in Float(random.nextUnit() - 0.5) }
            let b = (0..<(k * n)).map { _ in Float(random.nextUnit() - 0.5) }
            var results: [[Float]] = []
            a.withUnsafeBufferPointer { ap in
                b.withUnsafeBufferPointer { bp in
                    let (av, bv) = (MatrixView(ap.baseAddress!, rowStride: k), MatrixView(bp.baseAddress!, rowStride: n))
                    let store = UnsafeMutablePointer<Float>.allocate(capacity: PackedOperand.elements(role: .b, extent: n, k: k))
                    defer { store.deallocate() }
                    let operand: GemmOperandB = packB ? .packed(PackedOperand(packing: bv, role: .b, extent: n, k: k, into: store)) : .matrix(bv)
                    for threads in [1, 2, 3] {
                        var c = [Float](repeating: 0, count: m * n)
                        c.withUnsafeMutableBufferPointer {
                            gemmF32(GemmShape(m: m, n: n, k: k), .matrix(av), operand, $0.baseAddress!, ldc: n, accumulate: false, threads: threads)
                        }
                        results.append(c)
                    }
                }
            }
            #expect(results.allSatisfy { $0 == results[0] }, "m \(m) n \(n) k \(k) packB \(packB)")
        }
    }
}
