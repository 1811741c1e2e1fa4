import Foundation
import Testing
@testable import LeptonReference

/// LSTM and GRU against a scalar (hidden size 1, input size 1) step written out from the ONNX
/// equations, so each gate has its own weight and a swapped gate order shows up.
@Suite struct ReferenceSequenceTests {
    private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// One LSTM step; weights per gate in ONNX order i, o, f, c.
    private func lstmStep(_ x: Double, _ h: Double, _ c: Double, w: [Double], r: [Double], b: [Double]) -> (Double, Double) {
        let i = sigmoid(w[0] * x + r[0] * h + b[0] + b[4])
        let o = sigmoid(w[1] * x + r[1] * h + b[1] + b[5])
        let f = sigmoid(w[2] * x + r[2] * h + b[2] + b[6])
        let g = tanh(w[3] * x + r[3] * h + b[3] + b[7])
        let cell = f * c + i * g
        return (o * tanh(cell), cell)
    }

    /// One GRU step; weights per gate in ONNX order z, r, h.
    private func gruStep(_ x: Double, _ h: Double, w: [Double], r: [Double], b: [Double], linearBeforeReset: Bool) -> Double {
        let z = sigmoid(w[0] * x + r[0] * h + b[0] + b[3])
        let reset = sigmoid(w[1] * x + r[1] * h + b[1] + b[4])
        let candidate = linearBeforeReset
            ? tanh(w[2] * x + reset * (r[2] * h + b[5]) + b[2])
            : tanh(w[2] * x + r[2] * (reset * h) + b[5] + b[2])
        return (1 - z) * candidate + z * h
    }

    @Test func bidirectionalLSTMMatchesHandSteps() throws {
        let xs = [0.5, -1.0]
        let w = [[0.1, 0.2, 0.3, 0.4], [-0.5, 0.6, -0.7, 0.8]], r = [[0.9, -0.1, 0.2, -0.3], [0.4, 0.5, -0.6, 0.7]]
        let b = [[0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08], [-0.1, 0.1, -0.2, 0.2, -0.3, 0.3, -0.4, 0.4]]
        let h0 = [0.3, -0.2], c0 = [0.1, 0.5]
        let results = try evaluate(.lstm, [f64([2, 1, 1], xs), f64([2, 4, 1], w.flatMap { $0 }), f64([2, 4, 1], r.flatMap { $0 }),
                                           f64([2, 8], b.flatMap { $0 }), f64([2, 1, 1], h0), f64([2, 1, 1], c0)],
                                   ["hidden_size": .int(1), "direction": .choice("bidirectional")])
        #expect(results.count == 3)
        // Forward reads x0 then x1; reverse reads x1 then x0, writing y at each step's own t.
        let (f0, fc0) = lstmStep(xs[0], h0[0], c0[0], w: w[0], r: r[0], b: b[0])
        let (f1, fc1) = lstmStep(xs[1], f0, fc0, w: w[0], r: r[0], b: b[0])
        let (r1, rc1) = lstmStep(xs[1], h0[1], c0[1], w: w[1], r: r[1], b: b[1])
        let (r0, rc0) = lstmStep(xs[0], r1, rc1, w: w[1], r: r[1], b: b[1])
        expectClose(results[0], [2, 2, 1, 1], [f0, r0, f1, r1], tolerance: 1e-12)
        expectClose(results[1], [2, 1, 1], [f1, r0], tolerance: 1e-12)
        expectClose(results[2], [2, 1, 1], [fc1, rc0], tolerance: 1e-12)
    }

    @Test func lstmWithoutOptionalOperandsStartsFromZero() throws {
        let w: [Double] = [0.1, 0.2, 0.3, 0.4], r: [Double] = [0.5, 0.6, 0.7, 0.8]
        let results = try evaluate(.lstm, [f64([1, 2, 1], [1, -1]), f64([1, 4, 1], w), f64([1, 4, 1], r)],
                                   ["hidden_size": .int(1), "direction": .choice("reverse")])
        let zeros = Array(repeating: 0.0, count: 8)
        let a = lstmStep(1, 0, 0, w: w, r: r, b: zeros).0, b = lstmStep(-1, 0, 0, w: w, r: r, b: zeros).0
        expectClose(results[0], [1, 1, 2, 1], [a, b], tolerance: 1e-12)
        expectClose(results[1], [1, 2, 1], [a, b], tolerance: 1e-12)
    }

    @Test(arguments: [false, true])
    func gruMatchesHandSteps(linearBeforeReset: Bool) throws {
        let xs = [0.7, -0.4, 0.2]
        let w = [0.3, -0.6, 0.9], r = [0.2, 0.5, -0.8], b = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6]
        let results = try evaluate(.gru, [f64([3, 1, 1], xs), f64([1, 3, 1], w), f64([1, 3, 1], r), f64([1, 6], b), f64([1, 1, 1], [0.25])],
                                   ["hidden_size": .int(1), "linear_before_reset": .bool(linearBeforeReset)])
        #expect(results.count == 2)
        var h = 0.25, ys: [Double] = []
        for x in xs {
            h = gruStep(x, h, w: w, r: r, b: b, linearBeforeReset: linearBeforeReset)
            ys.append(h)
        }
        expectClose(results[0], [3, 1, 1, 1], ys, tolerance: 1e-12)
        expectClose(results[1], [1, 1, 1], [h], tolerance: 1e-12)
    }

    /// With hidden size 2 the recurrent matrix is applied to the whole state: a batch of two
    /// identical rows must give identical states, and swapping r's rows must change them.
    @Test func gruBatchRowsAreIndependent() throws {
        let x = f32([2, 2, 1], [1, 1, -1, -1])
        let w = f32([1, 6, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
        let r = f32([1, 6, 2], (0..<12).map { Float($0) / 10 - 0.5 })
        let y = try evaluate(.gru, [x, w, r], ["hidden_size": .int(2)])[0].doubles
        #expect(y[0..<2] == y[2..<4])
        #expect(y[4..<6] == y[6..<8])
    }
}
