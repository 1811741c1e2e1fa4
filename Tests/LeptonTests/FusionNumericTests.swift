import Foundation
import LeptonFrontend
import LeptonIR
import LeptonPasses
import Testing

/// The folding and fusion passes, by name.
let fusionPasses: [Pass] = [.foldPad, .foldBatchNorm, .formLinear, .foldAffine, .fuseEpilogue, .fuseElementwise,
                            .fuseReductions, .prepack]

/// Every golden fixture of the fusion passes, run before and after its passes on the
/// reference: the rewrites must keep the results (up to float reassociation).
@Test(arguments: fusionPasses.flatMap { pass in
    let directory = TestPaths.fixtures("passes").appendingPathComponent(pass.name)
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return files.filter { $0.hasSuffix(".graph") }.sorted().map { "\(pass.name)/\($0)" }
})
func fusionFixtureKeepsResults(_ name: String) throws {
    let url = TestPaths.fixtures("passes").appendingPathComponent(name)
    let text = try String(contentsOf: url, encoding: .utf8)
    let run = try #require(text.split(separator: "\n").first { $0.hasPrefix("# RUN:") })
    let words = run.split(separator: " ").map(String.init)
    let list = try #require(words.firstIndex(of: "--passes").map { words[$0 + 1] })
    let passes = list.split(separator: ",").compactMap { name in fusionPasses.first { $0.name == name } }
    let graph = try #require(try Frontend.parse(source: text, path: url.path).entry)
    try expectSameResults(graph, after: passes, baseDirectory: url.deletingLastPathComponent().path)
}

/// The example graphs through every folding and fusion pass: same results, and the expected
/// amount of folding and fusion.
@Test(arguments: [
    ("resblock.graph", nil as String?, 1), ("mobilenet_v2.graph", "mobilenet_v2_blocks", 1), ("mlp.graph", nil, 2),
    ("lenet.graph", nil, 2), ("cifar_cnn.graph", nil, 1), ("face_cnn.graph", nil, 1), ("textclf.graph", nil, 2),
    ("transformer.graph", nil, 2), ("lstm.graph", nil, 2),
])
func exampleGraphKeepsResults(_ file: String, _ name: String?, _ symbol: Int) throws {
    let (graph, base) = try exampleGraph(file, name)
    let optimized = try expectSameResults(graph, after: fusionPasses, baseDirectory: base, symbol: symbol,
                                          rtol: 1e-4, atol: 1e-5)
    let fused = optimized.nodes.filter { $0.op == .fused }
    print("\(file) \(name ?? graph.name): \(graph.nodes.count) -> \(optimized.nodes.count) nodes, \(fused.count) fused "
        + "(\(fused.map { $0.regions[0].nodes.map(\.op.mnemonic).joined(separator: "+") }))")
    #expect(count(.batch_norm, in: optimized) == 0)
}

/// A second run of the passes finds nothing left to do (the rewrites reach a fixpoint).
@Test func fusionPassesAreIdempotent() throws {
    let examples = [("resblock.graph", nil), ("mobilenet_v2.graph", "mobilenet_v2_blocks"), ("transformer.graph", nil), ("lenet.graph", nil)]
    for (file, name) in examples {
        let (graph, base) = try exampleGraph(file, name)
        var context = PassContext(baseDirectory: base)
        let (once, _) = try applying(fusionPasses, to: graph, context: &context)
        let (twice, changes) = try applying(fusionPasses, to: once, context: &context)
        #expect(changes.allSatisfy { !$0 }, "\(file): \(zip(fusionPasses, changes).filter(\.1).map(\.0.name)) changed again")
        #expect(twice == once)
    }
}
