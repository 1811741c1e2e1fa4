import Foundation
import Testing

// The optimizer flags of `lepton run` and `lepton dump` (helpers in CLITests.swift).

@Test func dumpDefaultsToTheGraphAsWritten() throws {
    let result = try lepton("dump", "optimizable.graph")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("exp(x)"))
    #expect(result.stdout.contains("= mul(two, two)"))
}

@Test(arguments: ["-O1", "-O2"])
func dumpOptimizes(_ level: String) throws {
    let result = try lepton("dump", "optimizable.graph", level)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stdout.contains("exp("), "dce removes the dead node")
    #expect(result.stdout.contains("scale: f32[] = constant(value: 4.0, dtype: f32)"), "\(result.stdout)")
    // -O2 fuses the matmul with its scale: then it reads the body's inputs.
    #expect(result.stdout.contains(level == "-O2" ? "matmul(x0, x1)" : "matmul(x, w)"), "x * 1 is x")
}

@Test func dumpWithPassesRunsExactlyThose() throws {
    let result = try lepton("dump", "optimizable.graph", "--passes", "dce")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(!result.stdout.contains("exp("))
    #expect(result.stdout.contains("mul(two, two)"), "fold did not run")
}

@Test func dumpAfterPrintsIntermediateGraphs() throws {
    let result = try lepton("dump", "optimizable.graph", "--passes", "simplify,fold,dce", "--dump-after", "fold")
    #expect(result.status == 0, "\(result.stderr)")
    let headers = result.stdout.split(separator: "\n").filter { $0.hasPrefix("# after") }
    #expect(headers == ["# after fold (changed)"])
    #expect(result.stdout.contains("exp(x)"), "the dump after fold comes before dce")
    let all = try lepton("dump", "optimizable.graph", "-O1", "--dump-after", "all")
    let allHeaders = all.stdout.split(separator: "\n").filter { $0.hasPrefix("# after") }
    #expect(allHeaders == ["# after simplify (changed)", "# after fold (changed)", "# after cse (unchanged)", "# after dce (changed)"])
}

@Test func printPassesNeedsNoFile() throws {
    let result = try lepton("dump", "--print-passes")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("  fold "))
    #expect(result.stdout.contains("-O1  simplify, fold, cse, dce"))
    #expect(try lepton("run", "--print-passes").stdout == result.stdout)
}

@Test func runGivesTheSameResultsAtEveryLevel() throws {
    var outputs: [String] = []
    for flags in [["-O0"], ["-O1"], [], ["--passes", "simplify,fold,cse,dce"], ["--verify-each"]] {
        let result = try runLepton(["run", "optimizable.graph", "--random-inputs", "7", "--dim", "N=3"] + flags)
        #expect(result.status == 0, "\(flags): \(result.stderr)")
        outputs.append(result.stdout)
    }
    #expect(Set(outputs).count == 1, "\(outputs)")
}

@Test(arguments: [
    (["dump", "optimizable.graph", "--passes", "fold,nope"], "unknown pass 'nope'"),
    (["dump", "optimizable.graph", "--dump-after", "nope"], "unknown pass 'nope'"),
    (["dump", "optimizable.graph", "-O1", "-O2"], "give one of -O0, -O1, -O2"),
    (["run", "optimizable.graph", "-O1", "--passes", "dce"], "--passes replaces the -O level"),
])
func badOptimizerFlagsAreUsageErrors(_ arguments: [String], _ message: String) throws {
    let result = try runLepton(arguments)
    #expect(result.status == 2)
    #expect(result.firstErrorLine.contains(message), "\(result.stderr)")
}
