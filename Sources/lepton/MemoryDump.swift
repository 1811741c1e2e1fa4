import Lepton

/// `lepton dump FILE.graph --memory [--dim N=1 ...] [-O2]`: the memory plan of one graph (the
/// entry graph, or `--graph NAME`) under the given symbol sizes, after the passes the -O
/// flags choose (as written when none), for `--threads T` (default 1: serial, one stage per
/// step; more: the executor's concurrent stages, shown in a `stage` column).
enum MemoryDump {
    static func run(_ model: Model, _ arguments: ParsedArguments) throws(CLIError) {
        let bindings = try DimOption.parse(arguments.values("--dim"), command: "dump")
        var graph = try ModelLoading.within(model) { () throws(DiagnosticError) in try model.graph(named: arguments.value("--graph")) }
        if OptimizationFlags.choosesPasses(arguments) {
            // The plan the executor would use: of the graph after the chosen passes.
            let options = try OptimizationFlags.parse(arguments, defaultLevel: 2)
            graph = try ModelLoading.within(model) { () throws(DiagnosticError) in
                try model.optimized(graph: graph.name, options: options).graph
            }
        }
        try DimOption.check(bindings, against: graph, command: "dump")
        let text = arguments.value("--threads") ?? "1"
        guard let threads = Int(text), threads >= 1 else {
            throw .usage("--threads needs an integer of at least 1, got '\(text)'", command: "dump")
        }
        let plan = try ModelLoading.within(model) { () throws(DiagnosticError) in
            try planMemory(graph, bindings: bindings, threads: threads)
        }
        Console.print(plan.text)
    }
}
