import Lepton

/// `lepton dump FILE.graph --memory [--dim N=1 ...]`: the memory plan of one graph (the entry
/// graph, or `--graph NAME`) under the given symbol sizes.
enum MemoryDump {
    static func run(_ model: Model, _ arguments: ParsedArguments) throws(CLIError) {
        let bindings = try DimOption.parse(arguments.values("--dim"), command: "dump")
        let graph = try ModelLoading.within(model) { () throws(DiagnosticError) in try model.graph(named: arguments.value("--graph")) }
        try DimOption.check(bindings, against: graph, command: "dump")
        let plan = try ModelLoading.within(model) { () throws(DiagnosticError) in try planMemory(graph, bindings: bindings) }
        Console.print(plan.text)
    }
}
