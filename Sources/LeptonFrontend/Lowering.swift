import LeptonIR

/// Thrown once an error has been reported: abandons the statement (or call) at hand.
struct LoweringAbort: Error {}

/// The names and compile-time values visible inside one instance of a graph body.
struct Scope {
    var graphName: String
    /// Prepended to every user name defined here: `""` at top level, `"b1."` inside a call.
    var prefix: String
    var dims = DimEnvironment()
    /// Source name -> value in the graph being built.
    var values: [String: ValueID] = [:]
    /// Names whose definition failed: uses are skipped quietly instead of cascading.
    var poisoned: Set<String> = []
    /// How many calls of each graph nested inside expressions got a `<callee>_<k>` prefix.
    var nestedCalls: [String: Int] = [:]
    /// Declared dtypes of the graph's outputs: they type literals like annotations do.
    var outputDTypes: [String: DType] = [:]
    /// Inside a fused body: the names of the enclosing scope, which the body cannot see.
    var enclosingNames: Set<String>? = nil

    func qualified(_ name: String) -> String { prefix + name }
}

/// Lowers the AST to IR: resolves names in any statement order, checks types and shapes,
/// fills attribute defaults, and inlines graph calls. Errors are collected per statement;
/// a failed statement poisons its names so later uses do not repeat the complaint.
struct Lowering {
    static let maxDiagnostics = 20
    /// Most values the lowered graphs of one file may hold together (see `lowerGraphCall`).
    static let maxValues = 100_000
    /// Deepest chain of graph calls, and deepest expression nesting counted across inlined
    /// calls: lowering recurses through both, so each must stay far from the stack limit.
    static let maxCallDepth = 64
    static let maxExpressionDepth = 1_000

    private(set) var declarations: [String: GraphDecl] = [:]
    private(set) var groups: [[Diagnostic]] = []
    private var seen: Set<Diagnostic> = []
    /// Errors reported (duplicates included): lets a caller tell whether a callee failed.
    private(set) var errorCount = 0
    /// Graphs being instantiated with their call sites, outermost first.
    var callStack: [(name: String, site: SourceLocation)] = []
    /// Graphs being lowered, the top-level one first: a callee among them is recursion.
    var activeGraphs: [String] = []
    /// Values in the graphs already lowered: counts toward `valueBudget`.
    private(set) var loweredValues = 0
    /// `maxValues`, smaller in tests that would otherwise build 100k nodes in a debug build.
    private(set) var valueBudget = maxValues
    /// Expressions being lowered, callers' included: bounded by `maxExpressionDepth`.
    var expressionDepth = 0

    static func lower(_ file: SourceFile, baseDirectory: String, valueBudget: Int = maxValues) throws(DiagnosticError) -> Module {
        var lowering = Lowering()
        lowering.valueBudget = valueBudget
        for decl in file.graphs {
            if lowering.declarations[decl.name] != nil {
                lowering.report("duplicate graph '\(decl.name)'", at: decl.location)
            } else if Op(rawValue: decl.name) != nil {
                lowering.report("graph '\(decl.name)' has the name of an op", at: decl.location)
            } else {
                lowering.declarations[decl.name] = decl
            }
        }
        var graphs: [Graph] = []
        for decl in file.graphs where !decl.isTemplate && lowering.declarations[decl.name]?.location == decl.location {
            if let graph = lowering.lowerGraph(decl) {
                graphs.append(graph)
                lowering.loweredValues += graph.values.count
            }
            if lowering.errorCount >= maxDiagnostics { break }
        }
        let training = lowering.lowerTrainBlocks(file.trainBlocks, models: graphs)
        guard lowering.groups.isEmpty else { throw lowering.sortedDiagnostics() }
        return Module(graphs: graphs, baseDirectory: baseDirectory, training: training)
    }

    /// Adds a top-level input (or a train block's label): each plain-name dim not bound yet
    /// becomes a symbol of its own.
    mutating func declareInput(_ input: InputDecl, kind: String, scope: inout Scope, builder: inout GraphBuilder) {
        guard scope.values[input.name] == nil, !scope.poisoned.contains(input.name) else {
            report("duplicate name '\(input.name)'", at: input.location)
            return
        }
        for case .name(let symbol, _) in input.type.dims where scope.dims.symbols[symbol] == nil {
            scope.dims.symbols[symbol] = .symbol(symbol)
        }
        do {
            let type = try evaluate(input.type, scope: scope, what: "\(kind) '\(input.name)'")
            scope.values[input.name] = builder.addInput(input.name, type, at: input.location)
        } catch {
            scope.poisoned.insert(input.name)
        }
    }

    /// A graph without compile-time arguments, standing alone: its input dims are its own symbols.
    mutating func lowerGraph(_ decl: GraphDecl) -> Graph? {
        var builder = GraphBuilder(name: decl.name, location: decl.location)
        var scope = Scope(graphName: decl.name, prefix: "")
        let errorsBefore = errorCount
        activeGraphs = [decl.name]
        for input in decl.inputs { declareInput(input, kind: "input", scope: &scope, builder: &builder) }
        guard let outputs = lowerBody(decl, scope: &scope, builder: &builder), errorCount == errorsBefore else { return nil }
        builder.setOutputs(outputs)
        return verified(builder.finished())
    }

    /// `graph` if it verifies. A verifier complaint about freshly lowered IR is a frontend bug:
    /// reported like any error, never a crash.
    mutating func verified(_ graph: Graph) -> Graph? {
        do {
            try graph.verify()
        } catch {
            for diagnostic in error.diagnostics { report(diagnostic.message, at: diagnostic.location) }
            return nil
        }
        return graph
    }

    // MARK: Diagnostics

    /// Records an error, with a note for each graph call it happened inside.
    mutating func report(_ message: String, at location: SourceLocation) {
        errorCount += 1
        let diagnostic = Diagnostic(at: location, message)
        guard seen.insert(diagnostic).inserted, groups.count < Self.maxDiagnostics else { return }
        let notes = callStack.reversed().map { Diagnostic(.note, at: $0.site, "in call to '\($0.name)'") }
        groups.append([diagnostic] + notes)
    }

    /// Reports and returns the error to throw.
    mutating func fail(_ message: String, at location: SourceLocation) -> LoweringAbort {
        report(message, at: location)
        return LoweringAbort()
    }

    func sortedDiagnostics() -> DiagnosticError {
        let sorted = groups.enumerated().sorted { a, b in
            let (x, y) = (a.element[0].location, b.element[0].location)
            return (x.file, x.line, x.column, a.offset) < (y.file, y.line, y.column, b.offset)
        }
        return DiagnosticError(sorted.flatMap(\.element))
    }

    /// Evaluates a declared type, reporting dimensions that cannot be evaluated.
    mutating func evaluate(_ type: TypeExpr, scope: Scope, what: String) throws(LoweringAbort) -> TensorType {
        do {
            return try scope.dims.evaluate(type)
        } catch {
            throw fail(dimMessage(error, what: what), at: dimLocation(error))
        }
    }

    func dimMessage(_ error: DimError, what: String) -> String {
        switch error {
        case .unbound(let name, _): "dimension '\(name)' in the type of \(what) is not bound by the inputs or arguments"
        case .invalid(let message, _): message
        }
    }

    func dimLocation(_ error: DimError) -> SourceLocation {
        switch error {
        case .unbound(_, let location), .invalid(_, let location): location
        }
    }
}
