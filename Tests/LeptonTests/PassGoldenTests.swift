import Foundation
import LeptonFrontend
import LeptonIR
import LeptonPasses
import Testing

/// Golden pass tests, text in and text out like LLVM's FileCheck tests. Each
/// `Fixtures/passes/<pass>/NAME.graph` is
///
///     # RUN: --passes simplify,dce            (options: --fold-limit N, --no-freeze)
///     graph g(x: f32[4]) -> (y: f32[4]) {    the input: the whole file parses as .graph text
///       …
///     }
///     # EXPECT:
///     # graph g(x: f32[4]) -> (y: f32[4]) {  the printed result, each line prefixed "# ",
///     #   …                                  notes first as "# note: …" lines
///     # }
///
/// The passes run with `verifyEach`, so a pass that breaks the graph fails here.
/// `UPDATE_GOLDEN=1 swift test --filter PassGolden` rewrites the EXPECT blocks.
enum PassGoldens {
    static let directory = TestPaths.fixtures("passes")
    static let runMarker = "# RUN:"
    static let expectMarker = "# EXPECT:"

    /// Every fixture, as a path relative to `directory` (`fold/size_cap.graph`), sorted.
    static let files: [String] = {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        let base = directory.standardizedFileURL.path + "/"
        return enumerator.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "graph" }
            .map { String($0.standardizedFileURL.path.dropFirst(base.count)) }
            .sorted()
    }()
}

/// A parsed golden file.
struct PassGolden {
    var passes: String = ""
    var foldLimit: Int?
    var freeze = true
    /// The file's lines before `# EXPECT:` (the input) and the expected output lines.
    var inputLines: [String]
    var expected: [String]?

    init(_ text: String) throws {
        let lines = text.components(separatedBy: "\n")
        let split = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces) == PassGoldens.expectMarker }
        inputLines = Array(lines[..<(split ?? lines.count)])
        if let split {
            expected = lines[(split + 1)...].filter { !$0.isEmpty }.map { line in
                line == "#" ? "" : line.hasPrefix("# ") ? String(line.dropFirst(2)) : line
            }
        }
        let run = try #require(lines.first { $0.hasPrefix(PassGoldens.runMarker) }, "no '# RUN:' line")
        var words = run.dropFirst(PassGoldens.runMarker.count).split(separator: " ").map(String.init)[...]
        while let word = words.popFirst() {
            switch word {
            case "--passes": passes = words.popFirst() ?? ""
            case "--fold-limit": foldLimit = words.popFirst().flatMap { Int($0) }
            case "--no-freeze": freeze = false
            default: Issue.record("unknown RUN option '\(word)'")
            }
        }
    }

    /// The output: per graph, its notes as `note:` lines, then the printed graph.
    func run(path: String, baseDirectory: String) throws(DiagnosticError) -> [String] {
        let module = try Frontend.parse(source: inputLines.joined(separator: "\n"), path: path)
        let manager = PassManager(passes: try Passes.parseList(passes), verifyEach: true)
        var output: [String] = []
        for var graph in module.graphs {
            var context = PassContext(baseDirectory: baseDirectory, freezeParameters: freeze)
            if let foldLimit { context.foldElementLimit = foldLimit }
            try manager.run(&graph, context: &context)
            output += context.notes.map { "note: \($0)" }
            output += roundTripProblems(graph)
            output += Printer.print(graph).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        }
        while output.last == "" { output.removeLast() }
        return output
    }

    /// Optimized graphs must print as text that parses back to the same IR (canonical numbering
    /// included); a mismatch shows up in the output as an `error:` line.
    func roundTripProblems(_ graph: Graph) -> [String] {
        do throws(DiagnosticError) {
            let reparsed = try Frontend.parse(source: Printer.print(graph), path: "printed.graph")
            if reparsed.graphs.map({ $0.withoutLocations() }) != [graph.withoutLocations()] {
                return ["error: the printed graph parses back to different IR"]
            }
            return []
        } catch {
            return ["error: the printed graph does not parse: \(error)"]
        }
    }

    /// The file with its EXPECT block replaced by `actual`.
    func updated(with actual: [String]) -> String {
        var input = inputLines
        while input.last == "" { input.removeLast() }
        let block = actual.map { $0.isEmpty ? "#" : "# " + $0 }
        return (input + [PassGoldens.expectMarker] + block).joined(separator: "\n") + "\n"
    }
}

@Test(arguments: PassGoldens.files)
func passGolden(_ name: String) throws {
    let url = PassGoldens.directory.appendingPathComponent(name)
    let golden = try PassGolden(try String(contentsOf: url, encoding: .utf8))
    let actual: [String]
    do {
        actual = try golden.run(path: name, baseDirectory: url.deletingLastPathComponent().path)
    } catch {
        actual = ["error: " + error.description]
    }
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1", actual != golden.expected {
        try golden.updated(with: actual).write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = golden.expected else {
        let text = actual.joined(separator: "\n")
        Issue.record("\(name): no '# EXPECT:' block; run with UPDATE_GOLDEN=1 to write it. actual:\n\(text)")
        return
    }
    if actual != expected {
        let diff = lineDiff(expected, actual)
        Issue.record("\(name): output differs from EXPECT (- expected, + actual; UPDATE_GOLDEN=1 rewrites):\n\(diff)")
    }
}

@Test func passGoldensCoverEveryPass() {
    for pass in Passes.all.map(\.name) {
        let count = PassGoldens.files.filter { $0.hasPrefix(pass + "/") }.count
        #expect(count >= 5, "only \(count) golden tests for \(pass)")
    }
}

/// A unified-style diff of two line lists (longest common subsequence; fixtures are small).
func lineDiff(_ old: [String], _ new: [String]) -> String {
    var table = [[Int]](repeating: [Int](repeating: 0, count: new.count + 1), count: old.count + 1)
    for i in stride(from: old.count - 1, through: 0, by: -1) {
        for j in stride(from: new.count - 1, through: 0, by: -1) {
            table[i][j] = old[i] == new[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
        }
    }
    var (i, j) = (0, 0)
    var lines: [String] = []
    while i < old.count || j < new.count {
        if i < old.count, j < new.count, old[i] == new[j] {
            lines.append("  " + old[i]); i += 1; j += 1
        } else if j < new.count, i == old.count || table[i][j + 1] >= table[i + 1][j] {
            lines.append("+ " + new[j]); j += 1
        } else {
            lines.append("- " + old[i]); i += 1
        }
    }
    return lines.joined(separator: "\n")
}
