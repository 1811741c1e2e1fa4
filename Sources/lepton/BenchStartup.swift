import Foundation
import Lepton

/// `lepton bench FILE.graph --startup`: how long a model takes to become ready to run, from its
/// source against from its compiled artifact, measured alternately in one process.
///
/// From source, ready means parsed, optimized at -O2, planned for the given sizes and its
/// weights packed (a plan is made on the first run anyway; here it is forced so the phases
/// compare like with like). From the artifact — compiled once, written to a temporary file —
/// it means the file mapped and checked and its plan and packings adopted. Then each takes
/// its first run. The ratio of the medians is the figure the artifact exists for.
enum BenchStartup {
    struct Result {
        var sourceReady: Latency, sourceFirstRun: Latency
        var artifactReady: Latency, artifactFirstRun: Latency
        var artifactBytes: Int

        var report: String {
            func ms(_ l: Latency) -> String { String(format: "%.2f ms", l.median * 1e3) }
            let source = sourceReady.median + sourceFirstRun.median, artifact = artifactReady.median + artifactFirstRun.median
            return """
            startup (medians; ready = loaded, planned, weights packed):
              from source    ready \(ms(sourceReady)) (min \(String(format: "%.2f", sourceReady.min * 1e3))), first run \(ms(sourceFirstRun))
              from artifact  ready \(ms(artifactReady)) (min \(String(format: "%.2f", artifactReady.min * 1e3))), first run \(ms(artifactFirstRun)), file \(artifactBytes) bytes
              artifact / source: ready \(String(format: "%.2f", artifactReady.median / sourceReady.median)), ready + first run \(String(format: "%.2f", artifact / source))
            """
        }

        var json: String {
            func object(_ l: Latency) -> String {
                String(format: "{\"median_ms\": %.4f, \"min_ms\": %.4f, \"max_ms\": %.4f}", l.median * 1e3, l.min * 1e3, l.max * 1e3)
            }
            return """
            {"source_ready": \(object(sourceReady)), "source_first_run": \(object(sourceFirstRun)), \
            "artifact_ready": \(object(artifactReady)), "artifact_first_run": \(object(artifactFirstRun)), \
            "artifact_bytes": \(artifactBytes), "ready_ratio": \(String(format: "%.4f", artifactReady.median / sourceReady.median))}
            """
        }
    }

    static func measure(path: String, graph name: String, inputs: [String: Tensor], bindings: [String: Int],
                        runs: Int, threads: Int) throws(DiagnosticError) -> Result {
        let artifact = try Model.load(contentsOf: path).artifact(graph: name, bindings: [bindings], threads: threads)
        let temporary = NSTemporaryDirectory() + "lepton-startup-\(getpid()).lepton"
        try artifact.write(to: temporary)
        defer { unlink(temporary) }
        var samples = [[Double]](repeating: [], count: 4)
        let clock = ContinuousClock()
        func time(_ slot: Int, _ body: () throws(DiagnosticError) -> Void) throws(DiagnosticError) {
            let start = clock.now
            try body()
            samples[slot].append(Latency.seconds(clock.now - start))
        }
        // One untimed round first (page cache, lazily initialized globals), then alternate.
        for round in 0...runs {
            var compiled: CompiledGraph?
            try time(0) { () throws(DiagnosticError) in
                compiled = try Model.load(contentsOf: path).compile(graph: name, threads: threads)
                _ = try compiled?.memoryPlan(for: bindings)
            }
            try time(1) { () throws(DiagnosticError) in _ = try compiled?.run(inputs) }
            try time(2) { () throws(DiagnosticError) in
                compiled = try CompiledGraph(artifact: Artifact.load(contentsOf: temporary), threads: threads)
            }
            try time(3) { () throws(DiagnosticError) in _ = try compiled?.run(inputs) }
            if round == 0 { samples = samples.map { _ in [] } }
        }
        return Result(sourceReady: Latency(samples: samples[0]), sourceFirstRun: Latency(samples: samples[1]),
                      artifactReady: Latency(samples: samples[2]), artifactFirstRun: Latency(samples: samples[3]),
                      artifactBytes: artifact.encoded().count)
    }
}
