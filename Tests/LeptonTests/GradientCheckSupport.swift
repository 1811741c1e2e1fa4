import Foundation
import Testing
@testable import LeptonAutodiff
import LeptonFrontend
import LeptonIR
import LeptonReference
import LeptonTensor

/// Checks autodiff against central finite differences, in f64 on the reference interpreter.
///
/// The graph under test (written in `.graph` text, all float inputs f64) gets a loss
/// Σ_outputs Σ(output · r) with a fixed random r per output, so every output element gets a
/// different weight and a wrong adjoint cannot cancel out. ∂loss/∂input from the backward graph
/// is compared with (loss(x + h·e_i) − loss(x − h·e_i)) / 2h for every element i.
struct GradientCheck {
    /// Inputs not given here get uniform values in `range` (seeded); integer inputs must be given.
    var inputs: [String: Tensor] = [:]
    var range: ClosedRange<Double> = -1...1
    /// Per-input ranges (positive values for log and sqrt, away-from-zero for division).
    var ranges: [String: ClosedRange<Double>] = [:]
    var seed: UInt64 = 7
    var step = 1e-6
    var tolerance = 1e-6

    /// Runs the check on the last graph of `source`; returns the analytic gradients by input name.
    @discardableResult
    func run(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [String: Tensor] {
        let module = try Frontend.parse(source: source, path: "check.graph")
        let forward = try #require(module.entry)
        var random = SplitMix64(seed: seed)
        var values = inputs
        for input in forward.inputs where values[forward.name(of: input)] == nil {
            let type = forward.type(of: input)
            let shape = try #require(type.fixedShape, "gradient checks take fixed shapes")
            let r = ranges[forward.name(of: input)] ?? range
            values[forward.name(of: input)] = Tensor(shape: shape, scalars: random.uniform(count: shape.reduce(1, *), low: r.lowerBound, high: r.upperBound))
        }
        let (lossGraph, loss) = try withWeightedLoss(forward, random: &random)
        let wrt = lossGraph.inputs.filter { lossGraph.type(of: $0).dtype.isFloatingPoint }
        let backward = try Autodiff.differentiate(lossGraph, loss: loss, wrt: wrt)
        let parameters = try materializeParameters(of: backward, baseDirectory: ".")
        let results = try Interpreter(graph: backward, parameters: parameters).run(values)
        let lossInterpreter = Interpreter(graph: lossGraph, parameters: try materializeParameters(of: lossGraph, baseDirectory: "."))
        func lossValue(_ feed: [String: Tensor]) throws -> Double { try lossInterpreter.run(feed)[0].doubles[0] }

        var analytic: [String: Tensor] = [:]
        for (k, value) in wrt.enumerated() {
            let name = lossGraph.name(of: value)
            let gradient = results[lossGraph.outputs.count + k]
            analytic[name] = gradient
            let base = try #require(values[name]).doubles
            #expect(gradient.shape == values[name]?.shape, "grad.\(name) shape", sourceLocation: sourceLocation)
            let computed = gradient.doubles
            for i in base.indices {
                var plus = base, minus = base
                plus[i] += step
                minus[i] -= step
                var feed = values
                feed[name] = Tensor(shape: gradient.shape, scalars: plus)
                let up = try lossValue(feed)
                feed[name] = Tensor(shape: gradient.shape, scalars: minus)
                let down = try lossValue(feed)
                let numeric = (up - down) / (2 * step)
                let error = abs(computed[i] - numeric)
                #expect(error <= tolerance * max(1, abs(numeric)),
                        "∂loss/∂\(name)[\(i)]: autodiff \(computed[i]), finite differences \(numeric)", sourceLocation: sourceLocation)
            }
        }
        return analytic
    }

    /// `graph` with one more output, `loss` = Σ over float outputs of reduce_sum(output · r).
    private func withWeightedLoss(_ graph: Graph, random: inout SplitMix64) throws -> (Graph, ValueID) {
        var g = graph
        var total: ValueID?
        func apply(_ op: Op, _ inputs: [ValueID], _ attributes: [String: Attribute] = [:]) throws -> ValueID {
            var complete = op.schema.defaults
            for (k, v) in attributes { complete[k] = v }
            let type = try op.inferTypes(inputs.map { g.type(of: $0) }, complete)[0]
            let out = g.addValue("%check.\(g.values.count)", type, at: .unknown)
            g.nodes.append(Node(op: op, inputs: inputs, outputs: [out], attributes: complete, location: .unknown))
            return out
        }
        for output in graph.outputs where graph.type(of: output).dtype == .f64 {
            let shape = try #require(graph.type(of: output).fixedShape)
            let weights = Tensor(shape: shape, scalars: random.uniform(count: shape.reduce(1, *), low: 0.5, high: 1.5))
            let r = try apply(.constant, [], ["value": .tensor(weights), "dtype": .dtype(.f64)])
            let term = try apply(.reduce_sum, [try apply(.mul, [output, r])], ["keepdims": .bool(false)])
            total = try total.map { try apply(.add, [$0, term]) } ?? term
        }
        let loss = try #require(total, "the graph has no f64 output to differentiate")
        g.values[loss].name = "loss"
        g.outputs = [loss]
        return (g, loss)
    }
}
