import Foundation
import LeptonFrontend
import LeptonIR

/// Fixture and source helpers shared by the frontend tests.
enum FrontendFixtures {
    static func directory(_ area: String) -> URL { TestPaths.fixtures(area) }

    /// `.graph` files directly in `directory`, sorted by name (empty when it does not exist).
    static func graphFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".graph") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static func read(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }
}

/// Parses `source`, returning the module or the diagnostics.
func lower(_ source: String, path: String = "test.graph") -> Result<Module, DiagnosticError> {
    do {
        return .success(try Frontend.parse(source: source, path: path))
    } catch {
        return .failure(error)
    }
}

/// The first diagnostic's one-line form, or nil when the source lowers cleanly.
func firstError(_ source: String, path: String = "test.graph") -> String? {
    if case .failure(let error) = lower(source, path: path) { return error.diagnostics.first?.description }
    return nil
}
