import Foundation
import Testing
import LeptonFrontend
import LeptonRuntime

/// Golden memory plans: `Fixtures/memory/NAME.graph` holds a `# RUN: --dim N=2` line, a graph,
/// and an `# EXPECT:` block with the expected `lepton dump --memory` text, each line prefixed
/// `# ` (so the file stays a parseable .graph). `UPDATE_GOLDEN=1 swift test` rewrites the blocks.
private let goldenDirectory = TestPaths.fixtures("memory")

private let goldenFiles: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: goldenDirectory.path)) ?? []
    return names.filter { $0.hasSuffix(".graph") }.sorted()
}()

private struct MemoryGolden {
    var bindings: [String: Int] = [:]
    var graph: String
    var expected: String?

    init(_ text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let run = try #require(lines.first, "empty golden file")
        try #require(run.hasPrefix("# RUN:"), "first line must be '# RUN: --dim SYMBOL=SIZE ...'")
        for word in run.dropFirst("# RUN:".count).split(separator: " ") where word != "--dim" {
            let parts = word.split(separator: "=")
            try #require(parts.count == 2, "bad binding '\(word)'")
            let size = Int(String(parts[1])) ?? -1
            try #require(size >= 0, "bad size in '\(word)'")
            bindings[String(parts[0])] = size
        }
        lines.removeFirst()
        guard let marker = lines.firstIndex(of: "# EXPECT:") else {
            graph = lines.joined(separator: "\n")
            return
        }
        graph = lines[..<marker].joined(separator: "\n")
        expected = lines[(marker + 1)...].filter { !$0.isEmpty }
            .map { $0 == "#" ? "" : String($0.dropFirst(2)) }.joined(separator: "\n")
    }
}

@Test(arguments: goldenFiles)
func memoryPlanGolden(_ file: String) throws {
    let url = goldenDirectory.appendingPathComponent(file)
    let text = try String(contentsOf: url, encoding: .utf8)
    let golden = try MemoryGolden(text)
    let module = try Frontend.parse(source: golden.graph, path: file)
    let plan = try planMemory(try #require(module.entry), bindings: golden.bindings)
    #expect(MemoryTesting.complaint(plan) == nil)
    let actual = plan.text
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1", actual != golden.expected {
        let head = text.components(separatedBy: "\n# EXPECT:")[0].trimmingCharacters(in: .newlines)
        let block = actual.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "#" : "# \($0)" }
        try (head + "\n# EXPECT:\n" + block.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return
    }
    #expect(actual == golden.expected, "plan of \(file) changed; rerun with UPDATE_GOLDEN=1 if intended\n\(actual)")
}
