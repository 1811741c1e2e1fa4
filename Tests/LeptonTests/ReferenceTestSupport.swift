import Testing
@testable import LeptonReference

/// Runs one op through the reference with schema defaults plus `attributes`.
func evaluate(_ op: Op, _ inputs: [Tensor], _ attributes: [String: Attribute] = [:]) throws -> [Tensor] {
    var complete = op.schema.defaults
    for (name, value) in attributes { complete[name] = value }
    return try op.evaluate(inputs, complete)
}

/// The single result of `op`.
func evaluate1(_ op: Op, _ inputs: [Tensor], _ attributes: [String: Attribute] = [:]) throws -> Tensor {
    let results = try evaluate(op, inputs, attributes)
    #expect(results.count == 1)
    return results[0]
}

func f32(_ shape: [Int], _ values: [Float]) -> Tensor { Tensor(shape: shape, scalars: values) }
func f64(_ shape: [Int], _ values: [Double]) -> Tensor { Tensor(shape: shape, scalars: values) }
func i64(_ shape: [Int], _ values: [Int64]) -> Tensor { Tensor(shape: shape, scalars: values) }
func i32(_ shape: [Int], _ values: [Int32]) -> Tensor { Tensor(shape: shape, scalars: values) }

/// 0, 1, 2, … as f32 of `shape`.
func iota(_ shape: [Int], from start: Float = 0) -> Tensor {
    f32(shape, (0..<shape.reduce(1, *)).map { start + Float($0) })
}

/// Deterministic pseudo-random f64 values in [-1, 1).
func randomF64(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SplitMix64(seed: seed)
    return f64(shape, rng.uniform(count: shape.reduce(1, *), low: -1, high: 1))
}

/// Expects `tensor` to have `shape` and values within `tolerance` (relative to max(1, |e|)).
func expectClose(_ tensor: Tensor, _ shape: [Int], _ expected: [Double], tolerance: Double = 1e-6,
                 sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    #expect(tensor.shape == shape, "shape \(tensor.shape) != \(shape)", sourceLocation: sourceLocation)
    let actual = tensor.doubles
    guard actual.count == expected.count else {
        Issue.record("count \(actual.count) != \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || a == e || abs(a - e) <= tolerance * max(1, abs(e))
        #expect(ok, "element \(i): \(a) != \(e)", sourceLocation: sourceLocation)
    }
}
