import Foundation
import Testing
import LeptonFrontend
import LeptonIR

/// Lowers `source` expecting success; records the diagnostics otherwise.
private func module(_ source: String, path: String = "test.graph") -> Module? {
    switch lower(source, path: path) {
    case .success(let module): return module
    case .failure(let error):
        Issue.record("unexpected diagnostics:\n\(error.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n"))")
        return nil
    }
}

private func value(_ name: String, in graph: Graph) -> ValueID? {
    graph.values.firstIndex { $0.name == name }
}

/// The node producing `name`.
private func producer(of name: String, in graph: Graph) -> Node? {
    guard let id = value(name, in: graph) else { return nil }
    return graph.nodes.first { $0.outputs.contains(id) }
}

/// The constant feeding operand `index` of the node producing `name`.
private func constantOperand(_ index: Int, of name: String, in graph: Graph) -> Tensor? {
    guard let node = producer(of: name, in: graph) else { return nil }
    let operand = node.inputs[index]
    guard let constant = graph.nodes.first(where: { $0.outputs == [operand] }), constant.op == .constant else { return nil }
    return constant.attributes.tensor("value")
}

// MARK: Literal typing

@Test func literalInArithmeticTakesTheOtherOperandsDType() throws {
    let m = try #require(module("""
        graph g(x: f64[2], k: i32[2]) -> (a: f64[2], b: i32[2], c: bool[2], d: f64[2]) {
          a = 2 * x
          b = k + [1, 2]
          c = gt(k, 0)
          d = max(x, 1)
        }
        """))
    let g = m.graphs[0]
    #expect(constantOperand(0, of: "a", in: g) == Tensor(scalar: 2.0))
    #expect(constantOperand(1, of: "b", in: g) == Tensor(shape: [2], scalars: [Int32(1), 2]))
    #expect(constantOperand(1, of: "c", in: g) == Tensor(scalar: Int32(0)))
    #expect(constantOperand(1, of: "d", in: g) == Tensor(scalar: 1.0))
}

@Test func literalDefaultsAndAnnotatedTypes() throws {
    let m = try #require(module("""
        graph g(x: f32[]) -> (i: i64[], f: f32[], a: f64[], p: f64[], l: f32[2, 2]) {
          i = 2
          f = 2.5
          a: f64[] = 2
          p: f64[] = 2 * 3
          l = [[1, 2.5], [3, 4]]
        }
        """))
    let g = m.graphs[0]
    #expect(producer(of: "i", in: g)?.attributes.tensor("value") == Tensor(scalar: Int64(2)))
    #expect(producer(of: "f", in: g)?.attributes.tensor("value") == Tensor(scalar: Float(2.5)))
    #expect(producer(of: "a", in: g)?.attributes.tensor("value") == Tensor(scalar: 2.0))
    #expect(constantOperand(0, of: "p", in: g) == Tensor(scalar: 2.0))
    #expect(producer(of: "l", in: g)?.attributes.tensor("value") == Tensor(shape: [2, 2], scalars: [Float(1), 2.5, 3, 4]))
}

@Test func f32LiteralsConvertFromTheirDigits() throws {
    let m = try #require(module("graph g(x: f32[]) -> (y: f32[]) {\n  y = x + 0.1\n}\n"))
    let literal = try #require(constantOperand(1, of: "y", in: m.graphs[0])?.scalars(as: Float.self)?.first)
    #expect(literal.bitPattern == Float(0.1).bitPattern)
}

@Test func unaryMinusFoldsIntoLiteralsAndNegatesValues() throws {
    let m = try #require(module("graph g(x: f32[2]) -> (y: f32[2], z: f32[2]) {\n  y = x * -1\n  z = -x\n}\n"))
    let g = m.graphs[0]
    #expect(constantOperand(1, of: "y", in: g) == Tensor(scalar: Float(-1)))
    #expect(producer(of: "z", in: g)?.op == .neg)
}

// MARK: Naming

@Test func temporariesAreNumberedInNodeOrderAndAssignmentOfANameIsIdentity() throws {
    let m = try #require(module("""
        graph g(x: f32[2]) -> (y: f32[2], same: f32[2]) {
          y = relu(exp(x) + 1)
          same = x
        }
        """))
    let g = m.graphs[0]
    #expect(g.nodes.map(\.op) == [.exp, .constant, .add, .relu, .identity])
    #expect(g.nodes.flatMap(\.outputs).map { g.name(of: $0) } == ["%0", "%1", "%2", "y", "same"])
}

@Test func inlinedCallsArePrefixedByTargetOrCalleeCounter() throws {
    let m = try #require(module("""
        graph block(x: f32[N, 4]) -> (y: f32[N, 4]) {
          param w: f32[4] = glorot(seed: 1)
          h = x * w
          y = relu(h)
        }

        graph outer(x: f32[N, 4]) -> (y: f32[N, 4]) {
          inner = block(x)
          y = inner + 1
        }

        graph main(x: f32[N, 4]) -> (out: f32[N, 4]) {
          b1 = block(x)
          s = block(b1) + block(x)
          out = outer(s)
        }
        """))
    let main = try #require(m.entry)
    #expect(main.name == "main")
    #expect(m.graphs.map(\.name) == ["block", "outer", "main"])
    #expect(main.params.map { main.name(of: $0.value) } == ["b1.w", "block_0.w", "block_1.w", "out.inner.w"])
    for name in ["b1.h", "b1", "block_0.h", "block_0.y", "block_1.y", "out.inner.h", "out.inner", "out"] {
        #expect(value(name, in: main) != nil, "missing \(name)")
    }
    #expect(main.params.map(\.initializer).allSatisfy { $0 == .glorot(seed: 1) })
}

@Test func callResultsThatAreCalleeInputsBecomeIdentities() throws {
    let m = try #require(module("""
        graph pass(x: f32[2]) -> (y: f32[2], x: f32[2]) {
          y = relu(x)
        }

        graph main(x: f32[2]) -> (a: f32[2], b: f32[2]) {
          a, b = pass(x)
        }
        """))
    let main = m.graphs[1]
    #expect(producer(of: "a", in: main)?.op == .relu)
    #expect(producer(of: "b", in: main)?.op == .identity)
}

// MARK: Templates

@Test func templatesInstantiateDimExpressionsAndInferOutputDims() throws {
    let m = try #require(module("""
        graph widen(x: f32[N, C], k: int, extra: int = k + 1) -> (y: f32[N, C * k + extra], r: f32[N, R]) {
          param w: f32[C, C * k + extra] = normal(std: 0.1, seed: k)
          y = matmul(x, w)
          r = reduce_sum(y, axes: [1])
        }

        graph main(x: f32[B, 3]) -> (y: f32[B, 9], r: f32[B, 1]) {
          y, r = widen(x, k: 2, extra: 3)
        }
        """))
    #expect(m.graphs.map(\.name) == ["main"])
    let main = m.graphs[0]
    let w = try #require(main.params.first)
    #expect(main.name(of: w.value) == "y.w")
    #expect(main.type(of: w.value) == TensorType(.f32, fixed: [3, 9]))
    #expect(w.initializer == .normal(mean: 0, std: 0.1, seed: 2))
    #expect(main.type(of: main.outputs[0]) == TensorType(.f32, [.symbol("B"), .fixed(9)]))
}

@Test func templateArgumentsReachAttributes() throws {
    let m = try #require(module("""
        graph pool(x: f32[N, C, H, W], s: int) -> (y: f32[N, C, Ho, Wo]) {
          y = max_pool2d(x, kernel: [s, s], strides: [s, s])
        }

        graph main(x: f32[1, 2, 8, 8]) -> (y: f32[1, 2, 2, 2]) {
          y = pool(x, s: 4)
        }
        """))
    let node = try #require(m.graphs[0].nodes.first)
    #expect(node.attributes.ints("kernel") == [4, 4])
    #expect(node.attributes.ints("strides") == [4, 4])
}

@Test func templateDimensionThatDoesNotReduceIsAnError() {
    let error = firstError("""
        graph t(x: f32[N, C], k: int) -> (y: f32[N, C]) {
          param w: f32[C / k] = zeros
          y = x
        }

        graph main(x: f32[B, M]) -> (y: f32[B, M]) {
          y = t(x, k: 2)
        }
        """)
    #expect(error == "test.graph:2:18: error: dimension 'C / k' does not reduce to an integer or a single symbol (it is M / 2)")
}

// MARK: Order and structure

@Test func statementOrderDoesNotMatter() throws {
    let ordered = try #require(module("""
        graph g(x: f32[2]) -> (y: f32[2]) {
          param b: f32[2] = zeros
          a = relu(x)
          c = a * b
          y = c + a
        }
        """))
    let shuffled = try #require(module("""
        graph g(x: f32[2]) -> (y: f32[2]) {
          y = c + a
          c = a * b
          param b: f32[2] = zeros
          a = relu(x)
        }
        """))
    #expect(ordered.graphs[0].withoutLocations() == shuffled.graphs[0].withoutLocations())
}

@Test func nodeAttributesAreComplete() throws {
    let m = try #require(module("graph g(x: f32[1, 1, 4, 4], w: f32[1, 1, 3, 3]) -> (y: f32[1, 1, 2, 2]) {\n  y = conv2d(x, w)\n}\n"))
    let node = try #require(m.graphs[0].nodes.first)
    for spec in Op.conv2d.schema.attributes {
        #expect(node.attributes[spec.name] == spec.defaultValue)
    }
}

@Test func baseDirectoryIsTheDirectoryOfThePath() throws {
    let source = "graph g(x: f32[2]) -> (y: f32[2]) {\n  y = x\n}\n"
    #expect(module(source, path: "models/mlp/model.graph")?.baseDirectory == "models/mlp")
    #expect(module(source, path: "model.graph")?.baseDirectory == ".")
}

@Test func independentErrorsAreAllReported() {
    guard case .failure(let error) = lower("""
        graph g(x: f32[2]) -> (y: f32[2]) {
          a = relu(missing)
          b = softmax(x, axs: 1)
          c = a + 1
          y = x
        }
        """) else {
        Issue.record("expected errors")
        return
    }
    // `c` uses the failed `a`: no third, cascading complaint.
    #expect(error.diagnostics.map(\.location.line) == [2, 3])
}

@Test func errorsInsideCallsCarryANoteAtTheCallSite() {
    guard case .failure(let error) = lower("""
        graph t(x: f32[N], k: int) -> (y: f32[N]) {
          y = x + [1, 2, 3]
        }

        graph main(x: f32[2]) -> (y: f32[2]) {
          y = t(x, k: 1)
        }
        """) else {
        Issue.record("expected errors")
        return
    }
    #expect(error.diagnostics.count == 2)
    #expect(error.diagnostics.first?.location.line == 2)
    #expect(error.diagnostics.last?.description == "test.graph:6:7: note: in call to 't'")
}

// MARK: Dimension symbols as compile-time values

@Test func boundDimensionSymbolsServeAsCompileTimeInts() throws {
    let m = try #require(module("""
        graph depthwise(x: f32[N, C, H, W], k: int) -> (y: f32[N, C, H, W]) {
          param w: f32[C, 1, k, k] = he(seed: 1)
          y = conv2d(x, w, pads: [k / 2, k / 2, k / 2, k / 2], group: C)
        }

        graph main(x: f32[1, 6, 8, 8]) -> (y: f32[1, 6, 8, 8]) {
          y = depthwise(x, k: 3)
        }
        """))
    let graph = try #require(m.graph(named: "main"))
    let conv = try #require(producer(of: "y", in: graph))
    #expect(conv.attributes.int("group") == 6)
    #expect(conv.attributes.ints("pads") == [1, 1, 1, 1])
}
