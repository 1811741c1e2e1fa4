import Foundation
import Testing
@testable import LeptonFrontend
@testable import LeptonReference
@testable import LeptonRuntime
import LeptonKernels
import LeptonPasses

/// Intra-op parallelism never changes a bit: every example graph (as written and at -O2) and
/// a few hand-written ones give exactly the outputs of one thread with 2 and 3 threads — both
/// with the default split threshold and with every kernel forced to split (`minimumChunkCost`
/// 1) — and again on a second run of the same executor. `Tensor ==` compares bits.
@Suite struct ExecutorThreadsTests {
    static let models: [(file: String, graph: String?, bindings: [String: Int])] = [
        ("mlp.graph", nil, ["N": 3]), ("lenet.graph", nil, ["N": 3]), ("resblock.graph", nil, ["N": 2]),
        ("lstm.graph", nil, [:]), ("transformer.graph", nil, ["B": 2]), ("textclf.graph", nil, ["N": 3]),
        ("cifar_cnn.graph", nil, ["N": 3]), ("face_cnn.graph", nil, ["N": 1]),
        ("mobilenet_v2.graph", "mobilenet_v2_blocks", ["N": 2]), ("mobilenet_v2.graph", nil, ["N": 1]),
    ]

    /// The split policies compared with one thread.
    static let policies = [2, 3].flatMap { [Parallelism(threads: $0), Parallelism(threads: $0, minimumChunkCost: 1)] }

    @Test(arguments: models.indices)
    func exampleGraphIsBitIdenticalForAnyThreadCount(_ index: Int) throws {
        let model = Self.models[index]
        let (graph, module) = try exampleGraph(model.file, named: model.graph)
        let optimized = try optimizedAtO2(graph, baseDirectory: module.baseDirectory, verifyEach: false)
        let inputs = randomInputs(graph, bindings: model.bindings)
        for variant in [graph, optimized] {
            let parameters = try materializeParameters(of: variant, baseDirectory: module.baseDirectory)
            try expectBitIdentical(variant, parameters: parameters, inputs, "\(model.file) \(variant.name)")
        }
    }

    @Test func handWrittenGraphsAreBitIdentical() throws {
        let sources = [
            """
            graph g(x: f32[3, 4, 9, 8]) -> (a: f32[3, 6, 5, 3], b: f32[3, 4, 9, 8], c: f32[3, 3, 19, 15], d: f32[3, 4, 9, 8]) {
              param w1: f32[6, 2, 3, 3] = glorot(seed: 1)
              param b1: f32[6] = uniform(seed: 2)
              param w2: f32[4, 1, 3, 3] = glorot(seed: 3)
              param w3: f32[4, 3, 3, 2] = glorot(seed: 4)
              param b3: f32[3] = uniform(seed: 5)
              param w4: f32[4, 4, 1, 1] = glorot(seed: 6)
              a = conv2d(x, w1, b1, strides: [2, 2], pads: [1, 0, 1, 1], dilations: [1, 2], group: 2)
              b = conv2d(x, w2, group: 4, padding: same)
              c = conv_transpose2d(x, w3, b3, strides: [2, 2], pads: [1, 0, 0, 1], output_padding: [1, 0])
              d = relu(conv2d(x, w4) + x)
            }
            """,
            """
            graph g(x: f64[3, 5, 7, 8]) -> (a: f64[3, 5, 4, 5], b: f64[3, 5, 4, 5], c: f64[3, 5, 1, 1], d: f64[3, 5, 7, 8]) {
              a = max_pool2d(x, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: true, dilations: [1, 1])
              b = avg_pool2d(x, kernel: [2, 3], strides: [2, 2], pads: [1, 1, 0, 1], count_include_pad: true, ceil_mode: true)
              c = global_avg_pool(x)
              d = max_pool2d(x, kernel: [3, 2], padding: same, dilations: [2, 1])
            }
            """,
            """
            graph g(x: f32[3, 3, 4, 5], s: f32[3], b: f32[3], m: f32[3], l: f32[4, 5]) -> (a: f32[3, 3, 4, 5], c: f32[3, 3, 4, 5], d: f32[3, 3, 4, 5], e: f32[3, 3, 4, 5], f: f32[3, 3, 4, 5], r: f32[3, 1, 1, 5], t: f32[5, 4, 3, 3], u: f32[1, 3, 4, 1], v: f32[3, 4, 5], w: f32[3, 3, 4, 10]) {
              a = batch_norm(x, s, b, m, abs(s) + 0.1, epsilon: 0.001)
              c = layer_norm(x, l, l, axis: -2)
              d = instance_norm(x, s, b)
              e = softmax(x, axis: 1)
              f = log_softmax(x)
              r = reduce_sum(x, axes: [1, 2], keepdims: true)
              t = transpose(exp(x) * 0.5 + sigmoid(x))
              u = reduce_max(x, axes: [0, 3], keepdims: true)
              v = reduce_mean(x, axes: [0], keepdims: false)
              w = concat(x, neg(x), axis: -1)
            }
            """,
        ]
        for source in sources {
            let graph = try parseGraph(source)
            let parameters = try materializeParameters(of: graph, baseDirectory: ".")
            try expectBitIdentical(graph, parameters: parameters, randomInputs(graph), "hand-written \(graph.outputs.count) outputs")
        }
    }

    /// A failing kernel fails the same way, whichever chunk hits the problem.
    @Test func integerDivisionByZeroFailsAlikeOnEveryThreadCount() throws {
        let graph = try parseGraph("graph g(x: i32[64, 64], y: i32[64, 64]) -> (z: i32[64, 64]) {\n  z = x / y\n}")
        var inputs = randomInputs(graph, intRange: 1..<5)
        inputs["y"] = Tensor(shape: [64, 64], scalars: (0..<4096).map { Int32($0 == 4000 ? 0 : 1 + $0 % 3) })
        var messages: [String] = []
        for policy in [Parallelism.serial] + Self.policies {
            let executor = try Executor(graph: graph, parameters: [], parallelism: policy)
            #expect(throws: DiagnosticError.self) { try executor.run(inputs) }
            do { _ = try executor.run(inputs) } catch { messages.append("\(error)") }
        }
        #expect(Set(messages).count == 1, "\(messages)")
    }

    @Test func defaultThreadsAreTheActiveProcessorCount() throws {
        let graph = try parseGraph("graph g(x: f32[4]) -> (y: f32[4]) {\n  y = relu(x)\n}")
        #expect(try Executor(graph: graph, parameters: []).threads == ProcessInfo.processInfo.activeProcessorCount)
        #expect(try Executor(graph: graph, parameters: [], threads: 3).threads == 3)
    }

    @Test func chunksCoverTheRangeInOrder() {
        for count in [1, 2, 5, 17, 100] {
            for chunks in 1...min(count, 7) {
                let ranges = (0..<chunks).map { Parallelism.range($0, of: chunks, count: count) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$0.isEmpty })
            }
        }
        #expect(Parallelism(threads: 4).chunks(1000, cost: 1) == 1)
        #expect(Parallelism(threads: 4).chunks(1000, cost: 1000) == 4)
        #expect(Parallelism(threads: 1).chunks(1000, cost: 1000) == 1)
        #expect(Parallelism(threads: 4, minimumChunkCost: 1).chunks(3, cost: 1) == 3)
    }

    /// One thread's outputs, then every policy's (run twice each) must equal them bit for bit.
    private func expectBitIdentical(_ graph: Graph, parameters: [Tensor], _ inputs: [String: Tensor], _ what: String,
                                    sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let serial = try Executor(graph: graph, parameters: parameters, parallelism: .serial)
        let expected = try serial.run(inputs)
        #expect(try serial.run(inputs) == expected, "\(what): one thread, second run", sourceLocation: sourceLocation)
        for policy in Self.policies {
            let executor = try Executor(graph: graph, parameters: parameters, parallelism: policy)
            for run in 1...2 {
                let actual = try executor.run(inputs)
                #expect(actual == expected, "\(what): \(policy.threads) threads (chunk cost \(policy.minimumChunkCost)), run \(run)",
                        sourceLocation: sourceLocation)
            }
        }
    }
}
