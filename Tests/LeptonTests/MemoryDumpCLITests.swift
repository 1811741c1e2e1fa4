import Testing

/// `lepton dump --memory` through the built binary (runs in Fixtures/cli; see CLITests).
@Test func dumpMemoryPrintsThePlan() throws {
    let result = try lepton("dump", "affine.graph", "--memory", "--dim", "N=3")
    #expect(result.status == 0, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.first?.hasPrefix("# memory plan for affine, N=3: ") == true, "\(result.stdout)")
    #expect(lines.dropFirst().first?.hasPrefix("step  value") == true)
    #expect(lines.last?.hasPrefix("arena ") == true)
    #expect(lines.last?.contains("arena/lower bound") == true)
}

@Test func dumpMemoryNeedsEverySymbolBound() throws {
    let unbound = try lepton("dump", "affine.graph", "--memory")
    #expect(unbound.status == 1)
    #expect(unbound.firstErrorLine.contains("error: no size for symbol N of x: f32[N, 2] (bind it, e.g. --dim N=1)"), "\(unbound.stderr)")
    let unknown = try lepton("dump", "affine.graph", "--memory", "--dim", "M=2")
    #expect(unknown.status == 2)
    #expect(unknown.firstErrorLine == "lepton dump: error: --dim M: no input of graph affine uses M (symbols: N)", "\(unknown.stderr)")
    let malformed = try lepton("dump", "affine.graph", "--memory", "--dim", "N")
    #expect(malformed.status == 2)
}

/// With an -O flag the plan is of the optimized graph (what the executor runs).
@Test func dumpMemoryPlansTheOptimizedGraph() throws {
    let asWritten = try lepton("dump", "affine.graph", "--memory", "--dim", "N=2")
    let optimized = try lepton("dump", "affine.graph", "--memory", "--dim", "N=2", "-O2")
    #expect(asWritten.status == 0 && optimized.status == 0, "\(asWritten.stderr)\(optimized.stderr)")
    #expect(asWritten.stdout.contains(" matmul "), "\(asWritten.stdout)")
    #expect(optimized.stdout.contains(" linear ") && !optimized.stdout.contains(" matmul "),
            "-O2 forms one linear from the matmul and the bias add: \(optimized.stdout)")
}

/// `--threads 2` plans for two threads: the wide fixture's branches show as lanes of one
/// concurrent stage (a `stage` column); `--threads 1` (the default) prints no stages.
@Test func dumpMemoryShowsConcurrentStages() throws {
    let wide = TestPaths.fixtures("schedule").appendingPathComponent("wide.graph").path
    let staged = try lepton("dump", wide, "--memory", "--dim", "N=8", "-O2", "--threads", "2")
    #expect(staged.status == 0, "\(staged.stderr)")
    #expect(staged.stdout.contains("stages (1 concurrent, 2 lanes at most)"), "\(staged.stdout)")
    #expect(staged.stdout.split(separator: "\n").dropFirst().first?.hasPrefix("step  stage  value") == true, "\(staged.stdout)")
    #expect(staged.stdout.contains(" 0/1 "), "\(staged.stdout)")
    let serial = try lepton("dump", wide, "--memory", "--dim", "N=8", "-O2")
    #expect(serial.status == 0 && !serial.stdout.contains("stage"), "\(serial.stdout)")
    let bad = try lepton("dump", wide, "--memory", "--dim", "N=8", "--threads", "0")
    #expect(bad.status == 2, "\(bad.stderr)")
}
