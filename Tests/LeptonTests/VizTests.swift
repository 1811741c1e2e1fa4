import Foundation
import Lepton
import Testing

/// `GraphPicture`: golden Mermaid and DOT text (see `VizGoldens`), and structural checks of
/// the pictures of every example model, as written and at -O2.

@Test(arguments: VizGoldens.files)
func vizGolden(_ file: String) throws {
    let url = VizGoldens.directory.appendingPathComponent(file)
    let actual = try VizGoldens.render(file)
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
        if (try? String(contentsOf: url, encoding: .utf8)) != actual { try actual.write(to: url, atomically: true, encoding: .utf8) }
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "picture \(file) changed; rerun with UPDATE_GOLDEN=1 if intended\n\(actual)")
}

@Test(arguments: VizGoldens.files)
func vizGoldenIsDeterministicAndWellFormed(_ file: String) throws {
    let text = try VizGoldens.render(file)
    #expect(try VizGoldens.render(file) == text)
    let problems = file.hasSuffix(".dot") ? PictureCheck.dotProblems(text) : PictureCheck.mermaidProblems(text)
    #expect(problems.isEmpty, "\(problems)")
}

private let exampleModels: [String] = {
    let directory = TestPaths.repositoryRoot.appendingPathComponent("graphs")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(".graph") }.sorted()
}()

@Test(arguments: exampleModels)
func vizDrawsEveryExampleModel(_ file: String) throws {
    let model = try Model.load(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("graphs/\(file)").path)
    for level in [0, 2] {
        let graph = try model.optimized(level: level).graph
        let picture = GraphPicture(graph)
        #expect(PictureCheck.dotProblems(picture.dot).isEmpty, "\(file) -O\(level): \(PictureCheck.dotProblems(picture.dot))")
        #expect(PictureCheck.mermaidProblems(picture.mermaid).isEmpty, "\(file) -O\(level): \(PictureCheck.mermaidProblems(picture.mermaid))")
        // One frame per fused node, and no param gets a box of its own.
        let fused = graph.nodes.filter { $0.op == .fused }.count
        #expect(picture.mermaid.components(separatedBy: "\n").filter { $0.hasPrefix("  subgraph ") }.count == fused)
        #expect(picture.dot.components(separatedBy: "subgraph cluster_").count - 1 == fused)
    }
}

@Test func vizShowsFusedBodiesParamsAndConstants() throws {
    let model = try Model.load(contentsOf: VizGoldens.directory.appendingPathComponent("small.graph").path)
    let mermaid = GraphPicture(try model.optimized(level: 2).graph).mermaid
    // The fused dense layer: a frame holding linear (with its params) and relu (named h).
    #expect(mermaid.contains("""
          subgraph n0 ["fused"]
            n0_0["linear<br>f32[N, 4]<br>param w: f32[4, 4]<br>param b: f32[4]"]
            n0_1["relu<br>h: f32[N, 4]"]
          end
        """))
    #expect(mermaid.contains("const f32[] = 0.5"))
    // split's two results: both named in its box and on its arrows.
    #expect(mermaid.contains("a: f32[N, 2]<br>c: f32[N, 2]"))
    #expect(mermaid.contains("n1 -->|\"c\"| n5_0"))
}

@Test func vizEscapesAwkwardNames() {
    let picture = GraphPicture(VizGoldens.awkwardGraph)
    let mermaid = picture.mermaid
    #expect(mermaid.contains("x #quot;in#quot; #lt;b#gt;#amp;amp;#lt;/b#gt; [0]<br>f32[N#lt;1#gt;, 4]"))
    #expect(mermaid.contains("#35;35; #96;tick#96; %#37;{init}%#37;"))
    #expect(mermaid.contains("sum]#10;[#100;irection TB"))
    #expect(!mermaid.contains("%%{") && !mermaid.contains("direction TB"))
    let dot = picture.dot
    #expect(dot.hasPrefix("digraph \"odd \\\"graph\\\" &lt;1&gt; &amp; {x}\" {"))
    #expect(dot.contains("param w\\\\N #35; `tick` %%{init}%%"))
    #expect(dot.contains("x \\\"in\\\" &lt;b&gt;&amp;amp;&lt;/b&gt; [0]\\nf32[N&lt;1&gt;, 4]"))
    #expect(dot.contains("[label=\"hi;gh\\\\\"]"))
}

/// With Graphviz installed, dot itself accepts every picture and draws the awkward names as
/// they are (SVG escapes them its own way). Skipped where `dot` is not on PATH.
@Test(.enabled(if: Graphviz.dotExecutable() != nil))
func graphvizDrawsTheAwkwardGraph() throws {
    let svg = try Graphviz.svg(fromDOT: GraphPicture(VizGoldens.awkwardGraph).dot)
    #expect(svg.contains("<svg"))
    #expect(svg.contains("x &quot;in&quot; &lt;b&gt;&amp;amp;&lt;/b&gt; [0]"))
    #expect(svg.contains("w\\N #35; `tick` %%{init}%%"))
}

@Test func graphvizNotOnThePath() throws {
    let empty = NSTemporaryDirectory() + "lepton-empty-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect(Graphviz.dotExecutable(searchPath: empty) == nil)
    #expect(throws: GraphvizError.notFound) { try Graphviz.svg(fromDOT: "digraph g {}", searchPath: empty) }
}

/// The README's picture is `lepton viz graphs/mlp.graph -O2`, pasted: it must not drift.
@Test func readmePictureIsTheCommandsOutput() throws {
    let readme = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
    let block = try #require(readme.components(separatedBy: "```mermaid\n").dropFirst().first?.components(separatedBy: "```").first)
    let model = try Model.load(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("graphs/mlp.graph").path)
    #expect(block == GraphPicture(try model.optimized(level: 2).graph).mermaid,
            "README's mermaid block differs from `lepton viz graphs/mlp.graph -O2`; paste the new output")
}
