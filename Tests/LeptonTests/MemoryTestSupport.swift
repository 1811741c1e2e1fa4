import Foundation
import Testing
import LeptonFrontend
import LeptonIR
import LeptonRuntime

/// Shared helpers for the memory-plan tests.
enum MemoryTesting {
    /// The entry graph of `.graph` source text.
    static func graph(_ source: String, path: String = "test.graph") throws -> Graph {
        let module = try Frontend.parse(source: source, path: path)
        return try #require(module.entry)
    }

    static func plan(_ source: String, _ bindings: [String: Int] = [:]) throws -> MemoryPlan {
        try planMemory(try graph(source), bindings: bindings)
    }

    /// The validator's complaint about `plan`, or nil when it accepts it.
    static func complaint(_ plan: MemoryPlan) -> String? {
        do throws(PlanError) {
            try plan.validate()
            return nil
        } catch {
            return error.message
        }
    }

    /// The index in `plan.buffers` of the value named `name`.
    static func slot(_ plan: MemoryPlan, _ name: String) throws -> Int {
        try #require(plan.buffers.firstIndex { plan.graph.name(of: $0.value) == name }, "no buffer named \(name)")
    }
}

/// Runs a plan on a model of the arena — each 64-byte granule remembers which value's content it
/// holds — and checks that every read finds the content it expects: an end-to-end check of
/// the plan, independent of the validator. Valid for the planner's plans, whose blocks are
/// whole granules (offsets aligned, sizes rounded up in placement).
enum PlanSimulator {
    static func firstClobber(_ plan: MemoryPlan) -> String? {
        let granule = MemoryPlan.alignment
        var arena = [Int](repeating: -1, count: (plan.arenaBytes + granule - 1) / granule)
        let buffers = Dictionary(uniqueKeysWithValues: plan.buffers.map { ($0.value, $0) })
        /// The granules holding `value` and the content (value id) a read should find there.
        func location(_ value: ValueID) -> (Range<Int>, Int)? {
            guard let buffer = buffers[value], buffer.bytes > 0 else { return nil }
            switch buffer.storage {
            case .arena(let offset):
                return (offset / granule ..< (offset + buffer.bytes + granule - 1) / granule, value)
            case .view(let source):
                return location(source)
            case .inPlace(let source):
                return location(source).map { ($0.0, value) }
            }
        }
        func read(_ value: ValueID, at step: Int) -> String? {
            guard let (range, content) = location(value) else { return nil }
            guard range.allSatisfy({ arena[$0] == content }) else {
                return "step \(step) reads \(plan.graph.name(of: value)) but its bytes were overwritten"
            }
            return nil
        }
        for (step, index) in plan.order.enumerated() {
            let node = plan.graph.nodes[index]
            for id in node.inputs { if let problem = read(id, at: step) { return problem } }
            for id in node.outputs {
                guard let (range, content) = location(id) else { continue }
                for g in range { arena[g] = content }
            }
        }
        for id in plan.graph.outputs { if let problem = read(id, at: plan.order.count) { return problem } }
        return nil
    }
}
