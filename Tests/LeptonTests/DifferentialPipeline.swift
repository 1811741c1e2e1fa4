import Foundation
import LeptonFrontend
import LeptonIR
import LeptonPasses
import LeptonReference
import LeptonRuntime
import LeptonTensor

/// One differential check: a graph run by the oracle (-O0, reference interpreter) and after
/// the -O2 pipeline, by the reference interpreter. On a mismatch it bisects the pipeline
/// (the first prefix that disagrees names the pass at fault) and shrinks the graph to the
/// smallest single-output cone that still disagrees.
struct DifferentialCase {
    var name: String
    var graph: Graph
    var baseDirectory: String
    var inputs: [String: Tensor]

    /// The passes that changed the graph, and what went wrong (nil: outputs agree).
    struct Outcome {
        var changed: Set<String> = []
        var failure: String?
    }

    static var pipeline: [Pass] { Passes.pipeline(level: 2) }

    /// Passes that cannot change graphs here: prepack acts only with a kernel layout provider,
    /// and packed nodes run only on the runtime, not on the reference interpreter.
    static let idlePasses: Set<String> = ["prepack"]

    func run() -> Outcome {
        var outcome = Outcome()
        do {
            let expected = try Differential.interpret(graph, baseDirectory: baseDirectory, inputs: inputs)
            let (optimized, records) = try optimize(graph, Self.pipeline)
            outcome.changed = Set(records.filter(\.changed).map(\.pass))
            if let problem = try disagreement(optimized, expected) {
                outcome.failure = problem + "\n" + diagnose()
            }
        } catch {
            outcome.failure = "\(error)\n" + diagnose()
        }
        return outcome
    }

    /// `graph` after `passes`, run by the pass manager with verification after each pass.
    func optimize(_ graph: Graph, _ passes: [Pass]) throws(DiagnosticError) -> (Graph, [PassRecord]) {
        var optimized = graph
        var context = PassContext(baseDirectory: baseDirectory, freezeParameters: true)
        let manager = PassManager(passes: passes, verifyEach: true, dump: { _ in })
        let records = try manager.run(&optimized, context: &context)
        return (optimized, records)
    }

    /// How the optimized graph's results differ from `expected` (nil when they agree): on the
    /// reference interpreter, on the runtime executor (twice), and after a print/parse round
    /// trip of the optimized text.
    func disagreement(_ optimized: Graph, _ expected: [Tensor]) throws(DiagnosticError) -> String? {
        let names = optimized.outputs.map { optimized.name(of: $0) }
        let interpreted = try Differential.interpret(optimized, baseDirectory: baseDirectory, inputs: inputs)
        if let problem = Differential.compare(interpreted, expected, names: names) {
            return "-O2 on the reference interpreter disagrees with -O0:\n\(problem)"
        }
        let executor = try Executor(graph: optimized, parameters: try materializeParameters(of: optimized, baseDirectory: baseDirectory))
        for run in ["first", "second"] {  // the second run reuses the plan and the arena
            if let problem = Differential.compare(try executor.run(inputs), expected, names: names) {
                return "-O2 on the executor (\(run) run) disagrees with -O0:\n\(problem)"
            }
        }
        return roundTripProblem(optimized)
    }

    /// The optimized graph must print as text that parses back to the same graph.
    private func roundTripProblem(_ optimized: Graph) -> String? {
        let text = Printer.print(optimized)
        switch Differential.parse(text, path: "\(name).O2.graph") {
        case .failure(let failure):
            return "the optimized graph does not parse back:\n\(failure.message)\n\(text)"
        case .success(let (reparsed, _)):
            return reparsed.withoutLocations() == optimized.withoutLocations() ? nil
                : "the optimized graph changes when printed and parsed back:\n\(text)"
        }
    }

    /// The first pipeline prefix that fails (the pass at fault), and the smallest failing cone.
    func diagnose() -> String {
        var lines: [String] = []
        let passes = Self.pipeline
        if let culprit = (1...passes.count).first(where: { fails(prefix: $0) }) {
            lines.append("first failing pipeline prefix ends with pass '\(passes[culprit - 1].name)' (pass \(culprit) of \(passes.count): "
                + passes.prefix(culprit).map(\.name).joined(separator: ",") + ")")
        } else {
            lines.append("no pipeline prefix fails on its own (failure only in the full run)")
        }
        if let small = smallestFailingCone() {
            lines.append("smallest failing output cone (\(small.nodes.count) nodes):\n" + Printer.print(small))
        }
        return lines.joined(separator: "\n")
    }

    /// Whether running only the first `count` passes already disagrees (or throws).
    func fails(prefix count: Int, graph subject: Graph? = nil) -> Bool {
        let subject = subject ?? graph
        do {
            let expected = try Differential.interpret(subject, baseDirectory: baseDirectory, inputs: inputs(of: subject))
            let (optimized, _) = try optimize(subject, Array(Self.pipeline.prefix(count)))
            var copy = self
            copy.inputs = inputs(of: subject)
            return try copy.disagreement(optimized, expected) != nil
        } catch {
            return true
        }
    }

    private func inputs(of subject: Graph) -> [String: Tensor] {
        inputs.filter { name, _ in subject.inputs.contains { subject.name(of: $0) == name } }
    }

    /// The graph cut down to the cone of each single value in turn; the smallest that fails.
    func smallestFailingCone() -> Graph? {
        let candidates = graph.nodes.flatMap(\.outputs).map { cone(of: $0) }.sorted { $0.nodes.count < $1.nodes.count }
        return candidates.first { fails(prefix: Self.pipeline.count, graph: $0) }
    }

    /// The nodes, params and inputs `value` depends on, with `value` as the only output.
    func cone(of value: ValueID) -> Graph {
        var needed: Set<ValueID> = [value]
        var keptNodes: [Node] = []
        for node in graph.nodes.reversed() where node.outputs.contains(where: needed.contains) {
            keptNodes.insert(node, at: 0)
            needed.formUnion(node.inputs)
        }
        var result = Graph(name: graph.name, location: graph.location)
        var map: [ValueID: ValueID] = [:]
        func define(_ id: ValueID) -> ValueID {
            var info = graph.values[id]
            if id == value, info.name.hasPrefix("%") { info.name = "out" }
            map[id] = result.addValue(info.name, info.type, at: info.location)
            return map[id] ?? id
        }
        result.inputs = graph.inputs.filter(needed.contains).map(define)
        result.params = graph.params.filter { needed.contains($0.value) }.map { Param(value: define($0.value), initializer: $0.initializer, location: $0.location) }
        for node in keptNodes {
            var copy = node
            copy.inputs = node.inputs.map { map[$0] ?? $0 }
            copy.outputs = node.outputs.map(define)
            result.nodes.append(copy)
        }
        result.outputs = [map[value] ?? value]
        return result
    }
}
