import Testing
@testable import LeptonReference

/// The interpreter's input checking, diagnostics and execution, on graphs built by hand.
@Suite struct ReferenceInterpreterTests {
    private func at(_ line: Int, _ column: Int) -> LeptonIR.SourceLocation {
        LeptonIR.SourceLocation(file: "t.graph", line: line, column: column)
    }

    private func node(_ op: Op, _ inputs: [ValueID], _ outputs: [ValueID], _ attributes: [String: Attribute] = [:],
                      at location: LeptonIR.SourceLocation) -> Node {
        var complete = op.schema.defaults
        for (name, value) in attributes { complete[name] = value }
        return Node(op: op, inputs: inputs, outputs: outputs, attributes: complete, location: location)
    }

    /// graph pair(x: f32[N, 3], y: f32[N, 3]) -> (s: f32[N, outDim]) { s = x + y }
    private func pairGraph(outDim: Int = 3) -> Graph {
        var graph = Graph(name: "pair", location: at(1, 1))
        let x = graph.addValue("x", TensorType(.f32, [.symbol("N"), .fixed(3)]), at: at(1, 12))
        let y = graph.addValue("y", TensorType(.f32, [.symbol("N"), .fixed(3)]), at: at(1, 28))
        let s = graph.addValue("s", TensorType(.f32, [.symbol("N"), .fixed(outDim)]), at: at(2, 3))
        graph.inputs = [x, y]
        graph.nodes = [node(.add, [x, y], [s], at: at(2, 9))]
        graph.outputs = [s]
        return graph
    }

    private func diagnostics(_ graph: Graph, _ inputs: [String: Tensor], parameters: [Tensor] = []) -> [Diagnostic] {
        do {
            _ = try Interpreter(graph: graph, parameters: parameters).run(inputs)
            Issue.record("expected a diagnostic")
            return []
        } catch {
            return error.diagnostics
        }
    }

    @Test func runsAndBindsSymbols() throws {
        let outputs = try Interpreter(graph: pairGraph(), parameters: []).run(["x": iota([2, 3]), "y": iota([2, 3], from: 1)])
        expectClose(outputs[0], [2, 3], [1, 3, 5, 7, 9, 11])
    }

    @Test func reportsMissingUnknownAndMistypedInputs() {
        let graph = pairGraph()
        let missing = diagnostics(graph, ["x": iota([2, 3])])
        #expect(missing.map(\.description) == ["t.graph:1:28: error: missing input 'y' of type f32[N, 3]"])
        let unknown = diagnostics(graph, ["x": iota([2, 3]), "y": iota([2, 3]), "z": iota([1])])
        #expect(unknown.map(\.message) == ["unknown input 'z'; graph 'pair' takes 'x', 'y'"])
        let dtype = diagnostics(graph, ["x": f64([2, 3], Array(repeating: 0, count: 6)), "y": iota([2, 3])])
        #expect(dtype.map(\.description) == ["t.graph:1:12: error: input 'x' expects f32[N, 3], got f64[2, 3]: dtype should be f32, got f64"])
        let rank = diagnostics(graph, ["x": iota([2]), "y": iota([2, 3])])
        #expect(rank.map(\.message) == ["input 'x' expects f32[N, 3], got f32[2]: expected rank 2, got 1"])
        let fixed = diagnostics(graph, ["x": iota([2, 100]), "y": iota([2, 3])])
        #expect(fixed.map(\.message) == ["input 'x' expects f32[N, 3], got f32[2, 100]: dimension 1 should be 3, got 100"])
    }

    @Test func reportsInconsistentSymbols() {
        let problems = diagnostics(pairGraph(), ["x": iota([2, 3]), "y": iota([3, 3])])
        #expect(problems.map(\.description) == ["t.graph:1:28: error: input 'y' dimension 0 is N = 3, but N = 2 from input 'x'"])
    }

    @Test func kernelErrorsPointAtTheNode() {
        var graph = Graph(name: "lookup", location: at(1, 1))
        let table = graph.addValue("table", TensorType(.f32, fixed: [4, 2]), at: at(1, 15))
        let ids = graph.addValue("ids", TensorType(.i64, [.symbol("B")]), at: at(1, 35))
        let rows = graph.addValue("rows", TensorType(.f32, [.symbol("B"), .fixed(2)]), at: at(2, 3))
        graph.inputs = [table, ids]
        graph.nodes = [node(.gather, [table, ids], [rows], at: at(2, 10))]
        graph.outputs = [rows]
        let problems = diagnostics(graph, ["table": iota([4, 2]), "ids": i64([2], [1, 9])])
        #expect(problems.map(\.description) == ["t.graph:2:10: error: gather index 9 is out of range for axis 0 of size 4"])
    }

    @Test func shapeRuleDisagreementIsInternal() {
        let problems = diagnostics(pairGraph(outDim: 4), ["x": iota([2, 3]), "y": iota([2, 3])])
        #expect(problems.count == 1)
        #expect(problems.first?.message.hasPrefix("internal: ") == true)
        #expect(problems.first?.location == at(2, 9))
    }

    /// mlp(x: f32[N, 2]) -> (h: f32[N, 2], out: f32[N, 2]) with param w: f32[2, 2]:
    /// h = exp(matmul(x, w)); out = h + neg(h). h is read twice and is also an output.
    private func chainGraph() -> Graph {
        var graph = Graph(name: "chain", location: at(1, 1))
        let type = TensorType(.f32, [.symbol("N"), .fixed(2)])
        let x = graph.addValue("x", type, at: at(1, 13))
        let w = graph.addValue("w", TensorType(.f32, fixed: [2, 2]), at: at(2, 9))
        let product = graph.addValue("%0", type, at: at(3, 3))
        let h = graph.addValue("h", type, at: at(3, 3))
        let negated = graph.addValue("%1", type, at: at(4, 3))
        let out = graph.addValue("out", type, at: at(4, 3))
        graph.inputs = [x]
        graph.params = [Param(value: w, initializer: .zeros, location: at(2, 3))]
        graph.nodes = [node(.matmul, [x, w], [product], at: at(3, 11)), node(.exp, [product], [h], at: at(3, 7)),
                       node(.neg, [h], [negated], at: at(4, 13)), node(.add, [h, negated], [out], at: at(4, 9))]
        graph.outputs = [h, out]
        return graph
    }

    @Test func runsChainsWithParams() throws {
        let interpreter = Interpreter(graph: chainGraph(), parameters: [f32([2, 2], [0, 0, 0, 0])])
        let outputs = try interpreter.run(["x": iota([3, 2])])
        expectClose(outputs[0], [3, 2], Array(repeating: 1, count: 6))
        expectClose(outputs[1], [3, 2], Array(repeating: 0, count: 6))
        // Running twice gives the same answer: nothing released belongs to the interpreter.
        #expect(try interpreter.run(["x": iota([3, 2])]) == outputs)
    }

    @Test func checksParamShapes() {
        let problems = diagnostics(chainGraph(), ["x": iota([3, 2])], parameters: [f32([2], [0, 0])])
        #expect(problems.map(\.description) == ["t.graph:2:3: error: param 'w' expects f32[2, 2], got f32[2]: expected rank 2, got 1"])
    }
}
