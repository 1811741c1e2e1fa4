import Foundation
import LeptonFrontend
import LeptonIR
import LeptonReference
import LeptonTensor

/// What the differential tests share: parsing a generated graph, running a graph on the
/// reference interpreter, comparing outputs, and writing graphs out for debugging.
enum Differential {
    /// Seeds of the random graphs every differential test uses: 1...220, or
    /// `LEPTON_RANDOM_GRAPHS=FIRST-LAST` (a soak run, or one seed to debug: `=17-17`).
    static let seeds: [UInt64] = {
        let range = ProcessInfo.processInfo.environment["LEPTON_RANDOM_GRAPHS"]?.split(separator: "-").compactMap { UInt64($0) }
        guard let range, range.count == 2, range[0] <= range[1] else { return Array(1...220) }
        return Array(range[0]...range[1])
    }()

    /// `LEPTON_WRITE_RANDOM_GRAPHS=DIR`: where to write generated graphs (and their inputs).
    static let dumpDirectory = ProcessInfo.processInfo.environment["LEPTON_WRITE_RANDOM_GRAPHS"]

    /// The entry graph of `source`, or the rendered diagnostics.
    static func parse(_ source: String, path: String) -> Result<(graph: Graph, baseDirectory: String), ParseFailure> {
        do {
            let module = try Frontend.parse(source: source, path: path)
            guard let graph = module.entry else { return .failure(ParseFailure(message: "no graph in \(path)")) }
            return .success((graph, module.baseDirectory))
        } catch {
            return .failure(ParseFailure(message: error.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n")))
        }
    }

    struct ParseFailure: Error { var message: String }

    /// Runs `graph` on the reference interpreter with its params materialized.
    static func interpret(_ graph: Graph, baseDirectory: String, inputs: [String: Tensor]) throws(DiagnosticError) -> [Tensor] {
        let parameters = try materializeParameters(of: graph, baseDirectory: baseDirectory)
        return try Interpreter(graph: graph, parameters: parameters).run(inputs)
    }

    /// Why `actual` differs from the oracle's `expected`, output by output, or nil.
    ///
    /// rtol 1e-4 as the issue asks; atol is 1e-5 of the output's largest |element|, not a
    /// fixed number: optimizing changes rounding (batch norm folded into weights rounds
    /// w·γ/σ once, fused and folded ops reassociate), which moves each element by about
    /// eps·Σ|terms| — the scale of the whole output, not of that element — so an element that
    /// is a near-cancelling sum (a value near 0) carries the same absolute error as its
    /// neighbours. 1e-5 of the scale is ~100 ulps of it, far below what a real bug (a wrong
    /// axis, pad, weight, epilogue or a dropped use) changes.
    static func compare(_ actual: [Tensor], _ expected: [Tensor], names: [String]) -> String? {
        guard actual.count == expected.count else { return "\(actual.count) outputs, expected \(expected.count)" }
        var problems: [String] = []
        for (i, (a, e)) in zip(actual, expected).enumerated() {
            let largest = e.dtype.isFloatingPoint ? e.doubles.lazy.filter(\.isFinite).map(Swift.abs).max() ?? 0 : 0
            if let problem = mismatch(a, e, rtol: 1e-4, atol: 1e-5 * largest) {
                problems.append("output \(names[i]): \(problem)")
            }
        }
        return problems.isEmpty ? nil : problems.joined(separator: "\n")
    }

    /// Writes `graph` (and its inputs as .npy, for `lepton run`) when the dump directory is set.
    static func write(_ graph: RandomGraph, extra: [String: String] = [:]) {
        guard let directory = dumpDirectory else { return }
        let folder = URL(fileURLWithPath: directory)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? graph.text.write(to: folder.appendingPathComponent(graph.fileName), atomically: true, encoding: .utf8)
        let inputsFolder = folder.appendingPathComponent("random_\(graph.seed)_inputs")
        try? FileManager.default.createDirectory(at: inputsFolder, withIntermediateDirectories: true)
        for (name, tensor) in graph.makeInputs() {
            try? NPY.write(tensor, to: inputsFolder.appendingPathComponent("\(name).npy").path)
        }
        for (suffix, text) in extra {
            try? text.write(to: folder.appendingPathComponent("random_\(graph.seed).\(suffix)"), atomically: true, encoding: .utf8)
        }
    }

    /// How to get the failing graph of `seed` on disk and run it.
    static func reproduction(_ graph: RandomGraph) -> String {
        let inputs = graph.inputs.map { "--input \($0.name)=/tmp/rg/random_\(graph.seed)_inputs/\($0.name).npy" }.joined(separator: " ")
        return """
            seed \(graph.seed); dump it with LEPTON_WRITE_RANDOM_GRAPHS=/tmp/rg swift test --filter Differential, \
            then: lepton dump /tmp/rg/\(graph.fileName) --dump-after all; lepton run /tmp/rg/\(graph.fileName) \(inputs)
            """
    }
}
