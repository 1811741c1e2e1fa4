import Testing
import LeptonFrontend
import LeptonReference

/// Fused nodes: verifier checks on hand-broken bodies, canonical body names, and the
/// interpreter running a body like the unfused graph.
@Suite struct RegionTests {
    static let fusedSource = """
        graph g(x: f32[N, 8], b: f32[8]) -> (y: f32[N, 8], z: f32[N, 8]) {
          %0: f32[N, 8] = mul(x, x)
          y: f32[N, 8], z: f32[N, 8] = fused(%0, b) graph(x0: f32[N, 8], x1: f32[8]) -> (y0: f32[N, 8], y1: f32[N, 8]) {
            %0: f32[N, 8] = add(x0, x1)
            y0: f32[N, 8] = relu(%0)
            y1: f32[N, 8] = tanh(y0)
          }
        }
        """

    static let unfusedSource = """
        graph g(x: f32[N, 8], b: f32[8]) -> (y: f32[N, 8], z: f32[N, 8]) {
          y = relu(x * x + b)
          z = tanh(y)
        }
        """

    func parsed(_ source: String = fusedSource) throws -> Graph {
        try #require(try Frontend.parse(source: source, path: "f.graph").graphs.first)
    }

    /// The verifier's messages for `graph`, or [] when it passes.
    func complaints(_ graph: Graph) -> [String] {
        do {
            try graph.verify()
            return []
        } catch {
            return error.diagnostics.map(\.message)
        }
    }

    func expectComplaint(_ graph: Graph, _ fragment: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let messages = complaints(graph)
        #expect(messages.contains { $0.contains(fragment) }, "no complaint containing '\(fragment)' in \(messages)",
                sourceLocation: sourceLocation)
    }

    @Test func parsedFusedGraphVerifies() throws {
        let graph = try parsed()
        #expect(complaints(graph) == [])
        #expect(graph.nodes[1].op == .fused)
        #expect(graph.nodes[1].regions.count == 1)
        #expect(graph.nodes[1].regions[0].name == Graph.regionName)
    }

    @Test func verifierRejectsMissingAndExtraBodies() throws {
        var graph = try parsed()
        let body = graph.nodes[1].regions[0]
        graph.nodes[1].regions = []
        expectComplaint(graph, "node 1 (fused) has 0 regions, expected exactly 1")
        graph.nodes[1].regions = [body, body]
        expectComplaint(graph, "node 1 (fused) has 2 regions, expected exactly 1")
        var relu = try parsed()
        relu.nodes[0].regions = [body]
        expectComplaint(relu, "node 0 (mul) has 1 regions; only fused nodes have a body")
    }

    @Test func verifierRejectsSignatureMismatches() throws {
        var inputs = try parsed()
        // A different symbol is a different type: bodies match their operands exactly.
        let x0 = inputs.nodes[1].regions[0].inputs[0]
        inputs.nodes[1].regions[0].values[x0].type = TensorType(.f32, [.symbol("M"), .fixed(8)])
        expectComplaint(inputs, "body input 0 'x0' is f32[M, 8], but operand 0 '%0' (2) is f32[N, 8]")

        var outputs = try parsed()
        let z = outputs.nodes[1].outputs[1]
        outputs.values[z].type = TensorType(.f32, [.symbol("N"), .fixed(9)])
        expectComplaint(outputs, "body output 1 'y1' is f32[N, 8], but result 1 'z' (4) is f32[N, 9]")

        var count = try parsed()
        count.nodes[1].regions[0].inputs.removeLast()
        expectComplaint(count, "has 2 operands, but its body has 1 inputs")
    }

    @Test func verifierRejectsBadBodies() throws {
        var params = try parsed()
        let x1 = params.nodes[1].regions[0].inputs[1]
        params.nodes[1].regions[0].params = [Param(value: x1, initializer: .zeros, location: .unknown)]
        expectComplaint(params, "body has 1 params")

        var broken = try parsed()
        broken.nodes[1].regions[0].nodes[0].inputs = [99]
        expectComplaint(broken, "body: node 0 (add) uses value 99 (out of range")

        var nested = try parsed()
        let inner = nested.nodes[1]
        var body = nested.nodes[1].regions[0]
        // Wrap the body's relu in a fused node of its own.
        let relu = body.nodes[1]
        var innerBody = Graph(name: Graph.regionName, location: .unknown)
        let a = innerBody.addValue("x0", body.type(of: relu.inputs[0]), at: .unknown)
        let b = innerBody.addValue("y0", body.type(of: relu.outputs[0]), at: .unknown)
        innerBody.inputs = [a]
        innerBody.outputs = [b]
        innerBody.nodes = [Node(op: .relu, inputs: [a], outputs: [b], attributes: relu.attributes, location: .unknown)]
        body.nodes[1] = Node(op: .fused, inputs: relu.inputs, outputs: relu.outputs, attributes: inner.attributes,
                             location: relu.location, regions: [innerBody])
        nested.nodes[1].regions = [body]
        expectComplaint(nested, "body node 1 is fused; fused bodies cannot nest fused nodes")
    }

    @Test func verifierSurvivesOutOfRangeBodyIDs() throws {
        var graph = try parsed()
        graph.nodes[1].regions[0].inputs = [42, -1]
        graph.nodes[1].regions[0].outputs = [7, 1000]
        #expect(!complaints(graph).isEmpty)
        _ = graph.canonicalizingRegionNames()
        _ = graph.nodes[1].regions[0].canonicalizingRegionNames()
        _ = Printer.print(graph.nodes[1].regions[0])
    }

    @Test func canonicalNamesAndOrderRoundTrip() throws {
        // A body as a pass might build it: values in no particular order, arbitrary names.
        let type = TensorType(.f32, [.symbol("N"), .fixed(8)])
        var body = Graph(name: "scratch", location: .unknown)
        let sum = body.addValue("sum", type, at: .unknown)
        let lhs = body.addValue("lhs", type, at: .unknown)
        let out = body.addValue("out", type, at: .unknown)
        let rhs = body.addValue("rhs", type, at: .unknown)
        let add = Op.add.schema.defaults
        body.inputs = [lhs, rhs]
        body.nodes = [Node(op: .add, inputs: [lhs, rhs], outputs: [sum], attributes: add, location: .unknown),
                      Node(op: .relu, inputs: [sum], outputs: [out], attributes: Op.relu.schema.defaults, location: .unknown)]
        body.outputs = [out, lhs]
        let canonical = body.canonicalizingRegionNames()
        #expect(canonical.values.map(\.name) == ["x0", "x1", "%0", "y0"])
        #expect(canonical.inputs == [0, 1])
        #expect(canonical.outputs == [3, 0])
        #expect(canonical.nodes.map(\.inputs) == [[0, 1], [2]])
        #expect(canonical.name == Graph.regionName)
        #expect(canonical.canonicalizingRegionNames() == canonical)

        var graph = Graph(name: "g", location: .unknown)
        let x = graph.addValue("x", type, at: .unknown)
        let y = graph.addValue("y", type, at: .unknown)
        let r = graph.addValue("r", type, at: .unknown)
        let s = graph.addValue("s", type, at: .unknown)
        graph.inputs = [x, y]
        graph.nodes = [Node(op: .fused, inputs: [x, y], outputs: [r, s], attributes: Op.fused.schema.defaults,
                            location: .unknown, regions: [canonical])]
        graph.outputs = [r, s]
        #expect(complaints(graph) == [])
        let text = Printer.print(graph)
        #expect(text.contains("r: f32[N, 8], s: f32[N, 8] = fused(x, y) graph(x0: f32[N, 8], x1: f32[N, 8]) -> (y0: f32[N, 8], x0: f32[N, 8]) {"))
        let reparsed = try parsed(text)
        #expect(reparsed.withoutLocations() == graph.withoutLocations(), "\(text)")
        #expect(Printer.print(reparsed) == text)
    }

    @Test func interpreterRunsBodiesLikeTheUnfusedGraph() throws {
        let inputs: [String: Tensor] = [
            "x": Tensor(shape: [3, 8], scalars: (0..<24).map { Float($0) * 0.37 - 4 }),
            "b": Tensor(shape: [8], scalars: (0..<8).map { Float($0) * -0.5 + 1 }),
        ]
        let fused = try Interpreter(graph: try parsed(), parameters: []).run(inputs)
        let plain = try Interpreter(graph: try parsed(Self.unfusedSource), parameters: []).run(inputs)
        #expect(fused == plain)
        #expect(fused[0].shape == [3, 8])
    }

    @Test func interpreterReportsBodyErrorsAtTheBodyNode() throws {
        let graph = try parsed()
        do {
            _ = try Interpreter(graph: graph, parameters: []).run(["x": Tensor(shape: [2, 8], scalars: [Float](repeating: 1, count: 16))])
            Issue.record("expected a missing-input diagnostic")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["missing input 'b' of type f32[8]"])
        }
    }

    @Test func checkInputsReturnsSymbolBindings() throws {
        let graph = try parsed()
        let x = Tensor(shape: [5, 8], scalars: [Float](repeating: 0, count: 40))
        let b = Tensor(shape: [8], scalars: [Float](repeating: 0, count: 8))
        #expect(try checkInputs(["x": x, "b": b], of: graph) == ["N": 5])
        #expect(try checkInputs(["x": x, "b": b], parameters: [], of: graph) == ["N": 5])
        #expect(throws: DiagnosticError.self) { try checkInputs(["x": x], of: graph) }
        do {
            _ = try checkInputs(["x": x, "b": x], of: graph)
            Issue.record("expected a type error")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["input 'b' expects f32[8], got f32[5, 8]: expected rank 1, got 2"])
        }
    }
}
