import Foundation

/// How to optimize a graph: an `-O` level or an explicit pass list, and the pass manager's
/// debugging aids.
public struct OptimizationOptions {
    /// `-O0` runs no passes, `-O1` cleans up (simplify, fold, cse, dce), `-O2` also folds
    /// inference patterns and fuses. Ignored when `passes` is given.
    public var level: Int
    /// Explicit pass names, in order (`--passes simplify,fold`).
    public var passes: [String]?
    /// Verify the graph after every pass even in release builds (always on in debug builds).
    public var verifyEach: Bool
    /// Which passes to dump the graph after, and where the dump text goes.
    public var dumpAfter: PassManager.DumpSelection
    public var dump: (String) -> Void
    /// How dumps print (the CLI elides large tensors).
    public var printOptions: PrintOptions = .full
    /// Inference (true): params are constants that folding may evaluate.
    public var freezeParameters: Bool

    public init(level: Int = 2, passes: [String]? = nil, verifyEach: Bool = false,
                dumpAfter: PassManager.DumpSelection = .none, dump: @escaping (String) -> Void = { Swift.print($0, terminator: "") },
                freezeParameters: Bool = true) {
        self.level = level
        self.passes = passes
        self.verifyEach = verifyEach
        self.dumpAfter = dumpAfter
        self.dump = dump
        self.freezeParameters = freezeParameters
    }

    /// The passes these options select; throws for an unknown pass name.
    public func selectedPasses() throws(DiagnosticError) -> [Pass] {
        guard let passes else { return Passes.pipeline(level: level) }
        return try Passes.parseList(passes.joined(separator: ","))
    }
}

/// An optimized graph and what the optimizer did to it.
public struct OptimizedGraph {
    public var graph: Graph
    /// One record per pass run: whether it changed the graph, and its notes.
    public var records: [PassRecord]
    /// Every note, in order (e.g. "fold: w2t (transpose) not folded: … > limit …").
    public var notes: [String] { records.flatMap(\.notes) }
    /// The params' values, materialized while optimizing (folding reads them), in
    /// `graph.params` order.
    public var parameters: [Tensor]
}

extension Model {
    /// The graph called `name` (the entry graph when nil) after the passes `options` select.
    public func optimized(graph name: String? = nil, options: OptimizationOptions = OptimizationOptions()) throws(DiagnosticError) -> OptimizedGraph {
        var graph = try graph(named: name)
        let manager = PassManager(passes: try options.selectedPasses(), verifyEach: options.verifyEach,
                                  dumpAfter: options.dumpAfter, dump: options.dump,
                                  printOptions: options.printOptions)
        // The runtime's plan-time packing, so `prepack` notes which weights it packs.
        var context = PassContext(baseDirectory: module.baseDirectory, freezeParameters: options.freezeParameters,
                                  weightLayouts: { op, operand, type in
                                      planTimeWeightLayout(op, operand: operand, type).map { WeightLayout(packedAtPlanTime: $0) }
                                  })
        let records = try manager.run(&graph, context: &context)
        var parameters: [Tensor] = []
        for param in graph.params { parameters.append(try context.parameters.value(of: param, in: graph)) }
        return OptimizedGraph(graph: graph, records: records, parameters: parameters)
    }

    /// Shorthand: the graph at `-O<level>`, or after `passes` when given.
    public func optimized(graph name: String? = nil, level: Int, passes: [String]? = nil) throws(DiagnosticError) -> OptimizedGraph {
        try optimized(graph: name, options: OptimizationOptions(level: level, passes: passes))
    }

    /// Optimizes the graph as `options` say, then runs it on `inputs` (keyed by input name);
    /// returns its outputs with their names, in declaration order. `level: 0` runs the graph
    /// exactly as written on the reference interpreter (the oracle); otherwise the optimized
    /// graph runs on the runtime's executor (with `threads` threads per kernel, default the
    /// active processor count). To run many times, `compile` once instead.
    public func run(graph name: String? = nil, inputs: [String: Tensor], options: OptimizationOptions,
                    threads: Int? = nil) throws(DiagnosticError) -> [(name: String, tensor: Tensor)] {
        if options.passes == nil, options.level <= 0 {
            return try run(graph: name, inputs: inputs)  // as written, with the model's parameter cache
        }
        return try compile(graph: name, options: options, threads: threads).run(inputs)
    }

    /// The graph optimized as `options` say and prepared for the executor, ready to run many
    /// times (memory plans are cached per input-shape binding). Each kernel splits its work
    /// over up to `threads` threads (default: the active processor count); the results are
    /// bit-identical for any count.
    public func compile(graph name: String? = nil, options: OptimizationOptions = OptimizationOptions(),
                        threads: Int? = nil) throws(DiagnosticError) -> CompiledGraph {
        let optimized = try optimized(graph: name, options: options)
        let threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        return CompiledGraph(executor: try Executor(graph: optimized.graph, parameters: optimized.parameters, threads: threads))
    }

    /// `run` at `-O<level>` (the CLI's default is 2).
    public func run(graph name: String? = nil, inputs: [String: Tensor], level: Int) throws(DiagnosticError) -> [(name: String, tensor: Tensor)] {
        try run(graph: name, inputs: inputs, options: OptimizationOptions(level: level))
    }
}
