import Foundation
import Testing
import Lepton
@testable import LeptonRuntime
import LeptonKernels

/// `Executor.profile` and its Chrome trace: every step is timed exactly once per run, the
/// steps account for the run's wall clock, outputs are the same bits as without profiling,
/// and the trace is well-formed JSON whose slices nest per thread, name their threads, and
/// show a big matmul's shares on both threads at 2 threads.
@Suite struct ProfileTests {
    /// At 1 thread every stage has one lane, so the steps run one after another.
    @Test(arguments: [1, 2])
    func profileTimesEveryStepOncePerRunAndAddsUpToTheRun(threads: Int) throws {
        let (executor, inputs) = try transformer(threads: threads)
        let (_, profile) = try executor.profile(inputs, runs: 4, warmup: 1)
        #expect(profile.runs.count == 4 && profile.threads == threads && profile.warmup == 1)
        let graph = executor.graph
        #expect(Set(profile.steps.map(\.node)) == Set(graph.nodes.indices) && profile.steps.count == graph.nodes.count)
        for run in profile.runs {
            let timings = profile.timings.filter { $0.run == run.run }
            #expect(timings.map(\.step).sorted() == Array(profile.steps.indices), "run \(run.run): each step exactly once")
            for timing in timings {
                #expect(run.start <= timing.start && timing.start <= timing.end && timing.end <= run.end)
            }
        }
        // Ops one at a time plus the concurrent stages' wall clock: the whole run but the
        // few clock reads and loop steps between ops.
        let (serial, wall, ops) = profile.timeSplit
        let run = profile.meanRunNanoseconds
        #expect(serial + wall <= run && serial + wall >= 0.9 * run, "serial \(serial), stages \(wall), run \(run)")
        if threads == 1 {
            #expect(wall == 0 && ops == 0 && profile.stages.isEmpty)
            let rows = profile.rows.reduce(0) { $0 + $1.nanoseconds }
            #expect(abs(rows - serial) < 1e-6 * max(1, serial), "the rows are the steps")
        }
    }

    @Test func profilingChangesNoOutputBit() throws {
        for threads in [1, 2] {
            let (executor, inputs) = try transformer(threads: threads)
            let plain = try executor.run(inputs)
            let (profiled, _) = try executor.profile(inputs, runs: 3, warmup: 0)
            #expect(profiled == plain, "\(threads) threads")
            let (fresh, _) = try transformer(threads: threads)
            #expect(try fresh.profile(inputs, runs: 1, warmup: 0).outputs == plain && fresh.run(inputs) == plain)
        }
    }

    @Test func traceIsWellFormedAndNestsPerThread() throws {
        let (executor, inputs) = try transformer(threads: 2)
        let (_, profile) = try executor.profile(inputs, runs: 3, warmup: 1)
        let trace = try Trace(profile.traceJSON())
        #expect(trace.threadNames[0] == "caller")
        let slices = trace.slices
        #expect(!slices.isEmpty)
        for slice in slices {
            #expect(slice.ts >= 0 && slice.dur >= 0, "\(slice)")
            #expect(trace.threadNames[slice.tid] != nil, "tid \(slice.tid) has a thread_name")
        }
        #expect(slices.filter { $0.cat == "op" }.count == 3 * executor.graph.nodes.count)
        #expect(slices.filter { $0.cat == "op" }.allSatisfy { $0.args["type"] is String && $0.args["op"] is String })
        for (tid, mine) in Dictionary(grouping: slices, by: \.tid) {
            for a in mine {
                for b in mine where a.index < b.index {
                    // Two slices of one thread are apart, or one holds the other.
                    let apart = a.end <= b.ts + 1e-3 || b.end <= a.ts + 1e-3
                    #expect(apart || a.contains(b) || b.contains(a), "tid \(tid): \(a) and \(b) overlap")
                }
            }
        }
        // On the caller, the top-level ops and concurrent stages of a run fill it.
        for run in slices.filter({ $0.cat == "run" }) {
            let inRun = slices.filter { $0.tid == 0 && ($0.cat == "op" || $0.cat == "stage") && run.contains($0) }
            let topLevel = inRun.filter { slice in !inRun.contains { $0.index != slice.index && $0.contains(slice) } }
            let sum = topLevel.reduce(0) { $0 + $1.dur }
            #expect(sum <= run.dur + 1e-3 && sum >= 0.9 * run.dur, "\(run.name): top-level slices \(sum) µs of \(run.dur) µs")
        }
    }

    /// A 768x768x768 product splits over both threads: its shares show up on two tracks in at
    /// least one run. A share whose worker has not woken by the time the caller finished its
    /// own is taken by the caller, which on a loaded machine (the whole suite on two cores)
    /// happens to small kernels every time: each share here is milliseconds of work, longer
    /// than a scheduler time slice, so the worker gets a core before the caller is done.
    @Test func splitKernelHasSharesOnBothThreads() throws {
        let graph = try parseGraph("graph g(a: f32[768, 768], b: f32[768, 768]) -> (c: f32[768, 768]) { c = matmul(a, b) }")
        let executor = try Executor(graph: graph, parameters: [], threads: 2)
        let inputs = randomInputs(graph)
        var threadsSeen: Set<Int> = []
        for _ in 0..<10 where threadsSeen.count < 2 {
            let (_, profile) = try executor.profile(inputs, runs: 5, warmup: 1)
            #expect(profile.sharesRecorded && profile.droppedShares == 0)
            let trace = try Trace(profile.traceJSON())
            let shares = trace.slices.filter { $0.cat == "share" && $0.name == "matmul" }
            for run in 0..<5 {
                let tids = Set(shares.filter { $0.args["run"] as? Int == run }.map(\.tid))
                if tids.count > threadsSeen.count { threadsSeen = tids }
            }
            #expect(Set(trace.threadNames.keys).isSuperset(of: threadsSeen))
        }
        #expect(threadsSeen == [0, 1], "matmul shares ran on threads \(threadsSeen.sorted())")
    }

    private func transformer(threads: Int) throws -> (Executor, [String: Tensor]) {
        let (graph, module) = try exampleGraph("transformer.graph", named: nil)
        let optimized = try optimizedAtO2(graph, baseDirectory: module.baseDirectory, verifyEach: false)
        let parameters = try materializeParameters(of: optimized, baseDirectory: module.baseDirectory)
        return (try Executor(graph: optimized, parameters: parameters, threads: threads), randomInputs(graph, bindings: ["B": 1]))
    }
}

/// A Chrome trace read back with JSONSerialization: its complete events and thread names.
struct Trace {
    struct Slice: CustomStringConvertible {
        var index: Int
        var name: String
        var cat: String
        var tid: Int
        var ts: Double
        var dur: Double
        var args: [String: Any]
        var end: Double { ts + dur }
        func contains(_ other: Slice) -> Bool { ts <= other.ts + 1e-3 && other.end <= end + 1e-3 }
        var description: String { "\(cat) \(name) [\(ts), \(end)]" }
    }

    var slices: [Slice] = []
    var threadNames: [Int: String] = [:]

    init(_ json: String) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let events = try #require(object["traceEvents"] as? [[String: Any]])
        for event in events {
            #expect(event["pid"] as? Int == 1)
            switch event["ph"] as? String {
            case "M":
                if event["name"] as? String == "thread_name", let tid = event["tid"] as? Int {
                    threadNames[tid] = (event["args"] as? [String: Any])?["name"] as? String
                }
            case "X":
                slices.append(Slice(index: slices.count, name: try #require(event["name"] as? String),
                                    cat: try #require(event["cat"] as? String), tid: try #require(event["tid"] as? Int),
                                    ts: try #require(event["ts"] as? Double), dur: try #require(event["dur"] as? Double),
                                    args: event["args"] as? [String: Any] ?? [:]))
            default:
                Issue.record("unexpected event \(event)")
            }
        }
    }
}
