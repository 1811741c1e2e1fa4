import Lepton
import Testing

/// The rewrite driver checks what rules propose, so a careless rule cannot break a graph.
@Suite struct RewriterTests {
    func graph(_ source: String) throws -> Graph {
        try #require(try Frontend.parse(source: source, path: "test.graph").entry)
    }

    /// `add(x, c) -> x` for any c: wrong when broadcasting grows x. The driver must refuse.
    @Test func shapeChangingRewriteIsRejected() throws {
        let careless = RewriteRule("careless") { site in
            site.node.op == .add ? .replace(with: site.node.inputs[0]) : nil
        }
        var g = try graph("""
            graph g(x: f32[N, 1]) -> (y: f32[N, 4]) {
              z: f32[4] = [0.0, 0.0, 0.0, 0.0]
              y = x + z
            }
            """)
        let before = g
        var notes: [String] = []
        #expect(Rewriter(rules: [careless]).run(&g, notes: &notes).isEmpty)
        #expect(g == before)
    }

    @Test func newNodesKeepTheReplacedNodesLocation() throws {
        var g = try graph("""
            graph g(x: f32[4]) -> (y: f32[4]) {
              y = x / 2
            }
            """)
        let location = g.nodes[1].location
        var notes: [String] = []
        #expect(Rewriter(rules: SimplifyRules.all).run(&g, notes: &notes) == ["div-pow2"])
        #expect(g.nodes.suffix(2).allSatisfy { $0.location == location })
        #expect(g.nodes.last?.op == .mul)
    }

    /// Proposing the node that is already there is no rewrite.
    @Test func proposingTheSameNodeIsNoChange() throws {
        let same = RewriteRule("same") { site in
            site.node.op == .relu ? .node(.relu, site.node.inputs) : nil
        }
        var g = try graph("graph g(x: f32[4]) -> (y: f32[4]) {\n  y = relu(x)\n}\n")
        var notes: [String] = []
        #expect(Rewriter(rules: [same]).run(&g, notes: &notes).isEmpty)
    }

    /// Rules that undo each other forever stop at the budget, with a note.
    @Test func cyclingRulesStop() throws {
        let swap = RewriteRule("swap") { site in
            site.node.op == .add ? .node(.add, site.node.inputs.reversed()) : nil
        }
        var g = try graph("graph g(x: f32[4], z: f32[4]) -> (y: f32[4]) {\n  y = x + z\n}\n")
        var notes: [String] = []
        let applied = Rewriter(rules: [swap]).run(&g, notes: &notes)
        #expect(!applied.isEmpty)
        #expect(notes.contains { $0.contains("budget exhausted") })
        #expect(throws: Never.self) { try g.verify() }
    }

    /// Each rule named in SimplifyRules has a golden test named after it.
    @Test func everyRuleHasAGoldenTest() {
        let goldens = Set(PassGoldens.files.filter { $0.hasPrefix("simplify/") })
        for rule in SimplifyRules.all {
            let stem = rule.name.replacingOccurrences(of: "-", with: "_")
            let aliases = [stem, stem.replacingOccurrences(of: "_int", with: "")]
            #expect(aliases.contains { goldens.contains("simplify/\($0).graph") }, "no golden test for rule \(rule.name)")
        }
    }
}
