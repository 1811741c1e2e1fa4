import Testing
@testable import LeptonIR

@Test func normalizeAxisAcceptsNegativeAxes() throws {
    #expect(try normalizeAxis(-1, rank: 3) == 2)
    #expect(try normalizeAxis(-3, rank: 3) == 0)
    #expect(try normalizeAxis(2, rank: 3) == 2)
    #expect(throws: ShapeError.self) { try normalizeAxis(3, rank: 3) }
    #expect(throws: ShapeError.self) { try normalizeAxis(-4, rank: 3) }
    #expect(throws: ShapeError.self) { try normalizeAxis(0, rank: 0) }
}

@Test func resolvePadsFollowsOnnxAutoPad() {
    // 5 wide, kernel 3, stride 2: 3 outputs need (3-1)*2 + 3 - 5 = 2 pads, split evenly.
    #expect(resolvePads(input: [5, 5], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0],
                        padding: "same") == [1, 1, 1, 1])
    // An odd total goes at the end for same (SAME_UPPER), at the beginning for same_lower.
    #expect(resolvePads(input: [4, 6], kernel: [2, 3], strides: [1, 1], dilations: [1, 2], pads: [0, 0, 0, 0],
                        padding: "same") == [0, 2, 1, 2])
    #expect(resolvePads(input: [4, 6], kernel: [2, 3], strides: [1, 1], dilations: [1, 2], pads: [0, 0, 0, 0],
                        padding: "same_lower") == [1, 2, 0, 2])
    // A stride larger than the kernel needs no padding (never negative).
    #expect(resolvePads(input: [6, 6], kernel: [1, 1], strides: [4, 4], dilations: [1, 1], pads: [0, 0, 0, 0],
                        padding: "same") == [0, 0, 0, 0])
    #expect(resolvePads(input: [5, 5], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 2, 3, 4],
                        padding: "valid") == [0, 0, 0, 0])
    #expect(resolvePads(input: [5, 5], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 2, 3, 4],
                        padding: "explicit") == [1, 2, 3, 4])
}

@Test func pooledSizeFloorAndCeil() {
    #expect(pooledSize(input: 32, kernel: 3, stride: 2, dilation: 1, padBegin: 0, padEnd: 0, ceilMode: false) == 15)
    #expect(pooledSize(input: 32, kernel: 3, stride: 2, dilation: 1, padBegin: 0, padEnd: 0, ceilMode: true) == 16)
    #expect(pooledSize(input: 5, kernel: 3, stride: 1, dilation: 2, padBegin: 0, padEnd: 0, ceilMode: false) == 1)
    #expect(pooledSize(input: 2, kernel: 3, stride: 1, dilation: 1, padBegin: 0, padEnd: 0, ceilMode: false) == 0)
    // ceil mode would start a third window at 4, inside the end padding: dropped.
    #expect(pooledSize(input: 4, kernel: 2, stride: 2, dilation: 1, padBegin: 0, padEnd: 1, ceilMode: true) == 2)
}

@Test func windowOutputUsesResolvedPads() {
    let same = windowOutput(input: [7, 8], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0],
                            padding: "same", ceilMode: true)
    #expect(same.output == [4, 4])
    #expect(same.pads == [1, 0, 1, 1])
    let explicit = windowOutput(input: [6], kernel: [3], strides: [2], dilations: [1], pads: [0, 0],
                                padding: "explicit", ceilMode: true)
    #expect(explicit.output == [3])
}

@Test func transposedConvolutionSizes() {
    #expect(transposedSize(input: 5, kernel: 3, stride: 2, dilation: 1, padBegin: 1, padEnd: 1, outputPadding: 1) == 10)
    let pads = resolveTransposePads(input: [5, 5], kernel: [3, 4], strides: [2, 2], dilations: [1, 1],
                                    outputPadding: [0, 0], pads: [0, 0, 0, 0], padding: "same")
    // total pad 3 + 0 - 2 = 1 (odd: at the end) and 4 - 2 = 2.
    #expect(pads == [0, 1, 1, 1])
    #expect(transposedSize(input: 5, kernel: 3, stride: 2, dilation: 1, padBegin: 0, padEnd: 1, outputPadding: 0) == 10)
}

@Test func sliceRangeClampsLikeOnnx() {
    #expect(sliceRange(start: 1, end: -1, step: 1, size: 10) == (1, 8))
    #expect(sliceRange(start: -1, end: Int.min, step: -1, size: 4) == (3, 4))
    #expect(sliceRange(start: 100, end: -100, step: -3, size: 10) == (9, 4))
    #expect(sliceRange(start: 0, end: Int.max, step: Int.max, size: 10) == (0, 1))
    #expect(sliceRange(start: 5, end: 0, step: Int.min, size: 10) == (5, 1))
    #expect(sliceRange(start: 3, end: 3, step: 1, size: 10) == (3, 0))
    #expect(sliceRange(start: 0, end: 1, step: -1, size: 0).count == 0)
}
