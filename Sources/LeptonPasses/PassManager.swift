import LeptonIR

/// Runs a pipeline of passes and is the optimizer's debugging tool: it checks each pass, logs
/// which passes changed the graph, and can print the graph after any of them.
///
/// After every pass that reports a change, the manager renumbers temporaries
/// (`Graph.canonicalized()`), so passes may leave gaps and new `%` names behind. In debug
/// builds, and whenever `verifyEach` is set (tests set it), it also
/// - verifies the graph after each pass, reporting failures as "after pass 'NAME': verifier: …";
/// - holds each pass to its word: a pass that returns "unchanged" must return an equal graph
///   (XLA checks the same flag against a hash; an honest flag is what lets the log be trusted).
///
/// `--dump-after PASS|all` text, one block per selected pass, stays parseable `.graph` text:
///
///     # after fold (changed)
///     # note: fold: %7 not folded: 4194304 elements > limit 1048576
///     graph g(…) -> (…) {
///       …
///     }
public struct PassManager {
    /// Which passes to print the graph after.
    public enum DumpSelection: Hashable, Sendable {
        case none
        case all
        case passes(Set<String>)

        func includes(_ name: String) -> Bool {
            switch self {
            case .none: false
            case .all: true
            case .passes(let names): names.contains(name)
            }
        }
    }

    public var passes: [Pass]
    public var verifyEach: Bool
    public var dumpAfter: DumpSelection
    /// Receives each dump block (header, notes, printed graph).
    public var dump: (String) -> Void
    /// How dumps print (e.g. eliding large tensors).
    public var printOptions: PrintOptions

    public init(passes: [Pass], verifyEach: Bool = false, dumpAfter: DumpSelection = .none,
                dump: @escaping (String) -> Void = { Swift.print($0, terminator: "") }, printOptions: PrintOptions = .full) {
        self.passes = passes
        self.printOptions = printOptions
        self.verifyEach = verifyEach
        self.dumpAfter = dumpAfter
        self.dump = dump
    }

    /// Whether the checks run: always in debug builds, on request in release builds.
    var checks: Bool {
        #if DEBUG
        true
        #else
        verifyEach
        #endif
    }

    /// Runs every pass in order on `graph`; returns what each pass did.
    @discardableResult
    public func run(_ graph: inout Graph, context: inout PassContext) throws(DiagnosticError) -> [PassRecord] {
        var records: [PassRecord] = []
        for pass in passes {
            let before = graph
            let firstNote = context.notes.count
            var changed = try pass.run(&graph, &context)
            if checks, !changed, graph != before {
                throw DiagnosticError(at: graph.location,
                                      "after pass '\(pass.name)': the pass reported no change but changed the graph")
            }
            if changed {
                graph = graph.canonicalized()
                changed = graph != before
            }
            if checks, changed { try verify(graph, after: pass) }
            let record = PassRecord(pass: pass.name, changed: changed, notes: Array(context.notes[firstNote...]))
            records.append(record)
            if dumpAfter.includes(pass.name) { dump(record.dumpText(graph, options: printOptions)) }
        }
        return records
    }

    private func verify(_ graph: Graph, after pass: Pass) throws(DiagnosticError) {
        do {
            try graph.verify()
        } catch {
            throw DiagnosticError(error.diagnostics.map { diagnostic in
                var diagnostic = diagnostic
                diagnostic.message = "after pass '\(pass.name)': " + diagnostic.message
                return diagnostic
            })
        }
    }
}

/// What one pass did in one run: the manager's log line.
public struct PassRecord: Hashable, Sendable {
    public var pass: String
    public var changed: Bool
    /// The notes the pass added to the context.
    public var notes: [String]

    /// `# after NAME (changed|unchanged)`, one `# note: …` line per note, then the graph.
    public func dumpText(_ graph: Graph, options: PrintOptions = .full) -> String {
        var lines = ["# after \(pass) (\(changed ? "changed" : "unchanged"))"]
        lines += notes.map { "# note: \($0)" }
        return lines.joined(separator: "\n") + "\n" + Printer.print(graph, options: options)
    }
}
