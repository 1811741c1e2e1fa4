/// A profile as a Chrome trace / Perfetto timeline (`lepton run --trace trace.json`; open it
/// in ui.perfetto.dev or chrome://tracing). One track per pool thread — `caller` (tid 0, the
/// thread that ran the executor) and `worker w` — holding complete events ("ph": "X", "ts"
/// and "dur" in microseconds since the first profiled run started):
///
/// - `run r` on the caller, spanning one run (cat "run");
/// - `stage s: n lanes` on the caller, spanning a concurrent stage (cat "stage");
/// - one slice per step on the thread that ran it, named by its kernel (cat "op"; args: op,
///   output, type, run, stage, lane, flops, bytes);
/// - one slice per share of a kernel that split over the pool, on the thread that ran the
///   share (cat "share"; args add the share index): on the caller nested in its step's
///   slice, which also shows the wait for the other threads at the join.
///
/// Slices of one thread nest and never partly overlap. Thread names come as metadata events
/// ("ph": "M", "thread_name").
extension ExecutorProfile {
    public func traceJSON() -> String {
        var events: [TraceEvent] = []
        for run in runs {
            events.append(TraceEvent(name: "run \(run.run)", category: "run", thread: 0, start: run.start, end: run.end,
                                     args: [("run", .number(run.run))]))
        }
        for stage in stages {
            let lanes = stage.stage.map { stageLanes[$0] } ?? 1
            events.append(TraceEvent(name: "stage \(stage.stage ?? 0): \(lanes) lanes", category: "stage", thread: 0,
                                     start: stage.start, end: stage.end, args: [("run", .number(stage.run))]))
        }
        for timing in timings {
            let step = steps[timing.step]
            events.append(TraceEvent(name: step.kernel, category: "op", thread: timing.thread, start: timing.start, end: timing.end,
                                     args: stepArguments(step, run: timing.run)
                                        + [("stage", .number(step.stage)), ("lane", .number(step.lane)),
                                           ("flops", .number(step.flops)), ("bytes", .number(step.bytes))]))
        }
        for share in shares {
            let step = steps[share.step]
            events.append(TraceEvent(name: step.kernel, category: "share", thread: share.thread, start: share.start, end: share.end,
                                     args: stepArguments(step, run: share.run) + [("share", .number(share.share))]))
        }
        // Parents before children: by start, then longest first.
        events.sort { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        let threads = Set([0] + timings.map(\.thread) + shares.map(\.thread)).sorted()
        let symbols = bindings.keys.sorted().map { "\($0)=\(bindings[$0] ?? 0)" }.joined(separator: ", ")
        var lines = [metadata("process_name", thread: nil, "lepton \(graph)\(symbols.isEmpty ? "" : " (\(symbols))")")]
        for thread in threads {
            lines.append(metadata("thread_name", thread: thread, thread == 0 ? "caller" : "worker \(thread)"))
            lines.append("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":1,\"tid\":\(thread),\"args\":{\"sort_index\":\(thread)}}")
        }
        lines += events.map(\.json)
        return "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n" + lines.joined(separator: ",\n") + "\n]}\n"
    }

    private func stepArguments(_ step: Step, run: Int) -> [(String, TraceEvent.Value)] {
        [("op", .string(step.kernel)), ("output", .string(step.outputs.joined(separator: ", "))),
         ("type", .string(TensorType(step.dtype, fixed: step.shape).description)), ("run", .number(run))]
    }

    private func metadata(_ kind: String, thread: Int?, _ name: String) -> String {
        "{\"ph\":\"M\",\"name\":\"\(kind)\",\"pid\":1,\(thread.map { "\"tid\":\($0)," } ?? "")\"args\":{\"name\":\(TraceEvent.quoted(name))}}"
    }
}

/// One complete event of the trace.
private struct TraceEvent {
    enum Value {
        case string(String)
        case number(Int)
    }

    var name: String
    var category: String
    var thread: Int
    /// Nanoseconds since the first run started.
    var start: Int
    var end: Int
    var args: [(String, Value)]

    var json: String {
        let arguments = args.map { key, value in
            switch value {
            case .string(let text): "\(Self.quoted(key)):\(Self.quoted(text))"
            case .number(let n): "\(Self.quoted(key)):\(n)"
            }
        }.joined(separator: ",")
        return "{\"ph\":\"X\",\"name\":\(Self.quoted(name)),\"cat\":\"\(category)\",\"pid\":1,\"tid\":\(thread),"
            + "\"ts\":\(Self.microseconds(start)),\"dur\":\(Self.microseconds(Swift.max(0, end - start))),\"args\":{\(arguments)}}"
    }

    /// Exact: nanoseconds as microseconds with three decimals, no floating point on the way.
    static func microseconds(_ nanoseconds: Int) -> String {
        let n = Swift.max(0, nanoseconds)
        let fraction = String(n % 1000)
        return "\(n / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String { JSONText.quoted(text) }
}
