import Foundation
import Testing
import LeptonTensor

// Runs the built `lepton` executable as a subprocess, from Fixtures/cli (so messages name
// files relative to it). `swift test` builds every product, so the binary sits next to the
// test bundle; LEPTON_BIN overrides the lookup.
private let cliFixtures = TestPaths.fixtures("cli").path

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var firstErrorLine: String { String(stderr.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }
}

private enum BinaryLookup {
    /// Where the executable may be, most specific first.
    static var candidates: [String] {
        var directories: [URL] = []
        if let override = ProcessInfo.processInfo.environment["LEPTON_BIN"] { return [override] }
        if let executable = Bundle.main.executableURL { directories.append(executable.deletingLastPathComponent()) }
        directories.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        directories.append(Bundle.main.bundleURL.deletingLastPathComponent())
        directories.append(TestPaths.repositoryRoot.appendingPathComponent(".build/debug"))
        return directories.map { $0.appendingPathComponent("lepton").standardizedFileURL.path }
    }

    static let binary: String? = candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}

func lepton(_ arguments: String...) throws -> CLIResult { try runLepton(arguments) }

/// `environment` adds to (or overrides) the test process's environment for this one run.
func runLepton(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIResult {
    let binary = try #require(BinaryLookup.binary,
                              "lepton binary not found (looked in \(BinaryLookup.candidates.joined(separator: ", "))); run `swift build` first")
    let scratch = NSTemporaryDirectory() + "lepton-cli-\(UUID().uuidString)"
    let (outPath, errPath) = (scratch + ".out", scratch + ".err")
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer {
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
    // Files, not pipes: a full pipe buffer cannot deadlock the child.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: cliFixtures)
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationReason == .exit, "lepton \(arguments.joined(separator: " ")) crashed")
    return CLIResult(status: process.terminationStatus,
                     stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                     stderr: try String(contentsOfFile: errPath, encoding: .utf8))
}

@Test func checkSummarizesEachGraph() throws {
    let result = try lepton("check", "two.graph")
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines.first?.hasPrefix("double(x: f32[N]) -> (y: f32[N])  params 0 (0 elements)  ops ") == true)
    #expect(lines.last?.hasPrefix("counts(k: i64[3], m: bool[2]) -> (k2: i64[3], m2: bool[2])  params 0 (0 elements)") == true)
    let affine = try lepton("check", "affine.graph")
    #expect(affine.stdout.hasPrefix("affine(x: f32[N, 2]) -> (y: f32[N, 2])  params 2 (6 elements)  ops "))
}

@Test func checkAndRunTrainingOps() throws {
    let check = try lepton("check", "../roundtrip/training_ops.graph")
    #expect(check.status == 0, "\(check.stderr)")
    #expect(check.stdout.hasPrefix("training_ops(x: f32[N, 4, 7, 7], "), "\(check.stdout)")
    let run = try lepton("run", "labels.graph", "--input", "logits=[[1,2,3],[0,0,0]]", "--input", "labels=[2, 0]")
    #expect(run.status == 0, "\(run.stderr)")
    #expect(run.stdout.hasPrefix("l: f32[]\n  [0.753109]"), "\(run.stdout)")
}

@Test func dumpPrintsTheIR() throws {
    let result = try lepton("dump", "two.graph", "--graph", "counts")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("graph counts(k: i64[3], m: bool[2]) -> (k2: i64[3], m2: bool[2]) {"))
    #expect(!result.stdout.contains("graph double"))
    let all = try lepton("dump", "affine.graph")
    #expect(all.stdout.contains("param w: f32[2, 2] = load(\"w.npy\")"))
    #expect(all.stdout.contains("matmul(x, w)"))
}

@Test func dumpElidesLargeTensorsUnlessAskedForAll() throws {
    let elided = try lepton("dump", "big_tensor.graph")
    #expect(elided.status == 0, "\(elided.stderr)")
    #expect(elided.stdout.contains("param w: f32[65] = tensor(dtype: f32, shape: [65], elided)"))
    let full = try lepton("dump", "big_tensor.graph", "--full-tensors")
    #expect(full.status == 0, "\(full.stderr)")
    #expect(full.stdout.contains("param w: f32[65] = tensor(dtype: f32, shape: [65], base64: \"AAAAAAAAAD4AAIA+"))
}

@Test func runsWithNpyAndInlineInputs() throws {
    for input in ["x=x.npy", "x=[[1, 0], [0, 1]]", "x=[[1,0],[0,1]]"] {
        let result = try lepton("run", "affine.graph", "--input", input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "y: f32[2, 2]\n  [1.5, 2.5, 3.5, 4.5]\n  min 1.5  max 4.5  mean 3\n", "\(input)")
    }
}

@Test func runsChosenGraphWithIntAndBoolLiterals() throws {
    let counts = try lepton("run", "two.graph", "--input", "k=[1, 2, 3]", "--input", "m=[true, false]")
    #expect(counts.status == 0, "\(counts.stderr)")
    #expect(counts.stdout == "k2: i64[3]\n  [2, 4, 6]\n  min 2  max 6  mean 4\nm2: bool[2]\n  [true, false]\n  min false  max true  mean 0.5\n")
    let double = try lepton("run", "two.graph", "--graph", "double", "--input", "x=[1.5, -2]")
    #expect(double.stdout.hasPrefix("y: f32[2]\n  [3, -4]\n"))
}

@Test func randomInputsAreSeededAndSizedByDim() throws {
    let first = try lepton("run", "affine.graph", "--random-inputs", "7", "--dim", "N=3")
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout.hasPrefix("y: f32[3, 2]\n"))
    #expect(try lepton("run", "affine.graph", "--random-inputs", "7", "--dim", "N=3").stdout == first.stdout)
    #expect(try lepton("run", "affine.graph", "--random-inputs", "8", "--dim", "N=3").stdout != first.stdout)
}

@Test func outputDirGetsReadableNpyFiles() throws {
    let directory = NSTemporaryDirectory() + "lepton-cli-out-\(UUID().uuidString)/nested"
    defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
    let result = try lepton("run", "affine.graph", "--input", "x=x.npy", "--output-dir", directory)
    #expect(result.status == 0, "\(result.stderr)")
    let y = try NPY.read(contentsOf: "\(directory)/y.npy")
    #expect(y == Tensor(shape: [2, 2], scalars: [Float(1.5), 2.5, 3.5, 4.5]))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["y.npy"])
}

@Test func helpAndVersion() throws {
    let general = try lepton("--help")
    #expect(general.status == 0 && general.stdout.contains("usage: lepton COMMAND"))
    let viaHelp = try lepton("help", "run")
    #expect(viaHelp.status == 0 && viaHelp.stdout.hasPrefix("usage: lepton run FILE.graph [options]"))
    #expect(try lepton("run", "--help").stdout == viaHelp.stdout)
    let version = try lepton("--version")
    #expect(version.status == 0 && version.stdout.hasPrefix("lepton "))
}

/// (arguments, exit code, the start and end of stderr's first line).
@Test(arguments: [
    (["run", "missing.graph"], 1, "", "missing.graph: error: no such file"),
    (["run", "affine.graph", "--input", "x=x_wrong_shape.npy"], 1, "affine.graph:", "error: input 'x' expects f32[N, 2], got f32[2, 3]: dimension 1 should be 2, got 3"),
    (["run", "affine.graph", "--input", "x=x_wrong_dtype.npy"], 1, "affine.graph:", "error: input 'x' expects f32[N, 2], got f64[2, 2]: dtype should be f32, got f64"),
    (["run", "affine.graph", "--input", "x=corrupt.npy"], 1, "", "corrupt.npy: error: not a .npy file (bad magic)"),
    (["run", "affine.graph", "--input", "x=nope.npy"], 1, "", "nope.npy: error: no such file"),
    (["run", "affine.graph", "--input", "x=[[1,2],[3"], 1, "", "lepton run: error: --input x: bad f32 literal '[[1,2],[3': missing ']' at offset 9"),
    (["run", "affine.graph", "--input", "x=[[1,2],[3]]"], 1, "", "lepton run: error: --input x: bad f32 literal '[[1,2],[3]]': ragged list: element 1 does not have the shape [2] of element 0"),
    (["run", "affine.graph", "--input", "x=" + String(repeating: "[", count: 100)], 1, "",
     "lepton run: error: --input x: bad f32 literal '\(String(repeating: "[", count: 40))…': lists nest deeper than 32 levels"),
    (["run", "affine.graph", "--random-inputs", "1", "--dim", "N=99999999999999"], 1, "",
     "lepton run: error: input x: shape [99999999999999, 2] is too large for random inputs"),
    (["run", "two.graph", "--input", "k=[1, 2.5, 3]", "--input", "m=[true, true]"], 1, "", "lepton run: error: --input k: bad i64 literal '[1, 2.5, 3]': '2.5' is not a valid i64 value"),
    (["run", "affine.graph", "--input", "z=[1]"], 1, "affine.graph:", "error: graph affine has no input 'z' (inputs: x)"),
    (["run", "affine.graph", "--graph", "nope"], 1, "", "affine.graph: error: no graph named 'nope' (graphs: affine)"),
    (["check", "bad_shape.graph"], 1, "bad_shape.graph:4:7: error: matmul expects", ""),
    (["run", "labels.graph", "--input", "logits=[[1,2,3],[0,0,0]]", "--input", "labels=[2, 5]"], 1,
     "labels.graph:3:7: error: cross_entropy: label 5 is out of range [0, 3)", ""),
    (["run", "affine.graph"], 2, "", "lepton run: error: missing input x: f32[N, 2] (give --input x=FILE.npy or --random-inputs SEED)"),
    (["run", "affine.graph", "--random-inputs", "1"], 2, "", "lepton run: error: input x: f32[N, 2] has symbolic dimension N; give --dim N=SIZE"),
    (["run", "affine.graph", "--random-inputs", "1", "--dim", "M=2"], 2, "", "lepton run: error: --dim M: no input of graph affine uses M (symbols: N)"),
    (["bench", "affine.graph", "--dim", "M=2"], 2, "", "lepton bench: error: --dim M: no input of graph affine uses M (symbols: N)"),
    (["run", "affine.graph", "--random-inputs", "x"], 2, "", "lepton run: error: --random-inputs needs a non-negative integer seed, got 'x'"),
    (["run", "affine.graph", "--bogus"], 2, "", "lepton run: error: unknown option '--bogus'"),
    (["run", "affine.graph", "--input"], 2, "", "lepton run: error: option '--input' needs a value (NAME=VALUE)"),
    (["run", "affine.graph", "--input", "x.npy"], 2, "", "lepton run: error: --input expects NAME=VALUE, got 'x.npy'"),
    (["run"], 2, "", "lepton run: error: missing FILE.graph argument"),
    (["check", "a.graph", "b.graph"], 2, "", "lepton check: error: unexpected argument 'b.graph'"),
    (["frob"], 2, "", "lepton: error: unknown command 'frob'"),
    (["help", "frob"], 2, "", "lepton: error: unknown command 'frob'"),
    ([], 2, "", "lepton: error: missing command"),
])
func rejectsBadInput(arguments: [String], status: Int32, prefix: String, suffix: String) throws {
    let result = try runLepton(arguments)
    #expect(result.status == status, "\(arguments): \(result.stderr)")
    #expect(result.firstErrorLine.hasPrefix(prefix) && result.firstErrorLine.hasSuffix(suffix), "\(arguments)")
    #expect(result.stdout.isEmpty, "\(arguments)")
    if status == 2 { #expect(result.stderr.contains("--help"), "usage errors hint at --help") }
}

@Test func threadsOptionGivesTheSameOutputsAndRejectsZero() throws {
    let serial = try lepton("run", "affine.graph", "--random-inputs", "7", "--dim", "N=300", "--threads", "1")
    #expect(serial.status == 0, "\(serial.stderr)")
    for threads in ["2", "3"] {
        #expect(try lepton("run", "affine.graph", "--random-inputs", "7", "--dim", "N=300", "--threads", threads).stdout == serial.stdout)
    }
    let zero = try lepton("run", "affine.graph", "--input", "x=x.npy", "--threads", "0")
    #expect(zero.status != 0 && zero.stderr.contains("--threads needs an integer of at least 1"), "\(zero.stderr)")
    let bench = try lepton("bench", "affine.graph", "--dim", "N=4", "--runs", "2", "--threads", "2", "--skip-reference")
    #expect(bench.status == 0, "\(bench.stderr)")
}

@Test func benchJSONHasLatencyAndFlops() throws {
    let result = try lepton("bench", "affine.graph", "--dim", "N=4", "--runs", "3", "--threads", "1", "--json")
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 1, "one JSON object on one line: \(result.stdout)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["graph"] as? String == "affine")
    #expect(object["sizes"] as? [String: Int] == ["N": 4])
    #expect(object["threads"] as? Int == 1 && object["runs"] as? Int == 3)
    #expect(object["flops"] as? Int == 2 * 4 * 2 * 2 + 4 * 2)  // matmul [4, 2] x [2, 2], then + b
    for key in ["executor", "reference"] {
        let timing = try #require(object[key] as? [String: Double], "\(key) in \(result.stdout)")
        let (median, low, high) = (timing["median_ms"] ?? -1, timing["min_ms"] ?? -1, timing["max_ms"] ?? -1)
        #expect(0 < low && low <= median && median <= high, "\(key): \(timing)")
        #expect((timing["gflops"] ?? 0) > 0)
    }
    let skipped = try lepton("bench", "affine.graph", "--dim", "N=4", "--runs", "2", "--skip-reference", "--json")
    let skippedObject = try JSONSerialization.jsonObject(with: Data(skipped.stdout.utf8)) as? [String: Any]
    #expect(skippedObject?["executor"] != nil && skippedObject?["reference"] == nil, "\(skipped.stdout)")
}

@Test func benchRowMatchesItsHeader() throws {
    let header = try lepton("bench", "--row-header")
    let row = try lepton("bench", "affine.graph", "--dim", "N=4", "--runs", "2", "--skip-reference", "--row")
    #expect(row.status == 0, "\(row.stderr)")
    let cells = { (line: Substring) in line.split(separator: "|", omittingEmptySubsequences: false).count }
    let headerLines = header.stdout.split(separator: "\n")
    #expect(headerLines.count == 2 && headerLines.first?.contains("GFLOP/s") == true)
    let rowLines = row.stdout.split(separator: "\n")
    #expect(rowLines.count == 1 && rowLines.first?.hasPrefix("| affine (N=4) |") == true, "\(row.stdout)")
    #expect(cells(rowLines[0]) == cells(headerLines[0]))
    let both = try lepton("bench", "affine.graph", "--row", "--json")
    #expect(both.status == 2 && both.stderr.contains("give one"), "\(both.stderr)")
}

@Test func benchGemmJSON() throws {
    let result = try lepton("bench", "--gemm", "8,5,3", "--runs", "3", "--threads", "1", "--json")
    #expect(result.status == 0, "\(result.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(object["m"] as? Int == 8 && object["n"] as? Int == 5 && object["k"] as? Int == 3)
    #expect(object["runs"] as? Int == 3 && object["threads"] as? Int == 1)
    let (median, low, high) = (object["median_us"] as? Double ?? -1, object["min_us"] as? Double ?? -1, object["max_us"] as? Double ?? -1)
    #expect(0 < low && low <= median && median <= high && (object["gflops"] as? Double ?? 0) > 0, "\(result.stdout)")
}
