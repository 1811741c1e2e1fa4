import Foundation
import Lepton

/// `lepton compile FILE.graph -o model.lepton [-O2] [--dim N=1]`: optimize once, plan memory for
/// the given sizes, and write everything a deployment needs into one artifact.
enum CompileCommand {
    static let spec = CommandSpec(
        name: "compile", summary: "compile a graph into one self-contained .lepton artifact that loads without optimizing",
        positionals: ["FILE.graph"],
        options: [
            OptionSpec("-o", value: "OUT.lepton", "where the artifact goes (written atomically)"),
            OptionSpec("--dim", value: "SYMBOL=SIZE", repeatable: true, "plan memory for this size of a symbolic dimension (other sizes are planned when first run)"),
            OptionSpec("--graph", value: "NAME", "the graph to compile (default: the last in the file)"),
            OptionSpec("--threads", value: "T", "plan for T threads (default: the active processor count)"),
        ] + OptimizationFlags.options,
        details: """
        the artifact holds the optimized graph, its params' values (64-byte aligned), the weights
        packed as the kernels read them, the memory plan for the --dim sizes (a graph without
        symbolic dims is always planned) and a checksum (format: spec/artifact.md). compiling the
        same source twice gives identical bytes. run it with 'lepton run OUT.lepton --input …':
        loading maps the file and runs the weights in place, with no passes, planning or packing.
        """,
        run: run)

    static func run(_ arguments: ParsedArguments) throws(CLIError) {
        if arguments.options["--print-passes"] != nil { return Console.print(OptimizationFlags.passList()) }
        guard let output = arguments.value("-o") else { throw .usage("missing -o OUT.lepton", command: "compile") }
        let options = try OptimizationFlags.parse(arguments, defaultLevel: 2)
        let model = try ModelLoading.load(arguments.positionals[0])
        let dims = try DimOption.parse(arguments.values("--dim"), command: "compile")
        let threads = try RunCommand.threads(arguments)
        let started = Date()
        let graph = try ModelLoading.within(model) { () throws(DiagnosticError) in try model.graph(named: arguments.value("--graph")) }
        try DimOption.check(dims, against: graph, command: "compile")
        let artifact = try ModelLoading.within(model) { () throws(DiagnosticError) in
            let artifact = try model.artifact(graph: graph.name, options: options, bindings: dims.isEmpty ? [] : [dims], threads: threads)
            try artifact.write(to: output)
            return artifact
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
        let compiled = artifact.graph, plans = artifact.plans.count, packed = artifact.packedWeightCount
        Console.print("wrote \(output): \(compiled.name), \(compiled.nodes.count) ops, \(compiled.params.count) params, "
            + "\(plans) memory plan\(plans == 1 ? "" : "s"), \(packed) packed weight\(packed == 1 ? "" : "s"), \(bytes) bytes in "
            + String(format: "%.0f ms", 1000 * Date().timeIntervalSince(started)))
    }
}
