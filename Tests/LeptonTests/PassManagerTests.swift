import Foundation
import Lepton
import Testing

/// The pass manager as a debugging tool: it must catch broken passes and dishonest "changed"
/// flags, and its dumps must stay parseable text.
@Suite struct PassManagerTests {
    static let source = """
        graph g(x: f32[4]) -> (y: f32[4]) {
          two: f32[] = 2.0
          four = two * two
          dead = exp(x)
          y = x * four
        }
        """

    func graph(_ source: String = source) throws -> Graph {
        try #require(try Frontend.parse(source: source, path: "test.graph").entry)
    }

    func run(_ passes: [Pass], on graph: inout Graph, dumpAfter: PassManager.DumpSelection = .none,
             dump: @escaping (String) -> Void = { _ in }) throws(DiagnosticError) -> [PassRecord] {
        var context = PassContext(baseDirectory: ".")
        let manager = PassManager(passes: passes, verifyEach: true, dumpAfter: dumpAfter, dump: dump)
        return try manager.run(&graph, context: &context)
    }

    @Test func verifierCatchesABrokenPass() throws {
        // Claims a change and leaves a node reading a value that no longer exists.
        let broken = Pass(name: "broken", summary: "drops the first node") { graph, _ in
            graph.nodes.removeFirst()
            return true
        }
        var g = try graph()
        #expect(throws: DiagnosticError.self) { try run([broken], on: &g) }
        do {
            _ = try run([broken], on: &g)
        } catch {
            #expect(error.description.contains("after pass 'broken': verifier:"), "\(error)")
        }
    }

    @Test func wrongTypeIsCaught() throws {
        let retype = Pass(name: "retype", summary: "stores a wrong type") { graph, _ in
            let last = graph.nodes[graph.nodes.count - 1].outputs[0]
            graph.values[last].type = TensorType(.f64, fixed: [4])
            return true
        }
        var g = try graph()
        #expect(throws: DiagnosticError.self) { try run([retype], on: &g) }
    }

    @Test func dishonestUnchangedFlagIsCaught() throws {
        let sneaky = Pass(name: "sneaky", summary: "changes the graph, says it did not") { graph, _ in
            graph.nodes[0].location = SourceLocation(file: "elsewhere", line: 9, column: 9)
            return false
        }
        var g = try graph()
        do {
            _ = try run([sneaky], on: &g)
            Issue.record("a pass that changed the graph but reported no change was not caught")
        } catch {
            #expect(error.description.contains("after pass 'sneaky': the pass reported no change but changed the graph"))
        }
    }

    @Test func recordsSayWhichPassesChangedWhat() throws {
        var g = try graph()
        let records = try run(Passes.pipeline(level: 1), on: &g)
        #expect(records.map(\.pass) == ["simplify", "fold", "cse", "dce"])
        #expect(records.map(\.changed) == [false, true, false, true])
        #expect(!Printer.print(g).contains("exp("))
    }

    @Test func dumpAfterFormat() throws {
        var g = try graph()
        var dumps: [String] = []
        var context = PassContext(baseDirectory: ".", foldElementLimit: 0)
        let manager = PassManager(passes: Passes.pipeline(level: 1), verifyEach: true,
                                  dumpAfter: .passes(["fold", "cse"]), dump: { dumps.append($0) })
        try manager.run(&g, context: &context)
        #expect(dumps.count == 2)
        let fold = dumps[0].split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(fold[0] == "# after fold (unchanged)")
        #expect(fold[1] == "# note: fold: four (mul) not folded: 1 elements > limit 0")
        #expect(fold[2] == "graph g(x: f32[4]) -> (y: f32[4]) {")
        #expect(dumps[1].hasPrefix("# after cse (unchanged)\ngraph g("))
        // Headers and notes are comments: a dump parses as .graph text.
        for dump in dumps { #expect(throws: Never.self) { try Frontend.parse(source: dump, path: "dump.graph") } }
    }

    @Test func dumpAfterAllDumpsEveryPass() throws {
        var g = try graph()
        var headers: [String] = []
        _ = try run(Passes.pipeline(level: 1), on: &g, dumpAfter: .all) { headers.append(String($0.prefix { $0 != "\n" })) }
        #expect(headers == ["# after simplify (unchanged)", "# after fold (changed)",
                            "# after cse (unchanged)", "# after dce (changed)"])
    }

    @Test func registry() {
        #expect(Set(Passes.all.map(\.name)).count == Passes.all.count, "pass names must be unique")
        for name in ["simplify", "fold", "cse", "dce"] { #expect(Passes.named(name)?.name == name) }
        #expect(Passes.named("nope") == nil)
        #expect(Passes.pipeline(level: 0).isEmpty)
        #expect(Passes.pipeline(level: 1).map(\.name) == ["simplify", "fold", "cse", "dce"])
        // -O2 names either exist here or belong to the fusion passes (added on their branch).
        let fusion: Set = ["fold-pad", "fold-batch-norm", "form-linear", "fold-affine", "fuse-epilogue",
                           "fuse-elementwise", "fuse-reductions", "prepack"]
        for name in Passes.pipelineNames(level: 2) {
            #expect(Passes.named(name) != nil || fusion.contains(name), "-O2 names unknown pass '\(name)'")
        }
        #expect(throws: DiagnosticError.self) { try Passes.parseList("simplify,nope") }
    }

    /// The renumbering helper leaves what the parser builds alone (it is canonical already).
    @Test(arguments: ExampleGraphs.files)
    func canonicalizedIsIdentityOnParsedGraphs(_ name: String) throws {
        let module = try Frontend.parse(contentsOf: ExampleGraphs.directory.appendingPathComponent(name).path)
        for graph in module.graphs { #expect(graph.canonicalized() == graph, "\(name): \(graph.name)") }
    }

    /// -O1 on every example graph: verifies, and prints text that parses back to the same IR.
    @Test(arguments: ExampleGraphs.files)
    func exampleGraphsOptimizeAndRoundTrip(_ name: String) throws {
        let model = try Model.load(contentsOf: ExampleGraphs.directory.appendingPathComponent(name).path)
        let optimized = try model.optimized(options: OptimizationOptions(level: 1, verifyEach: true))
        let reparsed = try Frontend.parse(source: Printer.print(optimized.graph), path: "printed.graph")
        #expect(reparsed.graphs.map { $0.withoutLocations() } == [optimized.graph.withoutLocations()])
    }
}

enum ExampleGraphs {
    static let directory = TestPaths.repositoryRoot.appendingPathComponent("graphs")
    static let files: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
        .filter { $0.hasSuffix(".graph") }.sorted()
}
