import Foundation
import Testing
@testable import LeptonFrontend
@testable import LeptonReference
@testable import LeptonTensor

/// Whole-model goldens: each example model in `graphs/` is parsed, its params materialized and
/// run by the reference interpreter on fixed inputs; the outputs must match an independent
/// numpy implementation (Tools/gen_model_goldens.py, which also re-derives every seeded
/// parameter from the initializer spec). Fixtures: `Fixtures/models/<case>/{inputs,outputs}/`.
struct ModelCase: Sendable, CustomTestStringConvertible {
    /// Folder under Fixtures/models.
    var fixture: String
    /// File under graphs/.
    var file: String
    /// Graph to run; the file's entry graph when nil.
    var graph: String? = nil

    var testDescription: String { fixture }
}

private let models: [ModelCase] = [
    ModelCase(fixture: "mlp", file: "mlp.graph"),
    ModelCase(fixture: "lenet", file: "lenet.graph"),
    ModelCase(fixture: "resblock", file: "resblock.graph"),
    ModelCase(fixture: "lstm", file: "lstm.graph"),
    ModelCase(fixture: "transformer", file: "transformer.graph"),
    ModelCase(fixture: "textclf", file: "textclf.graph"),
    ModelCase(fixture: "cifar_cnn", file: "cifar_cnn.graph"),
    ModelCase(fixture: "face_cnn", file: "face_cnn.graph"),
    // Stem + first five blocks of MobileNetV2 at 64x64: every template, always run.
    ModelCase(fixture: "mobilenet_v2_blocks", file: "mobilenet_v2.graph", graph: "mobilenet_v2_blocks"),
    // The whole network at 224x224, N = 1: ~4 s in a debug build (the kernels are -O).
    ModelCase(fixture: "mobilenet_v2", file: "mobilenet_v2.graph"),
]

private let repositoryRoot = TestPaths.repositoryRoot

@Test(arguments: models)
func modelMatchesNumpyGolden(_ model: ModelCase) throws {
    let clock = ContinuousClock()
    let start = clock.now
    let path = repositoryRoot.appendingPathComponent("graphs/\(model.file)").path
    let module = try Frontend.parse(source: String(contentsOfFile: path, encoding: .utf8), path: path)
    let graph = try #require(model.graph.map { module.graph(named: $0) } ?? module.entry)
    let parsed = clock.now
    let params = try materializeParameters(of: graph, baseDirectory: module.baseDirectory)
    let materialized = clock.now

    let fixtures = repositoryRoot.appendingPathComponent("Tests/LeptonTests/Fixtures/models/\(model.fixture)")
    var inputs: [String: Tensor] = [:]
    for input in graph.inputs {
        let name = graph.name(of: input)
        inputs[name] = try NPY.read(contentsOf: fixtures.appendingPathComponent("inputs/\(name).npy").path)
    }
    let outputs = try Interpreter(graph: graph, parameters: params).run(inputs)
    let ran = clock.now

    try #require(outputs.count == graph.outputs.count)
    var margin = 0.0
    for (output, actual) in zip(graph.outputs, outputs) {
        let name = graph.name(of: output)
        let expected = try NPY.read(contentsOf: fixtures.appendingPathComponent("outputs/\(name).npy").path)
        margin = Swift.max(margin, expectMatchesGolden(actual, expected, "\(model.fixture).\(name)"))
    }
    print("""
        model \(model.fixture): parse \(parsed - start), params \(materialized - parsed), \
        run \(ran - materialized); worst error \(margin) of tolerance
        """)
}

/// Elementwise |actual − expected| ≤ atol + rtol·|expected|, rtol 1e-4. Returns the largest
/// error as a fraction of its tolerance (the margin, printed with the timings).
///
/// atol is 1e-5 of the largest |expected|, not a fixed number: the goldens are exact (float64)
/// results rounded to f32, while the interpreter accumulates in f32, so its absolute error is
/// about eps·Σ|terms| of the dot products — the scale of the layer, not of each element. An
/// output that is a near-cancelling sum (a logit close to 0, a small probability) has a tiny
/// value but the same absolute error as its neighbours. 1e-5 of the scale is still far below
/// what any real bug (a wrong gate, stride, pad, weight or transpose) changes.
@discardableResult
private func expectMatchesGolden(_ actual: Tensor, _ expected: Tensor, _ what: String, rtol: Double = 1e-4,
                                 sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Double {
    #expect(actual.dtype == expected.dtype, "\(what): dtype", sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else {
        Issue.record("\(what): shape \(actual.shape), expected \(expected.shape)", sourceLocation: sourceLocation)
        return .infinity
    }
    let a = actual.doubles, e = expected.doubles
    let atol = 1e-5 * (e.map(Swift.abs).max() ?? 0)
    var failures = 0, worst = 0, worstRatio = 0.0
    for i in e.indices {
        let ratio = a[i].isNaN ? .infinity : Swift.abs(a[i] - e[i]) / (atol + rtol * Swift.abs(e[i]))
        if ratio > 1 { failures += 1 }
        if ratio > worstRatio || worstRatio.isNaN { worst = i; worstRatio = ratio }
    }
    #expect(failures == 0, """
        \(what): \(failures) of \(e.count) elements differ; worst at flat index \(worst): \
        got \(a[worst]), expected \(e[worst]) (atol \(atol), rtol \(rtol))
        """, sourceLocation: sourceLocation)
    return worstRatio
}
