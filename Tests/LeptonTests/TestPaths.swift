import Foundation

/// Where the tests find the repository's files: fixtures beside the tests, examples in graphs/.
/// Found from this source file's path, so tests run from any working directory.
enum TestPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    /// `Tests/LeptonTests/Fixtures/<area>`.
    static func fixtures(_ area: String) -> URL {
        testsDirectory.appendingPathComponent("Fixtures").appendingPathComponent(area)
    }
}
