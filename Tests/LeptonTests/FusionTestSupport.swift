import Foundation
import LeptonFrontend
import LeptonIR
import LeptonPasses
import LeptonReference
import Testing

/// The entry graph of `source`.
func entryGraph(_ source: String) throws -> Graph {
    let module = try Frontend.parse(source: source, path: "test.graph")
    guard let graph = module.entry else { throw DiagnosticError(at: .unknown, "no graph") }
    return graph
}

/// `graph` after `passes`, verified after each; also whether each changed it.
func applying(_ passes: [Pass], to graph: Graph, context: inout PassContext) throws -> (Graph, [Bool]) {
    var result = graph
    var changes: [Bool] = []
    for pass in passes {
        let before = result
        let changed = try pass.run(&result, &context)
        try result.verify()
        if !changed { #expect(result == before, "\(pass.name) said unchanged but changed the graph") }
        changes.append(changed)
    }
    return (result, changes)
}

/// Seeded inputs for `graph` with every symbolic dim bound to `symbol` (floats in [-1, 1)).
func seededInputs(_ graph: Graph, symbol: Int = 2, seed: UInt64 = 7) -> [String: Tensor] {
    var rng = SplitMix64(seed: seed)
    var inputs: [String: Tensor] = [:]
    for id in graph.inputs {
        let type = graph.type(of: id)
        let shape = type.shape.map { $0.fixedValue ?? symbol }
        let count = shape.reduce(1, *)
        let values = rng.uniform(count: count, low: -1, high: 1)
        inputs[graph.name(of: id)] = switch type.dtype {
        case .f32: Tensor(shape: shape, scalars: values.map { Float($0) })
        case .f64: Tensor(shape: shape, scalars: values)
        case .i32: Tensor(shape: shape, scalars: values.map { Int32($0 * 8) })
        case .i64: Tensor(shape: shape, scalars: values.map { Int64($0 * 8) })
        case .bool: Tensor(shape: shape, scalars: values.map { $0 > 0 })
        }
    }
    return inputs
}

/// Runs `graph` with the reference Interpreter (which runs fused nodes through their bodies).
func runReference(_ graph: Graph, _ inputs: [String: Tensor], baseDirectory: String = ".") throws -> [Tensor] {
    let parameters = try materializeParameters(of: graph, baseDirectory: baseDirectory)
    return try Interpreter(graph: graph, parameters: parameters).run(inputs)
}

/// Runs `passes` on `graph` and checks the results agree with the original's (same inputs,
/// same param values) to `rtol`; returns the optimized graph.
@discardableResult
func expectSameResults(_ graph: Graph, after passes: [Pass], baseDirectory: String = ".", symbol: Int = 2,
                       rtol: Double = 1e-5, atol: Double = 1e-6, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Graph {
    var context = PassContext(baseDirectory: baseDirectory)
    let (optimized, _) = try applying(passes, to: graph, context: &context)
    let inputs = seededInputs(graph, symbol: symbol)
    let expected = try runReference(graph, inputs, baseDirectory: baseDirectory)
    let actual = try runReference(optimized, inputs, baseDirectory: baseDirectory)
    for (a, e) in zip(actual, expected) {
        if let problem = mismatch(a, e, rtol: rtol, atol: atol) {
            Issue.record("\(graph.name) after \(passes.map(\.name)): \(problem)", sourceLocation: sourceLocation)
        }
    }
    return optimized
}

/// How many nodes of `graph` run `op`.
func count(_ op: Op, in graph: Graph) -> Int { graph.nodes.filter { $0.op == op }.count }
