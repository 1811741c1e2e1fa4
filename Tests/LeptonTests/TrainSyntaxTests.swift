import Foundation
import Testing
import LeptonFrontend
import LeptonIR

// `train` blocks: parsing, lowering to TrainingSpec, printing. One-error cases live in
// Fixtures/diagnostics/train_*.graph, round-trip cases in Fixtures/roundtrip/train_*.graph.

private let netModel = """
    graph net(x: f32[N, 2]) -> (p: f32[N, 1]) {
      param w1: f32[2, 4] = glorot(seed: 1)
      param b1: f32[4] = zeros
      param w2: f32[4, 1] = glorot(seed: 2)
      param b2: f32[1] = zeros
      h = tanh(matmul(x, w1) + b1)
      p = sigmoid(matmul(h, w2) + b2)
    }

    """

private let netTraining = """
    train net(y: f32[N, 1]) {
      # binary cross-entropy, from ordinary ops
      ll = y * log(p) + (1.0 - y) * log(1.0 - p)
      loss = neg(reduce_mean(ll, keepdims: false))
      optimizer = adam(lr: 0.05)
      trainable = [w1, b1, w2, b2]
      l2 = 0.0001
    }

    """

private func lowered(_ source: String) -> Module? {
    switch lower(source) {
    case .success(let module): return module
    case .failure(let error):
        Issue.record("unexpected diagnostics:\n\(error.diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n"))")
        return nil
    }
}

private func names(_ values: some Sequence<ValueID>, in graph: Graph) -> [String] { values.map(graph.name(of:)) }
private func types(_ values: some Sequence<ValueID>, in graph: Graph) -> [String] { values.map { "\(graph.type(of: $0))" } }

@Test func trainBlockLowersToATrainingSpec() throws {
    let module = try #require(lowered(netModel + netTraining))
    let spec = try #require(module.training(for: "net"))
    #expect(module.training.count == 1)
    #expect(spec.model == "net")
    #expect(spec.loss.name == "net.loss")
    #expect(names(spec.loss.inputs, in: spec.loss) == ["p", "y"])
    #expect(types(spec.loss.inputs, in: spec.loss) == ["f32[N, 1]", "f32[N, 1]"])
    #expect(names(spec.loss.outputs, in: spec.loss) == ["loss"])
    #expect(types(spec.loss.outputs, in: spec.loss) == ["f32[]"])
    #expect(spec.loss.params.isEmpty)
    #expect(spec.labelCount == 1)
    #expect(names(spec.labelInputs, in: spec.loss) == ["y"])
    #expect(spec.trainable == ["w1", "b1", "w2", "b2"])
    #expect(spec.l2 == 0.0001)
    #expect(spec.location.line == 9 && spec.location.column == 1)
    let adam = spec.optimizer
    #expect(adam.kind == .adam && adam.learningRate == 0.05)
    #expect(adam.beta1 == 0.9 && adam.beta2 == 0.999 && adam.epsilon == 1e-8 && adam.weightDecay == 0)
}

@Test func trainBlockLeavesTheModelGraphAlone() throws {
    let alone = try #require(lowered(netModel))
    let trained = try #require(lowered(netModel + netTraining))
    #expect(trained.graphs.map { $0.withoutLocations() } == alone.graphs.map { $0.withoutLocations() })
    #expect(alone.training.isEmpty)
}

@Test func settingsDefaultWhenLeftOut() throws {
    // Block before its graph, no labels (an autoencoder's loss), a bare optimizer name.
    let module = try #require(lowered("""
        train ae() {
          d = recon - x_copy
          loss = reduce_mean(d * d, keepdims: false)
          optimizer = sgd
        }

        graph ae(x: f32[N, 3]) -> (recon: f32[N, 3], x_copy: f32[N, 3]) {
          param w: f32[3, 3] = glorot(seed: 1)
          recon = matmul(x, w)
          x_copy = identity(x)
        }
        """))
    let spec = try #require(module.training.first)
    #expect(spec.labelCount == 0)
    #expect(names(spec.loss.inputs, in: spec.loss) == ["recon", "x_copy"])
    #expect(spec.trainable == nil)
    #expect(spec.l2 == 0)
    #expect(spec.optimizer == OptimizerSpec(kind: .sgd))
    #expect(spec.optimizer.learningRate == 0.01 && spec.optimizer.momentum == 0 && !spec.optimizer.nesterov)
}

@Test func everyOptimizerArgumentIsRead() throws {
    func optimizer(_ text: String) throws -> OptimizerSpec {
        let source = "graph g(x: f32[2]) -> (y: f32[]) {\n  param w: f32[2] = ones\n  y = reduce_sum(x * w, keepdims: false)\n}\n"
            + "train g() {\n  loss = y\n  optimizer = \(text)\n}\n"
        return try #require(lowered(source)?.training.first?.optimizer)
    }
    #expect(try optimizer("sgd(lr: 0.1, momentum: 0.9, nesterov: true, weight_decay: 1e-4)")
        == OptimizerSpec(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4))
    #expect(try optimizer("adam(lr: 0.002, beta1: 0.8, beta2: 0.99, eps: 1e-6, weight_decay: 0.5)")
        == OptimizerSpec(kind: .adam, learningRate: 0.002, weightDecay: 0.5, beta1: 0.8, beta2: 0.99, epsilon: 1e-6))
    let adamw = try optimizer("adamw()")
    #expect(adamw.kind == .adamw && adamw.learningRate == 0.001 && adamw.weightDecay == 0.01)
    #expect(try optimizer("adam(lr: 1, beta1: 0)").learningRate == 1)
}

@Test func blocksKeepSourceOrderAndNamesMayBeQualified() throws {
    let module = try #require(lowered("""
        graph dense(x: f32[N, 2]) -> (y: f32[N, 2]) {
          param w: f32[2, 2] = glorot(seed: 1)
          y = matmul(x, w)
        }
        graph a(x: f32[N, 2]) -> (y: f32[N, 2]) {
          y = dense(x)
        }
        graph b(x: f32[N, 2]) -> (z: f32[N, 2]) {
          l1 = dense(x)
          z = dense(l1)
        }
        train b(t: f32[N, 2]) {
          loss = reduce_mean(z - t, keepdims: false)
          optimizer = sgd(lr: 0.5)
          trainable = [l1.w]
        }
        train a(t: f32[N, 2]) {
          loss = reduce_mean(y - t, keepdims: false)
          optimizer = adamw
        }
        """))
    #expect(module.training.map(\.model) == ["b", "a"])
    #expect(module.training.first?.trainable == ["l1.w"])
}

@Test func trainStaysAnOrdinaryNameInsideGraphs() throws {
    let module = try #require(lowered("""
        graph train(x: f32[2]) -> (y: f32[2]) {
          param w: f32[2] = ones
          train = x * w
          y = relu(train)
        }
        train train(label: i64[]) {
          loss = reduce_sum(y, keepdims: false)
          optimizer = sgd
        }
        """))
    #expect(module.graphs.map(\.name) == ["train"])
    #expect(module.training.first?.model == "train")
    #expect(module.training.first.map { types($0.labelInputs, in: $0.loss) } == ["i64[]"])
}

@Test func errorsOfOneBlockAreAllReported() throws {
    let source = netModel + """
        train net(y: f32[N, 1]) {
          loss = reduce_mean(p - y, keepdims: false)
          trainable = [w1, w3, w1]
          l2 = -1
        }
        """
    guard case .failure(let error) = lower(source) else {
        Issue.record("expected errors")
        return
    }
    #expect(error.diagnostics.map(\.description) == [
        "test.graph:9:1: error: train block for 'net' needs an optimizer, e.g. optimizer = adam(lr: 0.001)",
        "test.graph:11:20: error: 'w3' is not a param of 'net'; its params: w1, b1, w2, b2",
        "test.graph:11:24: error: param 'w1' is listed twice in trainable",
        "test.graph:12:8: error: l2 must be a number >= 0, got -1",
    ])
}

@Test func syntaxErrorsRecoverAtTheNextTrainBlock() throws {
    let source = netModel + """
        train net(y: f32[N, 1] {
          loss = y
        }
        train net2 y: f32[1]) {
        }
        train net(y: f32[N, 1]) {
          loss = reduce_mean(p - y, keepdims: false
        }
        """
    guard case .failure(let error) = lower(source) else {
        Issue.record("expected syntax errors")
        return
    }
    #expect(error.diagnostics.map(\.location.line) == [9, 12, 15])
}

@Test func printedBlocksWriteEveryOptimizerArgument() throws {
    let module = try #require(lowered(netModel + netTraining))
    let printed = Printer.print(module)
    #expect(printed.contains("""
        train net(y: f32[N, 1]) {
          %0: f32[N, 1] = log(p)
        """))
    #expect(printed.contains("  optimizer = adam(lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-08, weight_decay: 0.0)\n"))
    #expect(printed.hasSuffix("  trainable = [w1, b1, w2, b2]\n  l2 = 0.0001\n}\n"))
    let sgd = OptimizerSpec(kind: .sgd, momentum: 0.9, nesterov: true)
    #expect(Printer.text(of: sgd) == "sgd(lr: 0.01, momentum: 0.9, nesterov: true, weight_decay: 0.0)")
}

@Test func printedBlocksParseBackToTheSameSpecs() throws {
    let module = try #require(lowered(netModel + netTraining))
    let printed = Printer.print(module)
    let reparsed = try #require(lowered(printed))
    #expect(reparsed.training.map { $0.withoutLocations() } == module.training.map { $0.withoutLocations() })
    #expect(Printer.print(reparsed) == printed)
}

@Test func checkAcceptsAFileWithATrainBlock() throws {
    let result = try lepton("check", "train.graph")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.hasPrefix("gate(x: f32[N, 2]) -> (p: f32[N, 1])  params 2 (3 elements)  ops "))
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 2 && lines.last?.hasPrefix("train gate(") == true, "\(result.stdout)")
}
