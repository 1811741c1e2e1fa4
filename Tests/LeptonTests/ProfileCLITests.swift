import Foundation
import Testing

/// `lepton run --profile / --trace` and the throughput and memory figures of `lepton bench`,
/// through the built binary (helpers in CLITests.swift).
@Suite struct ProfileCLITests {
    @Test func profilePrintsTheOutputsThenOneRowPerOp() throws {
        let arguments = ["run", "affine.graph", "--random-inputs", "1", "--dim", "N=300", "--threads", "1"]
        let plain = try runLepton(arguments)
        let result = try runLepton(arguments + ["--profile", "--runs", "3", "--warmup", "0"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix(plain.stdout), "the outputs first, as without --profile:\n\(result.stdout)")
        let lines = result.stdout.dropFirst(plain.stdout.count).split(separator: "\n").map(String.init)
        try #require(lines.count >= 5, "\(result.stdout)")
        #expect(lines[0] == "profile of affine (N=300): 3 runs after 0 warmup, 1 thread")
        #expect(lines[1].split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") == "op output type time % total rate")
        let rows = lines[2..<(lines.count - 2)]
        #expect(!rows.isEmpty && rows.allSatisfy { $0.contains(" y ") || $0.contains(" %") }, "\(rows)")
        #expect(rows.allSatisfy { $0.contains("f32[300, 2]") && ($0.contains(" µs ") || $0.contains(" ms ")) }, "\(rows)")
        let percents = rows.compactMap { row in row.split(separator: " ").first { $0.hasSuffix("%") }.flatMap { Double($0.dropLast()) } }
        #expect(percents.count == rows.count && abs(percents.reduce(0, +) - 100) <= 0.1 * Double(rows.count), "\(percents)")
        #expect(lines[lines.count - 2].hasPrefix("total (\(rows.count) op") && lines[lines.count - 2].contains("100.0%"))
        #expect(lines[lines.count - 1].hasPrefix("run (wall clock)") && lines[lines.count - 1].contains("between ops"))
    }

    @Test func traceIsWrittenAtomicallyAsChromeTraceJSON() throws {
        let path = NSTemporaryDirectory() + "lepton-trace-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try lepton("run", "affine.graph", "--random-inputs", "1", "--dim", "N=300", "--trace", path, "--runs", "2")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("wrote \(path) (trace of 2 runs)\n") && !result.stdout.contains("profile of"), "\(result.stdout)")
        let trace = try Trace(String(contentsOfFile: path, encoding: .utf8))
        #expect(trace.threadNames[0] == "caller")
        #expect(trace.slices.filter { $0.cat == "run" }.count == 2 && trace.slices.contains { $0.cat == "op" })
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.contains("lepton-trace-") }
        #expect(leftovers.allSatisfy { !$0.hasPrefix((path as NSString).lastPathComponent + ".") }, "no temporary file left")
    }

    @Test(arguments: [
        (["--runs", "3"], 2, "--runs only applies with --profile or --trace"),
        (["--warmup", "0"], 2, "--warmup only applies with --profile or --trace"),
        (["--profile", "-O0"], 2, "--profile and --trace time the executor"),
        (["--profile", "--runs", "0"], 2, "--runs needs an integer of at least 1, got '0'"),
        (["--profile", "--warmup", "x"], 2, "--warmup needs an integer of at least 0, got 'x'"),
        (["--trace", "no/such/dir/t.json"], 1, "no/such/dir/t.json: error: cannot write: no such directory"),
    ])
    func badProfileOptionsAreReported(_ extra: [String], _ status: Int32, _ message: String) throws {
        let result = try runLepton(["run", "affine.graph", "--input", "x=x.npy"] + extra)
        #expect(result.status == status, "\(extra): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
    }

    @Test func benchReportsThroughputAndPeakMemory() throws {
        let result = try lepton("bench", "affine.graph", "--dim", "N=4", "--runs", "3", "--skip-reference", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let median = try #require((object["executor"] as? [String: Double])?["median_ms"])
        let inferences = try #require(object["inferences_per_second"] as? Double)
        #expect(object["batch"] as? Int == 4)
        #expect(abs(inferences * median / 1e3 - 1) < 1e-9, "inferences/s = 1 / median: \(result.stdout)")
        #expect(abs((object["samples_per_second"] as? Double ?? 0) - 4 * inferences) < 1e-6 * inferences)
        #expect((object["peak_rss_mib"] as? Double ?? 0) > 1, "\(result.stdout)")
        #expect((object["peak_arena_bytes"] as? Int ?? 0) >= (object["arena_bytes"] as? Int ?? .max), "\(result.stdout)")
        let report = try lepton("bench", "affine.graph", "--dim", "N=4", "--runs", "3", "--skip-reference")
        #expect(report.stdout.contains(" samples/s (batch 4) at the -O2 median\n  peak    RSS "), "\(report.stdout)")
    }
}
