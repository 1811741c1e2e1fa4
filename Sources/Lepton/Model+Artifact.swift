import Foundation

extension Model {
    /// The graph compiled into an artifact: optimized as `options` say, with a memory plan made
    /// for each of `bindings` (symbol sizes, e.g. `["N": 1]`; a graph without symbolic dims is
    /// always planned; other sizes are planned when first run) for `threads` threads, and the
    /// weights packed as those plans' kernels want them.
    public func artifact(graph name: String? = nil, options: OptimizationOptions = OptimizationOptions(),
                         bindings: [[String: Int]] = [], threads: Int? = nil) throws(DiagnosticError) -> Artifact {
        let optimized = try optimized(graph: name, options: options)
        let threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let executor = try Executor(graph: optimized.graph, parameters: optimized.parameters, threads: threads)
        let bindings = bindings.isEmpty && optimized.graph.inputSymbols.isEmpty ? [[:]] : bindings
        var plans: [MemoryPlan] = []
        for binding in bindings { plans.append(try executor.memoryPlan(for: binding)) }
        let level = options.passes.map { "passes " + $0.joined(separator: ",") } ?? "-O\(options.level)"
        return Artifact(graph: optimized.graph, parameters: optimized.parameters, plans: plans, executor: executor,
                        metadata: ["lepton": leptonVersion, "source": (path as NSString).lastPathComponent, "optimization": level])
    }
}

extension Artifact {
    /// Maps and checks the artifact at `path`; the artifact keeps the mapping (its weights run
    /// from there).
    public static func load(contentsOf path: String) throws(DiagnosticError) -> Artifact {
        let fileLocation = SourceLocation(file: path, line: 0, column: 0)
        let bytes: AlignedBytes
        do throws(TensorIOError) {
            bytes = try FileIO.map(path)
        } catch {
            throw DiagnosticError(at: fileLocation, error.message)
        }
        do throws(ArtifactError) {
            return try Artifact(decoding: bytes, path: path)
        } catch {
            throw DiagnosticError(at: fileLocation, error.message)
        }
    }

    /// Writes the artifact to `path` atomically.
    public func write(to path: String) throws(DiagnosticError) {
        do throws(TensorIOError) {
            try FileIO.writeAtomically(encoded(), to: path)
        } catch {
            throw DiagnosticError(at: SourceLocation(file: path, line: 0, column: 0), error.message)
        }
    }
}

extension CompiledGraph {
    /// A loaded artifact, ready to run: no passes run, its weights are used where they were
    /// read, its packed weights are adopted, and its memory plans are used as they are when
    /// they were made for this thread count.
    public convenience init(artifact: Artifact, threads: Int? = nil) throws(DiagnosticError) {
        let executor = try Executor(artifact: artifact, threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        self.init(executor: executor, plans: executor.usablePlans(of: artifact))
    }
}
