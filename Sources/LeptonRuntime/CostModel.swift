/// A rough estimate of each node's run time on one thread, from its concrete shapes: flops for
/// the GEMM-like ops (matmul, gemm, linear, convolutions and conv2d_weight_grad, recurrences,
/// and fused bodies anchored on one of them), bytes read and written for everything else. The
/// scheduler only compares estimates with each other and with the cost of a fork-join, so the
/// constants need to be right within a factor of two or so, not exact.
enum CostModel {
    /// Single-thread GEMM throughput on medium shapes (~60 GFLOP/s on this AVX-512 machine).
    static let flopsPerNanosecond = 60
    /// Streaming throughput of elementwise and movement kernels (~5 GB/s per thread, mixed).
    static let bytesPerNanosecond = 5
    /// Fixed cost of one step (closure call, loop setup).
    static let stepNanoseconds = 200
    /// One fork-join. Measured at 10–13 µs with `concurrentPerform`; the `WorkerPool` joins in
    /// about half a microsecond when its workers are awake, but waking one costs tens, so the
    /// estimate stays conservative.
    static let forkJoinNanoseconds = 12_000

    /// Estimated nanoseconds for `node` on one thread under `shapes`.
    static func nanoseconds(_ node: Node, in graph: Graph, shapes: [ValueID: [Int]]) -> Int {
        let inputShapes = node.inputs.map { shapes[$0] ?? [] }
        let outputShapes = node.outputs.map { shapes[$0] ?? [] }
        let bytes = zip(node.inputs, inputShapes).reduce(0) { $0 + $1.1.reduce(1, *) * graph.type(of: $1.0).dtype.byteSize }
            + zip(node.outputs, outputShapes).reduce(0) { $0 + $1.1.reduce(1, *) * graph.type(of: $1.0).dtype.byteSize }
        var flops = flopCount(node.op, node.attributes, inputShapes, outputShapes.first ?? [])
        if node.op == .fused, let body = node.regions.first {
            // The body's inputs are the node's operands; an anchor's result has the node's shape.
            var bodyShapes: [ValueID: [Int]] = [:]
            for (id, shape) in zip(body.inputs, inputShapes) { bodyShapes[id] = shape }
            for inner in body.nodes {
                flops += flopCount(inner.op, inner.attributes, inner.inputs.map { bodyShapes[$0] ?? [] }, outputShapes.first ?? [])
            }
        }
        if MemoryPlan.isView(node.op) || node.op == .constant { return stepNanoseconds }
        return stepNanoseconds + flops / flopsPerNanosecond + bytes / bytesPerNanosecond
    }

    /// Multiply-adds times two for the GEMM-like ops; 0 for the rest (and for unknown shapes).
    static func flopCount(_ op: Op, _ attributes: Attributes, _ inputs: [[Int]], _ output: [Int]) -> Int {
        switch op {
        case .matmul, .linear, .gemm, .conv2d, .conv_transpose2d, .conv2d_weight_grad, .lstm, .gru:
            return op.flops(inputs: inputs, outputs: [output], attributes: attributes)
        default:
            return 0
        }
    }
}
