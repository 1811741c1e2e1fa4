import Foundation
import Lepton
import Testing

// `lepton viz` end to end: the command prints what the library draws, chooses the graph
// stage as asked, writes -o files atomically, and fails in one clear line.

private let small = "../viz/small.graph"  // relative to Fixtures/cli, where the CLI tests run

private func golden(_ file: String) throws -> String {
    try String(contentsOf: VizGoldens.directory.appendingPathComponent(file), encoding: .utf8)
}

@Test func vizPrintsTheGoldenPictures() throws {
    let mermaid = try lepton("viz", small)
    #expect(mermaid.status == 0, "\(mermaid.stderr)")
    #expect(mermaid.stdout == (try golden("small-O0.mmd")))
    let dot = try lepton("viz", small, "-O2", "--format", "dot")
    #expect(dot.status == 0, "\(dot.stderr)")
    #expect(dot.stdout == (try golden("small-O2.dot")))
}

@Test func vizAfterAPassDrawsThatStage() throws {
    let folded = try lepton("viz", small, "--after", "form-linear")
    #expect(folded.status == 0, "\(folded.stderr)")
    #expect(folded.stdout.contains("[\"linear<br>") && !folded.stdout.contains("subgraph"))
    let fused = try lepton("viz", small, "--after", "fuse-elementwise")
    #expect(fused.stdout.contains("subgraph n0 [\"fused\"]"))
    let all = try lepton("viz", small, "--after", "dce", "--dim", "N=1")
    #expect(all.stdout.contains("f32[1, 4]") && !all.stdout.contains("[N, "))
}

@Test func vizWritesOutputFilesAtomically() throws {
    let directory = NSTemporaryDirectory() + "lepton-viz-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/small.dot"
    let result = try lepton("viz", small, "-O2", "--format", "dot", "-o", path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == (try golden("small-O2.dot")))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["small.dot"])  // no temporary left
    let missing = try lepton("viz", small, "-o", directory + "/no/such/dir/x.mmd")
    #expect(missing.status == 1)
    #expect(missing.stderr == "\(directory)/no/such/dir/x.mmd: error: cannot write: no such directory\n")
}

@Test func vizSVGWithoutGraphvizFailsInOneLine() throws {
    let empty = NSTemporaryDirectory() + "lepton-empty-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: empty) }
    let result = try runLepton(["viz", small, "--format", "svg"], environment: ["PATH": empty])
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr == "lepton viz: error: --format svg needs Graphviz's 'dot' on PATH (not found); use --format dot and render it elsewhere\n")
}

@Test(.enabled(if: Graphviz.dotExecutable() != nil))
func vizSVGWithGraphviz() throws {
    let result = try lepton("viz", small, "-O2", "--format", "svg")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("<svg") && result.stdout.contains("cluster"))
}

@Test func vizRejectsBadCommandLines() throws {
    let cases: [([String], String)] = [
        (["--format", "png"], "lepton viz: error: unknown format 'png' (formats: mermaid, dot, svg)"),
        (["--after", "fuse"], "lepton viz: error: --after: 'fuse' is not a pass of the -O2 pipeline (its passes: simplify, fold, "
            + "fold-pad, fold-batch-norm, form-linear, fold-affine, cse, dce, fuse-epilogue, fuse-elementwise, fuse-reductions, prepack)"),
        (["--after", "dce", "-O2"], "lepton viz: error: --after PASS draws after a pass of the -O2 pipeline; give it or an -O level, not both"),
        (["-O1", "-O2"], "lepton viz: error: give one of -O0, -O1, -O2"),
        (["--dim", "M=2"], "lepton viz: error: --dim M: no input of graph small uses M (symbols: N)"),
        (["--graph", "nope"], "../viz/small.graph: error: no graph named 'nope' (graphs: small)"),
    ]
    for (arguments, message) in cases {
        let result = try runLepton(["viz", small] + arguments)
        #expect(result.status == (message.hasPrefix("lepton") ? 2 : 1), "\(arguments)")
        #expect(result.firstErrorLine == message)
    }
    let help = try lepton("viz", "--help")
    #expect(help.stdout.hasPrefix("usage: lepton viz FILE.graph [options]"))
    #expect(try lepton("--help").stdout.contains("  viz "))
}

@Test func vizAsWrittenNeedsNoWeights() throws {
    let directory = NSTemporaryDirectory() + "lepton-viz-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/m.graph"
    try "graph m(x: f32[2]) -> (y: f32[2]) {\n  param w: f32[2] = load(\"missing.npy\")\n  y = x * w\n}\n"
        .write(toFile: path, atomically: true, encoding: .utf8)
    let result = try lepton("viz", path)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("n0[\"mul<br>y: f32[2]<br>param w: f32[2]\"]"))
}
