import Foundation
import Testing
@testable import LeptonFrontend

@Test(arguments: ["mlp", "lenet", "resblock", "lstm", "transformer", "textclf", "cifar_cnn", "face_cnn", "mobilenet_v2"])
func scratchParse(_ name: String) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let path = root.appendingPathComponent("graphs/\(name).graph").path
    do {
        let module = try Frontend.parse(contentsOf: path)
        var text = ""
        for g in module.graphs {
            text += "GRAPH \(g.name) nodes \(g.nodes.count) params \(g.params.count) outputs \(g.outputs.map { "\(g.name(of: $0)): \(g.type(of: $0))" })\n"
            for p in g.params { text += "  P \(g.name(of: p.value)) \(g.type(of: p.value)) \(p.initializer)\n" }
        }
        try text.write(toFile: "/tmp/scratch_\(name).txt", atomically: true, encoding: .utf8)
    } catch {
        try "\(error)".write(toFile: "/tmp/scratch_\(name).txt", atomically: true, encoding: .utf8)
        Issue.record("\(error)")
    }
}
