import Foundation
import Lepton
import Testing

/// Every golden pass test doubles as a numerical one: the input graph and the graph after its
/// passes run on the reference interpreter with the same inputs — including inf, NaN and -0.0,
/// which catch rewrites like float `x * 0 -> 0` — and must agree exactly (a zero's sign aside,
/// see the add-zero rule; the reassociating folds fold-batch-norm and fold-affine to 1e-5). Both failing (an integer division by zero) also agrees.
@Test(arguments: PassGoldens.files)
func passPreservesResults(_ name: String) throws {
    let url = PassGoldens.directory.appendingPathComponent(name)
    let golden = try PassGolden(try String(contentsOf: url, encoding: .utf8))
    let base = url.deletingLastPathComponent().path
    let module = try Frontend.parse(source: golden.inputLines.joined(separator: "\n"), path: name)
    let manager = PassManager(passes: try Passes.parseList(golden.passes), verifyEach: true)
    for before in module.graphs {
        var after = before
        var context = PassContext(baseDirectory: base, freezeParameters: golden.freeze)
        if let limit = golden.foldLimit { context.foldElementLimit = limit }
        try manager.run(&after, context: &context)
        let inputs = NumericInputs.make(for: before)
        let expected = try? Interpreter(graph: before, parameters: materializeParameters(of: before, baseDirectory: base)).run(inputs)
        let actual = try? Interpreter(graph: after, parameters: materializeParameters(of: after, baseDirectory: base)).run(inputs)
        guard let expected, let actual else {
            #expect((expected == nil) == (actual == nil), "\(name): only one of before/after failed to run")
            continue
        }
        for (index, (want, got)) in zip(expected, actual).enumerated() {
            #expect(want.shape == got.shape && want.dtype == got.dtype, "\(name): output \(index) type changed")
            // Folding float constants into weights (batch norm) or one affine op reassociates:
            // those passes agree to float rounding, every other pass exactly.
            let rtol = golden.passes.contains("fold-batch-norm") || golden.passes.contains("fold-affine") ? 1e-5 : 0
            let same = zip(want.doubles, got.doubles).allSatisfy { want, got in
                want == got || (want.isNaN && got.isNaN) || abs(want - got) <= rtol * abs(want)
            }
            #expect(same, "\(name): output \(index): \(want) before, \(got) after")
        }
    }
}

enum NumericInputs {
    /// Seeded values for every input, symbolic dims bound to 3; floats include inf, -inf, NaN
    /// and -0.0 at fixed positions.
    static func make(for graph: Graph) -> [String: Tensor] {
        var rng = SplitMix64(seed: 42)
        var inputs: [String: Tensor] = [:]
        for id in graph.inputs {
            let type = graph.type(of: id)
            let shape = type.shape.map { $0.fixedValue ?? 3 }
            let count = shape.reduce(1, *)
            let specials: [Double] = [.infinity, -.infinity, .nan, -0.0]
            var values = (0..<count).map { _ in (rng.nextUnit() * 8 - 4).rounded() / 2 }
            for (i, special) in specials.enumerated() where type.dtype.isFloatingPoint && i * 3 < count {
                values[i * 3] = special
            }
            inputs[graph.name(of: id)] = tensor(type.dtype, shape: shape, values)
        }
        return inputs
    }

    static func tensor(_ dtype: DType, shape: [Int], _ values: [Double]) -> Tensor {
        switch dtype {
        case .f32: Tensor(shape: shape, storage: .f32(values.map { Float($0) }))
        case .f64: Tensor(shape: shape, storage: .f64(values))
        case .i32: Tensor(shape: shape, storage: .i32(values.map { Int32($0.rounded()) }))
        case .i64: Tensor(shape: shape, storage: .i64(values.map { Int64($0.rounded()) }))
        case .bool: Tensor(shape: shape, storage: .bool(values.map { $0 > 0 }))
        }
    }
}
