import Foundation
import Testing
import LeptonFrontend
import LeptonIR

/// Every `Fixtures/diagnostics/*.graph` starts with `# ERROR: LINE:COL: error: message`: the
/// exact first diagnostic expected (the file name prefix is implied). `UPDATE_GOLDEN=1`
/// rewrites those lines from the actual output.
enum DiagnosticFixtures {
    static let directory = FrontendFixtures.directory("diagnostics")
    static let names = FrontendFixtures.graphFiles(in: directory).map(\.lastPathComponent)
    static let marker = "# ERROR: "
}

@Test(arguments: DiagnosticFixtures.names)
func diagnosticFixture(name: String) throws {
    let url = DiagnosticFixtures.directory.appendingPathComponent(name)
    let source = FrontendFixtures.read(url)
    var lines = source.components(separatedBy: "\n")
    let header = try #require(lines.first, "\(name) is empty")
    let expected = header.hasPrefix(DiagnosticFixtures.marker) ? String(header.dropFirst(DiagnosticFixtures.marker.count)) : nil

    let actual = firstError(source, path: name).map { String($0.dropFirst(name.count + 1)) }
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1", let actual, actual != expected {
        lines[0] = DiagnosticFixtures.marker + actual
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return
    }
    #expect(expected != nil, "\(name) must start with '\(DiagnosticFixtures.marker)'")
    #expect(actual != nil, "\(name) lowered without errors")
    #expect(actual == expected)
}

@Test func diagnosticCorpusIsLarge() {
    #expect(DiagnosticFixtures.names.count >= 45)
}

@Test func renderedDiagnosticHasExcerptAndCaret() {
    let source = "graph g(x: f32[2]) -> (y: f32[2]) {\n  y = relu(x, 3)\n}\n"
    guard case .failure(let error) = lower(source, path: "model.graph") else {
        Issue.record("expected an operand-count error")
        return
    }
    let rendered = error.diagnostics[0].rendered(source: source)
    #expect(rendered == """
        model.graph:2:7: error: relu expects 1 operand, got 2
          y = relu(x, 3)
              ^
        """)
}

@Test func diagnosticsAreSortedAndSeveralAreReported() {
    let source = """
        graph g(x: f32[2]) -> (y: f32[2]) {
          b = relu(x
          c = x + * 2
          y = $x
        }
        """
    guard case .failure(let error) = lower(source) else {
        Issue.record("expected syntax errors")
        return
    }
    let lines = error.diagnostics.map(\.location.line)
    #expect(lines == lines.sorted())
    #expect(error.diagnostics.count >= 3)
}

@Test func diagnosticsStopAfterTwenty() {
    let body = (0..<40).map { "  v\($0) = relu(undefined\($0))" }.joined(separator: "\n")
    let source = "graph g(x: f32[2]) -> (y: f32[2]) {\n  y = relu(x)\n\(body)\n}\n"
    guard case .failure(let error) = lower(source) else {
        Issue.record("expected errors")
        return
    }
    #expect(error.diagnostics.count == 20)
}
