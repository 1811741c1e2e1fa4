import Foundation
import Testing
import LeptonFrontend
import LeptonIR

/// print -> parse gives the same IR (up to locations), and printing that again gives the
/// same text, for every graph in `graphs/` and in `Fixtures/roundtrip/`.
enum RoundTripFixtures {
    static let paths: [String] =
        (FrontendFixtures.graphFiles(in: FrontendFixtures.directory("roundtrip"))
            + FrontendFixtures.graphFiles(in: TestPaths.repositoryRoot.appendingPathComponent("graphs"))).map(\.path)
}

@Test(arguments: RoundTripFixtures.paths)
func printedGraphsParseBack(path: String) throws {
    let source = FrontendFixtures.read(URL(fileURLWithPath: path))
    let module: Module
    do {
        module = try Frontend.parse(source: source, path: path)
    } catch {
        Issue.record("\(error.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n"))")
        return
    }
    let printed = Printer.print(module)
    let reparsed: Module
    do {
        reparsed = try Frontend.parse(source: printed, path: path)
    } catch {
        Issue.record("printed IR does not parse:\n\(error.diagnostics.map { $0.rendered(source: printed) }.joined(separator: "\n"))\n\(printed)")
        return
    }
    #expect(reparsed.baseDirectory == module.baseDirectory)
    #expect(reparsed.graphs.count == module.graphs.count)
    for (a, b) in zip(module.graphs, reparsed.graphs) {
        #expect(a.withoutLocations() == b.withoutLocations(), "graph \(a.name) changed:\n\(printed)")
    }
    #expect(reparsed.training.map { $0.withoutLocations() } == module.training.map { $0.withoutLocations() },
            "train blocks changed:\n\(printed)")
    #expect(Printer.print(reparsed) == printed)
}

@Test func roundTripCorpusIsPresent() {
    #expect(RoundTripFixtures.paths.count >= 5)
}

@Test func languageReferenceListsEveryOp() throws {
    let url = TestPaths.repositoryRoot.appendingPathComponent("spec/language.md")
    let reference = FrontendFixtures.read(url)
    for op in Op.allCases {
        #expect(reference.contains("| `\(op.mnemonic)` |"), "spec/language.md has no row for \(op.mnemonic)")
    }
}
