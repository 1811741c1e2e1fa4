import Foundation

extension Model {
    /// The graph compiled into an artifact: optimized as `options` say, with a memory plan made
    /// for each of `bindings` (symbol sizes, e.g. `["N": 1]`; sizes not planned here are planned
    /// when first run) for `threads` threads.
    public func artifact(graph name: String? = nil, options: OptimizationOptions = OptimizationOptions(),
                         bindings: [[String: Int]] = [], threads: Int? = nil) throws(DiagnosticError) -> Artifact {
        let optimized = try optimized(graph: name, options: options)
        let threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let executor = try Executor(graph: optimized.graph, parameters: optimized.parameters, threads: threads)
        var plans: [MemoryPlan] = []
        for binding in bindings { plans.append(try executor.memoryPlan(for: binding)) }
        var graph = optimized.graph
        for (index, tensor) in optimized.parameters.enumerated() { graph.params[index].initializer = .tensor(tensor) }
        let level = options.passes.map { "passes " + $0.joined(separator: ",") } ?? "-O\(options.level)"
        return Artifact(graph: graph, parameters: optimized.parameters, plans: plans, planThreads: executor.planThreads,
                        metadata: ["lepton": leptonVersion, "source": (path as NSString).lastPathComponent, "optimization": level])
    }
}

extension Artifact {
    /// Reads and checks the artifact at `path`.
    public static func load(contentsOf path: String) throws(DiagnosticError) -> Artifact {
        let fileLocation = SourceLocation(file: path, line: 0, column: 0)
        let bytes: [UInt8]
        do throws(TensorIOError) {
            bytes = try FileIO.readBytes(path)
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
    /// A loaded artifact, ready to run: no passes run, and its memory plans are used as they are
    /// when they were made for this thread count.
    public convenience init(artifact: Artifact, threads: Int? = nil) throws(DiagnosticError) {
        let threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let executor = try Executor(graph: artifact.graph, parameters: artifact.parameters, threads: threads)
        let plans = executor.planThreads == artifact.planThreads ? artifact.plans : []
        for plan in plans { try executor.adopt(plan) }
        self.init(optimized: OptimizedGraph(graph: artifact.graph, records: [], parameters: artifact.parameters), executor: executor,
                  plans: plans)
    }
}
