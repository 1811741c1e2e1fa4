import Foundation
import Testing
@testable import LeptonFrontend
import LeptonPasses
@testable import LeptonReference
@testable import LeptonRuntime

/// Runs `graph` with the Executor and the reference Interpreter on `inputs`; every output must
/// agree to rtol 1e-4 (atol 1e-5 of the output's scale: f32 sums in another order).
@discardableResult
func expectExecutorMatchesReference(_ graph: Graph, parameters: [Tensor] = [], _ inputs: [String: Tensor],
                                    executor existing: Executor? = nil,
                                    sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Executor {
    let executor = try existing ?? Executor(graph: graph, parameters: parameters)
    let expected = try Interpreter(graph: graph, parameters: parameters).run(inputs)
    let actual = try executor.run(inputs)
    try #require(actual.count == expected.count, sourceLocation: sourceLocation)
    for (k, (a, e)) in zip(actual, expected).enumerated() {
        let scale = e.dtype.isFloatingPoint ? e.doubles.filter(\.isFinite).map(Swift.abs).max() ?? 0 : 0
        if let problem = mismatch(a, e, rtol: 1e-4, atol: 1e-5 * scale) {
            Issue.record("\(graph.name) output '\(graph.name(of: graph.outputs[k]))': \(problem)", sourceLocation: sourceLocation)
        }
    }
    return executor
}

/// A graph of an example in graphs/ (the file's entry graph unless `name` is given), with the
/// module it came from (for its base directory).
func exampleGraph(_ file: String, named name: String? = nil) throws -> (graph: Graph, module: Module) {
    let path = TestPaths.repositoryRoot.appendingPathComponent("graphs/\(file)").path
    let module = try Frontend.parse(source: String(contentsOfFile: path, encoding: .utf8), path: path)
    return (try #require(name.map { module.graph(named: $0) } ?? module.entry), module)
}

/// `graph` after the -O2 pipeline, with frozen params read relative to `baseDirectory`.
func optimizedAtO2(_ graph: Graph, baseDirectory: String, verifyEach: Bool) throws -> Graph {
    var optimized = graph
    var context = PassContext(baseDirectory: baseDirectory)
    try PassManager(passes: Passes.pipeline(level: 2), verifyEach: verifyEach).run(&optimized, context: &context)
    return optimized
}

/// The committed golden inputs of model fixture `fixture` (Fixtures/models/FIXTURE/inputs/).
func goldenInputs(of graph: Graph, fixture: String) throws -> [String: Tensor] {
    let directory = TestPaths.fixtures("models").appendingPathComponent(fixture).appendingPathComponent("inputs")
    var inputs: [String: Tensor] = [:]
    for input in graph.inputs {
        let name = graph.name(of: input)
        inputs[name] = try NPY.read(contentsOf: directory.appendingPathComponent("\(name).npy").path)
    }
    return inputs
}

/// The entry graph of `.graph` source text.
func parseGraph(_ source: String) throws -> Graph {
    let module = try Frontend.parse(source: source, path: "test.graph")
    return try #require(module.entry)
}

/// Seeded inputs for every graph input: floats uniform in [-2, 2), ints in `intRange`, bools
/// alternating by a coin flip; symbolic dims take `bindings`.
func randomInputs(_ graph: Graph, bindings: [String: Int] = [:], intRange: Range<Int64> = 0..<5, seed: UInt64 = 7) -> [String: Tensor] {
    var rng = SplitMix64(seed: seed)
    var inputs: [String: Tensor] = [:]
    for id in graph.inputs {
        let type = graph.type(of: id)
        let shape = type.shape.map { dim -> Int in
            switch dim {
            case .fixed(let n): n
            case .symbol(let s): bindings[s] ?? 2
            }
        }
        let n = shape.reduce(1, *)
        let unit = (0..<n).map { _ in Double(rng.next() >> 11) * 0x1p-53 }
        let span = Double(intRange.upperBound - intRange.lowerBound)
        let ints = unit.map { intRange.lowerBound + Int64(($0 * span).rounded(.down)) }
        let tensor: Tensor = switch type.dtype {
        case .f32: Tensor(shape: shape, scalars: unit.map { Float($0 * 4 - 2) })
        case .f64: Tensor(shape: shape, scalars: unit.map { $0 * 4 - 2 })
        case .i32: Tensor(shape: shape, scalars: ints.map { Int32($0) })
        case .i64: Tensor(shape: shape, scalars: ints)
        case .bool: Tensor(shape: shape, scalars: unit.map { $0 < 0.5 })
        }
        inputs[graph.name(of: id)] = tensor
    }
    return inputs
}

/// Parses `source`, makes seeded inputs, and compares the Executor with the reference.
@discardableResult
func expectExecutorMatchesReference(source: String, bindings: [String: Int] = [:], intRange: Range<Int64> = 0..<5,
                                    sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Executor {
    let graph = try parseGraph(source)
    let parameters = try materializeParameters(of: graph, baseDirectory: ".")
    return try expectExecutorMatchesReference(graph, parameters: parameters, randomInputs(graph, bindings: bindings, intRange: intRange),
                                              sourceLocation: sourceLocation)
}
