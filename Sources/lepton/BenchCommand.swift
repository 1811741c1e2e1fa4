import Foundation
import Lepton

/// `lepton bench FILE.graph [--dim N=1]`: what the optimizer does to a graph and what it buys,
/// measured in one process: op counts at -O0 and -O2, fused kernels, the -O2 memory plan
/// (arena, naive, lower bound), the latency per run (median, min, max) and GFLOP/s of the
/// unoptimized graph on the reference interpreter against the optimized graph on the executor,
/// the throughput (inferences and samples per second), the process's peak RSS and the
/// executor's peak arena, and the heap growth over the steady-state runs. Ratios within one run are what to compare;
/// absolute times are noisy.
enum BenchCommand {
    static let spec = CommandSpec(
        name: "bench", summary: "measure a graph at -O0 (reference) and -O2 (executor): ops, memory, time",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("--dim", value: "SYMBOL=SIZE", repeatable: true, "size of a symbolic dimension (random inputs)"),
            OptionSpec("--graph", value: "NAME", "the graph to measure (default: the last in the file)"),
            OptionSpec("--runs", value: "R", "timed runs of each variant (default 10; median, min and max are reported)"),
            OptionSpec("--warmup", value: "W", "untimed runs first (default 2)"),
            OptionSpec("--threads", value: "T", "threads per kernel (default: the active processor count)"),
            OptionSpec("--row", "print one markdown table row instead of the report (--row-header: the header)"),
            OptionSpec("--row-header", standalone: true, "print the header of the --row table and stop"),
            OptionSpec("--json", "print one JSON object instead of the report (for scripts: Tools/bench_vs_ort.py)"),
            OptionSpec("--skip-reference", "do not time -O0 on the reference interpreter (slow on big models)"),
            OptionSpec("--startup", "instead: time becoming ready to run from source against from a compiled artifact"),
            OptionSpec("--gemm", value: "M,N,K", standalone: true, "time the f32 GEMM kernel alone (no FILE): latency and GFLOP/s"),
        ],
        details: """
        inputs are random (seed 1). -O0 runs the graph as written on the reference interpreter;
        -O2 runs the optimized graph on the executor out of its planned arena. heap growth is
        the change in glibc's bytes-in-use over the timed -O2 runs: 0 B means steady-state runs
        leave nothing behind. GFLOP/s divides an estimate of the graph's floating-point work
        (counted on the -O0 graph: 2 per multiply-add, 1 per elementwise op, 0 for data movement)
        by the median latency, so -O0 and -O2 rates are comparable. throughput is at the -O2
        median: inferences/s = 1 / median, samples/s = batch / median, where batch is the first
        output's leading dimension. peak RSS is the process's (getrusage), after every run.
        --json keys: graph, sizes, threads, runs, flops, ops_o0, ops_o2, fused, arena_bytes,
        naive_bytes, lower_bound_bytes, executor and reference (median_ms, min_ms, max_ms, gflops;
        reference left out with --skip-reference), heap_growth_bytes, batch, inferences_per_second,
        samples_per_second, peak_rss_mib, peak_arena_bytes.
        --startup times, alternately in one process, getting ready to run from the source (parse,
        -O2, plan for the --dim sizes, pack weights) and from the artifact lepton compile would
        write (map, check, adopt plan and packings), then each one's first run; --json keys:
        source_ready, source_first_run, artifact_ready, artifact_first_run (median_ms, min_ms,
        max_ms), artifact_bytes, ready_ratio.
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        let runs = try count(arguments, "--runs", default: 10, minimum: 1)
        let warmup = try count(arguments, "--warmup", default: 2, minimum: 0)
        let threads = try count(arguments, "--threads", default: ProcessInfo.processInfo.activeProcessorCount, minimum: 1)
        let json = arguments.options["--json"] != nil
        if arguments.options["--row-header"] != nil {
            Console.print(Measurement.rowHeader)
            return
        }
        if let sizes = arguments.value("--gemm") {
            try BenchGemm.run(sizes, runs: arguments.value("--runs") == nil ? nil : runs, warmup: warmup,
                              threads: threads, json: json)
            return
        }
        guard !(json && arguments.options["--row"] != nil) else {
            throw .usage("--row and --json are two formats of the same result; give one", command: "bench")
        }
        let model = try ModelLoading.load(arguments.positionals[0])
        let graph = try ModelLoading.within(model) { () throws(DiagnosticError) in try model.graph(named: arguments.value("--graph")) }
        var builder = InputBuilder(model: model, graph: graph, command: "bench")
        try builder.addRandom(seed: 1, dims: try DimOption.parse(arguments.values("--dim"), command: "bench"))
        let inputs = builder.inputs
        if arguments.options["--startup"] != nil {
            let path = arguments.positionals[0]
            let result = try ModelLoading.within(model) { () throws(DiagnosticError) in
                try BenchStartup.measure(path: path, graph: graph.name, inputs: inputs, bindings: symbolSizes(graph, inputs),
                                         runs: runs, threads: threads)
            }
            Console.print(json ? result.json : result.report)
            return
        }
        let measured = try ModelLoading.within(model) { () throws(DiagnosticError) in
            try measure(model, graph, inputs, runs: runs, warmup: warmup, threads: threads,
                        reference: arguments.options["--skip-reference"] == nil)
        }
        Console.print(json ? measured.json : arguments.options["--row"] != nil ? measured.row : measured.report)
    }

    private static func measure(_ model: Model, _ graph: Graph, _ inputs: [String: Tensor], runs: Int, warmup: Int,
                                threads: Int, reference timeReference: Bool) throws(DiagnosticError) -> Measurement {
        let compiled = try model.compile(graph: graph.name, options: OptimizationOptions(level: 2), threads: threads)
        let bindings = symbolSizes(graph, inputs)
        // The executor's own plan for these sizes (with its concurrent stages), not a fresh one.
        let plan = try compiled.memoryPlan(for: bindings)
        let reference = timeReference
            ? try Latency.measure(runs: runs, warmup: warmup) { () throws(DiagnosticError) in
                _ = try model.run(graph: graph.name, inputs: inputs)
            }
            : nil
        // The steady-state path an app uses (inputs in order, outputs overwritten in place):
        // after the first call it checks nothing it already checked and allocates nothing.
        let ordered = compiled.inputNames.compactMap { inputs[$0] }
        var outputs: [Tensor] = []
        let runCompiled = { () throws(DiagnosticError) in try compiled.run(ordered, into: &outputs) }
        for _ in 0..<max(warmup, 1) { try runCompiled() }  // builds the plan and the arena
        let heapBefore = heapBytesInUse()
        let optimized = try Latency.measure(runs: runs, warmup: 0, runCompiled)
        let heapGrowth = heapBytesInUse().flatMap { after in heapBefore.map { after - $0 } }
        return Measurement(graph: graph, optimized: compiled.graph, bindings: bindings, plan: plan,
                           flops: graph.flopCount(sizes: bindings), reference: reference, executor: optimized,
                           runs: runs, threads: threads, heapGrowth: heapGrowth, statistics: compiled.statistics,
                           batch: outputs.first?.shape.first ?? 1, peakResident: peakResidentBytes())
    }

    private static func symbolSizes(_ graph: Graph, _ inputs: [String: Tensor]) -> [String: Int] {
        var sizes: [String: Int] = [:]
        for id in graph.inputs {
            guard let tensor = inputs[graph.name(of: id)] else { continue }
            for (dim, size) in zip(graph.type(of: id).shape, tensor.shape) {
                if case .symbol(let symbol) = dim { sizes[symbol] = size }
            }
        }
        return sizes
    }

    private static func count(_ arguments: ParsedArguments, _ option: String, default value: Int, minimum: Int) throws(CLIError) -> Int {
        guard let text = arguments.value(option) else { return value }
        guard let n = Int(text), n >= minimum else {
            throw .usage("\(option) needs an integer of at least \(minimum), got '\(text)'", command: "bench")
        }
        return n
    }
}
