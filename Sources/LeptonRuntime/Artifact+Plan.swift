import LeptonIR

/// The plans section: each memory plan the compiler made (per symbol binding), so a loaded
/// model runs without planning again. Shapes are not stored (they follow from the graph and
/// the bindings); a decoded plan must pass `MemoryPlan.validate()` before the executor uses
/// it, so corrupt offsets are refused instead of letting kernels write outside the arena.
enum PlanCoding {
    static func encode(_ plan: MemoryPlan, into w: inout ByteWriter) {
        let bindings = plan.bindings.sorted { $0.key < $1.key }
        w.int(bindings.count)
        for (symbol, size) in bindings {
            w.string(symbol)
            w.int(size)
        }
        w.ints(plan.order)
        w.int(plan.stages.count)
        for stage in plan.stages {
            w.int(stage.lanes.count)
            for lane in stage.lanes {
                w.int(lane.lowerBound)
                w.int(lane.upperBound)
            }
        }
        w.int(plan.buffers.count)
        for buffer in plan.buffers {
            w.int(buffer.value)
            w.int(buffer.bytes)
            w.int(buffer.firstStep)
            w.int(buffer.lastStep)
            switch buffer.storage {
            case .arena(let offset): w.u8(0); w.int(offset)
            case .view(let of): w.u8(1); w.int(of)
            case .inPlace(let of): w.u8(2); w.int(of)
            }
        }
        w.int(plan.arenaBytes)
        w.int(plan.naiveBytes)
        w.int(plan.lowerBoundBytes)
    }

    static func decode(_ r: inout ByteReader, graph: Graph) throws(ArtifactError) -> MemoryPlan {
        var bindings: [String: Int] = [:]
        for _ in 0..<(try r.count("bindings", bytesEach: 16)) {
            let symbol = try r.string("symbol")
            bindings[symbol] = try r.int("symbol size", in: 0...Int(Int32.max))
        }
        let order = try r.ints("plan order")
        var stages: [MemoryPlan.Stage] = []
        for _ in 0..<(try r.count("stages", bytesEach: 8)) {
            var lanes: [Range<Int>] = []
            for _ in 0..<(try r.count("lanes", bytesEach: 16)) {
                let low = try r.int("lane start", in: 0...order.count), high = try r.int("lane end", in: low...order.count)
                lanes.append(low..<high)
            }
            stages.append(MemoryPlan.Stage(lanes: lanes))
        }
        var buffers: [MemoryPlan.Buffer] = []
        let values = 0...max(graph.values.count - 1, 0)
        for _ in 0..<(try r.count("buffers", bytesEach: 41)) {
            let value = try r.int("buffer value", in: values)
            let bytes = try r.int("buffer bytes", in: 0...Int.max / 2)
            let first = try r.int("buffer first step", in: 0...order.count), last = try r.int("buffer last step", in: 0...order.count)
            let storage: MemoryPlan.Storage
            switch try r.u8("storage kind") {
            case 0: storage = .arena(offset: try r.int("arena offset", in: 0...Int.max / 2))
            case 1: storage = .view(of: try r.int("view source", in: values))
            case 2: storage = .inPlace(of: try r.int("in-place source", in: values))
            case let kind: throw r.fail("corrupt plan: storage kind \(kind)")
            }
            buffers.append(MemoryPlan.Buffer(value: value, bytes: bytes, firstStep: first, lastStep: last, storage: storage))
        }
        let arena = try r.int("arena bytes", in: 0...Int.max / 2)
        let naive = try r.int("naive bytes", in: 0...Int.max / 2), lower = try r.int("lower bound bytes", in: 0...Int.max / 2)
        let shapes: [ValueID: [Int]]
        do throws(DiagnosticError) {
            shapes = try ConcreteShapes.resolve(graph, bindings: bindings)
        } catch {
            throw r.fail("corrupt plan: \(error.diagnostics.first?.message ?? "its bindings do not fit the graph")")
        }
        let plan = MemoryPlan(graph: graph, order: order, stages: stages, shapes: shapes, bindings: bindings,
                              buffers: buffers, arenaBytes: arena, naiveBytes: naive, lowerBoundBytes: lower)
        do throws(PlanError) {
            try plan.validate()
        } catch {
            throw r.fail("corrupt plan for \(bindings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")): \(error)")
        }
        return plan
    }
}
