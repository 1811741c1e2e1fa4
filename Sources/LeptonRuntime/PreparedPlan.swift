import LeptonKernels

/// A graph prepared for one binding of its symbols: the memory plan, the arena it was laid
/// out in (allocated once), and every node as a ready-to-run step over fixed pointers.
final class PreparedPlan {
    let memory: MemoryPlan
    let arena: Arena
    private let preparer: Preparer
    private(set) var steps: [Step] = []
    /// Where each graph input is copied before a run.
    private(set) var inputSlots: [(name: String, pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    /// Where each graph output is read after a run.
    private(set) var outputs: [(pointer: UnsafeMutableRawPointer, dtype: DType, shape: [Int])] = []

    var fallbackOps: [Op] { preparer.fallbackOps }

    /// Lays out the arena as [planned values | input slots], resolves every value's address
    /// (views and in-place values share their source's), and prepares the steps in plan order.
    init(graph: Graph, memory: MemoryPlan, parameters: [ValueID: UnsafeMutableRawPointer], parameterBytes: Range<UnsafeMutableRawPointer>,
         parallelism: Parallelism = .serial) {
        self.memory = memory
        let shapes = graph.values.indices.map { memory.shapes[$0] ?? concreteShape(graph.type(of: $0), memory.bindings) }
        let bytes = { (id: ValueID) in shapes[id].reduce(1, *) * graph.type(of: id).dtype.byteSize }
        var inputOffsets: [Int] = []
        var size = aligned64(memory.arenaBytes)
        for id in graph.inputs {
            inputOffsets.append(size)
            size += aligned64(bytes(id))
        }
        arena = Arena(byteCount: size)
        preparer = Preparer(bindings: memory.bindings, parallelism: parallelism, constants: parameterBytes)
        var address = [UnsafeMutableRawPointer?](repeating: nil, count: graph.values.count)
        for (id, offset) in zip(graph.inputs, inputOffsets) {
            address[id] = arena.base + offset
            inputSlots.append((graph.name(of: id), arena.base + offset, bytes(id)))
        }
        for (id, pointer) in parameters { address[id] = pointer }
        var storage: [ValueID: MemoryPlan.Storage] = [:]
        for buffer in memory.buffers { storage[buffer.value] = buffer.storage }
        for index in memory.order {
            let node = graph.nodes[index]
            for id in node.outputs {
                address[id] = resolve(storage[id], bytes: bytes(id), address, parameterBytes)
            }
            let context = preparer.context(
                node, inputShapes: node.inputs.map { shapes[$0] }, inputTypes: node.inputs.map { graph.type(of: $0).dtype },
                outputShapes: node.outputs.map { shapes[$0] }, outputTypes: node.outputs.map { graph.type(of: $0).dtype },
                inputs: node.inputs.map { defined(address[$0]) }, outputs: node.outputs.map { defined(address[$0]) })
            steps.append(Step(node: index, location: node.location, body: preparer.prepare(context)))
        }
        preparer.scratch.allocate()
        outputs = graph.outputs.map { (defined(address[$0]), graph.type(of: $0).dtype, shapes[$0]) }
    }

    /// A node output's address under the plan. Values the plan left out, and in-place reuse
    /// that would land on a parameter, get private memory instead.
    private func resolve(_ storage: MemoryPlan.Storage?, bytes: Int, _ address: [UnsafeMutableRawPointer?],
                         _ parameterBytes: Range<UnsafeMutableRawPointer>) -> UnsafeMutableRawPointer {
        switch storage {
        case .arena(let offset):
            return arena.base + offset
        case .view(let source):
            return defined(address[source])
        case .inPlace(let source):
            let pointer = defined(address[source])
            return parameterBytes.contains(pointer) ? preparer.allocate(bytes) : pointer
        case nil:
            return preparer.allocate(bytes)
        }
    }

    private func defined(_ pointer: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer {
        guard let pointer else { preconditionFailure("value used before the plan defines it") }
        return pointer
    }
}
