import Testing
import LeptonIR
import LeptonRuntime
import LeptonTensor

/// Random DAGs of elementwise ops, matmuls and shape views, written as `.graph` text and
/// planned: every plan must validate and survive the arena simulation. Half the seeds use a
/// symbolic batch dimension and are planned under two bindings.
struct RandomPlanGraph {
    private var rng: SplitMix64
    private var lines: [String] = []
    private var params: [String] = []
    /// Values so far: name and [rows, cols]; rows is "N" when symbolic.
    private var values: [(name: String, rows: String, cols: Int)] = []
    let symbolic: Bool

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
        symbolic = seed % 2 == 1
    }

    private mutating func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    private mutating func pickValue() -> (name: String, rows: String, cols: Int) { values[pick(values.count)] }

    /// `graph random(x: f32[R, C], ...) -> (...) { ... }`
    mutating func text() -> String {
        let rows = symbolic ? "N" : String(2 + pick(3))
        let cols = [4, 6, 8][pick(3)]
        values = [("x", rows, cols)]
        let steps = 4 + pick(14)
        for step in 0..<steps { addNode(named: "v\(step)") }
        var outputs = [values[values.count - 1]]
        for k in 0..<pick(3) {
            let source = pickValue()
            lines.append("o\(k) = \(source.name)")
            outputs.append(("o\(k)", source.rows, source.cols))
        }
        func declare(_ v: (name: String, rows: String, cols: Int)) -> String { "\(v.name): f32[\(v.rows), \(v.cols)]" }
        let body = (params + lines).map { "  " + $0 }.joined(separator: "\n")
        return "graph random(\(declare(values[0]))) -> (\(outputs.map(declare).joined(separator: ", "))) {\n\(body)\n}\n"
    }

    private mutating func addNode(named name: String) {
        let a = pickValue()
        switch pick(8) {
        case 0, 1:
            let op = ["relu", "exp", "tanh", "neg", "sigmoid"][pick(5)]
            emit(name, "\(op)(\(a.name))", a.rows, a.cols)
        case 2, 3:
            let partners = values.filter { $0.rows == a.rows && $0.cols == a.cols }
            let b = partners[pick(partners.count)]
            emit(name, "\(a.name) \(["+", "*", "-"][pick(3)]) \(b.name)", a.rows, a.cols)
        case 4:
            let cols = [2, 4, 6, 8][pick(4)]
            params.append("param w\(params.count): f32[\(a.cols), \(cols)] = glorot(seed: \(params.count))")
            emit(name, "matmul(\(a.name), w\(params.count - 1))", a.rows, cols)
        case 5:
            emit(name, view(of: a), a.rows, a.cols)
        case 6:
            emit(name, fusedExpression(a), a.rows, a.cols)
        default:
            emit(name, "transpose(transpose(\(a.name)))", a.rows, a.cols)
        }
    }

    /// An expression viewing `a` with the same shape (through other shapes on the way).
    private mutating func view(of a: (name: String, rows: String, cols: Int)) -> String {
        switch pick(3) {
        case 0: "squeeze(unsqueeze(\(a.name), axes: [1]), axes: [1])"
        case 1: "reshape(reshape(\(a.name), shape: [0, \(a.cols / 2), 2]), shape: [0, -1])"
        default: "flatten(\(a.name))"
        }
    }

    /// `fused(a, b) graph(...) { ... }`: an elementwise body (may run in place) or one with
    /// a reduction (may not).
    private mutating func fusedExpression(_ a: (name: String, rows: String, cols: Int)) -> String {
        let partners = values.filter { $0.rows == a.rows && $0.cols == a.cols }
        let b = partners[pick(partners.count)]
        let type = "f32[\(a.rows), \(a.cols)]"
        let last = pick(2) == 0 ? "relu(%0)" : "softmax(%0)"
        return "fused(\(a.name), \(b.name)) graph(x0: \(type), x1: \(type)) -> (y0: \(type)) {\n"
            + "    %0: \(type) = mul(x0, x1)\n    y0: \(type) = \(last)\n  }"
    }

    private mutating func emit(_ name: String, _ expression: String, _ rows: String, _ cols: Int) {
        lines.append("\(name) = \(expression)")
        values.append((name, rows, cols))
    }
}

@Test(arguments: 0..<100)
func randomGraphPlansValidate(seed: Int) throws {
    var generator = RandomPlanGraph(seed: UInt64(seed))
    let source = generator.text()
    let graph = try MemoryTesting.graph(source, path: "random\(seed).graph")
    for bindings in generator.symbolic ? [["N": 1], ["N": 3]] : [[:]] {
        let plan = try planMemory(graph, bindings: bindings)
        #expect(MemoryTesting.complaint(plan) == nil, "\(source)")
        #expect(PlanSimulator.firstClobber(plan) == nil, "\(PlanSimulator.firstClobber(plan) ?? "")\n\(source)\n\(plan.text)")
        #expect(plan.lowerBoundBytes <= plan.arenaBytes)
        #expect(plan.arenaBytes <= plan.buffers.reduce(0) { $0 + ArenaLayoutBound.aligned($1.bytes) })
    }
}

/// 64-byte rounding as the planner does it, for the "never worse than no reuse" bound.
enum ArenaLayoutBound {
    static func aligned(_ bytes: Int) -> Int { (bytes + 63) / 64 * 64 }
}
