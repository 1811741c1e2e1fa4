import Foundation
import Testing
import LeptonIR
import LeptonReference
import LeptonTensor

/// Differential tests: random graphs and the example graphs run unoptimized on the reference
/// interpreter (the oracle) and after the -O2 pipeline; outputs must agree to rtol 1e-4.
@Suite struct DifferentialTests {
    /// Every generated graph parses, verifies and runs on the oracle: a graph that does not is
    /// a generator (or frontend) bug, and would silently shrink the differential test.
    @Test func randomGraphsParseVerifyAndRun() {
        var failures: [String] = []
        for seed in Differential.seeds {
            let graph = RandomGraphGenerator.generate(seed: seed)
            Differential.write(graph)
            switch Differential.parse(graph.text, path: graph.fileName) {
            case .failure(let failure):
                failures.append("seed \(seed) does not parse:\n\(failure.message)\n\(graph.text)")
            case .success(let (parsed, base)):
                do {
                    try parsed.verify()
                    let outputs = try Differential.interpret(parsed, baseDirectory: base, inputs: graph.makeInputs())
                    if outputs.contains(where: { $0.dtype.isFloatingPoint && $0.doubles.contains { !$0.isFinite } }) {
                        failures.append("seed \(seed) has non-finite outputs (the generator should keep values tame)\n\(graph.text)")
                    }
                } catch {
                    failures.append("seed \(seed) fails at -O0: \(error)\n\(graph.text)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(Differential.seeds.count) graphs:\n\(failures.prefix(3).joined(separator: "\n\n"))")
    }

    /// The generator is deterministic per seed and different across seeds.
    @Test func randomGraphsAreSeeded() {
        #expect(RandomGraphGenerator.generate(seed: 7).text == RandomGraphGenerator.generate(seed: 7).text)
        #expect(RandomGraphGenerator.generate(seed: 7).text != RandomGraphGenerator.generate(seed: 8).text)
    }
}
