import Testing
import Lepton

private let doubler = """
graph double(x: f32[N, 2]) -> (y: f32[N, 2]) {
  param s: f32[2] = constant(2)
  y = x * s
}
"""

/// The rendered text of the error `body` throws, or nil when it succeeds.
private func renderedFailure(_ model: Model, _ body: (Model) throws(DiagnosticError) -> Void) -> String? {
    do throws(DiagnosticError) {
        try body(model)
        return nil
    } catch {
        return model.render(error)
    }
}

@Test func runsTheEntryGraphAndNamesOutputs() throws {
    let model = try Model(source: doubler, path: "double.graph")
    let x = Tensor(shape: [2, 2], scalars: [Float(1), 2, 3, 4])
    for _ in 0..<2 {  // the second run uses the cached parameters
        let outputs = try model.run(inputs: ["x": x])
        #expect(outputs.map(\.name) == ["y"])
        #expect(outputs.first?.tensor == Tensor(shape: [2, 2], scalars: [Float(2), 4, 6, 8]))
    }
}

@Test func rendersInputMismatchesAtTheSignature() throws {
    let model = try Model(source: doubler, path: "double.graph")
    let wrongShape = renderedFailure(model) { model throws(DiagnosticError) in
        _ = try model.run(inputs: ["x": Tensor(shape: [3], scalars: [Float(1), 2, 3])])
    }
    #expect(wrongShape == """
    double.graph:1:14: error: input 'x' expects f32[N, 2], got f32[3]: expected rank 2, got 1
    graph double(x: f32[N, 2]) -> (y: f32[N, 2]) {
                 ^
    """)
    let missing = renderedFailure(model) { model throws(DiagnosticError) in _ = try model.run(inputs: [:]) }
    #expect(missing?.hasPrefix("double.graph:1:14: error: missing input 'x' of type f32[N, 2]") == true)
    let unknown = renderedFailure(model) { model throws(DiagnosticError) in
        _ = try model.run(inputs: ["x": Tensor(shape: [1, 2], scalars: [Float(1), 2]), "z": Tensor(scalar: Float(1))])
    }
    #expect(unknown?.hasPrefix("double.graph:1:1: error: unknown input 'z'; graph 'double' takes 'x'") == true)
}

@Test func symbolsMustAgreeAcrossInputs() throws {
    let model = try Model(source: """
    graph plus(a: f32[N], b: f32[N]) -> (c: f32[N]) {
      c = a + b
    }
    """, path: "plus.graph")
    let failure = renderedFailure(model) { model throws(DiagnosticError) in
        _ = try model.run(inputs: ["a": Tensor(shape: [2], scalars: [Float(1), 2]), "b": Tensor(shape: [3], scalars: [Float(1), 2, 3])])
    }
    #expect(failure?.hasPrefix("plus.graph:1:23: error: input 'b' dimension 0 is N = 3, but N = 2 from input 'a'") == true)
}

@Test func graphLookupAndLoadErrors() throws {
    let model = try Model(source: doubler, path: "double.graph")
    #expect(try model.graph(named: nil).name == "double")
    #expect(renderedFailure(model) { model throws(DiagnosticError) in _ = try model.graph(named: "nope") }
        == "double.graph: error: no graph named 'nope' (graphs: double)")
    do throws(DiagnosticError) {
        _ = try Model.load(contentsOf: "/nonexistent/model.graph")
        Issue.record("loading a missing file succeeded")
    } catch {
        #expect(error.rendered(source: nil, path: "/nonexistent/model.graph") == "/nonexistent/model.graph: error: no such file")
    }
}

@Test func parseErrorsRenderWithACaret() {
    let source = "graph g(x: f32[2]) -> (y: f32[2]) {\n  y = frobnicate(x)\n}\n"
    do throws(DiagnosticError) {
        _ = try Model(source: source, path: "g.graph")
        Issue.record("an unknown op parsed")
    } catch {
        let lines = error.rendered(source: source, path: "g.graph").split(separator: "\n")
        #expect(lines.first?.hasPrefix("g.graph:2:") == true)
        #expect(lines.count >= 3 && lines[1] == "  y = frobnicate(x)" && lines[2].hasSuffix("^"))
    }
}
