import LeptonIR
import LeptonTensor

/// A model's loss and predictions over a whole dataset (validation, `lepton eval`).
public struct Evaluation: Sendable {
    /// Mean of the batch losses weighted by batch size (the L2 term included when the block has one).
    public var loss: Double
    /// The model's first output over every sample, in dataset order.
    public var predictions: Tensor
    /// The first label array, when the block has labels.
    public var labels: Tensor?
    /// Classification metrics when the labels are classes (integer ids, or 0/1 targets of a
    /// binary cross-entropy).
    public var metrics: ClassificationMetrics?
    public var accuracy: Double? { metrics?.accuracy }
}

extension Trainer {
    /// Runs the forward pass (loss and outputs, no gradients) over `data` in batches.
    public func evaluate(_ data: Dataset, batchSize: Int) throws(DiagnosticError) -> Evaluation {
        let prepared = try prepare(data)
        guard batchSize >= 1 else { throw trainingError("the batch size must be at least 1, got \(batchSize)") }
        var batch: [Tensor] = []
        var outputs: [Tensor] = []
        var lossSum = 0.0
        var rows: [Double] = []
        var rowShape: [Int] = []
        let order = Array(0..<prepared.sampleCount)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let indices = order[start..<min(start + batchSize, order.count)]
            prepared.fillBatch(indices, into: &batch)
            try program.evaluate(batch + parameters, into: &outputs)
            lossSum += (outputs[0].doubles.first ?? .nan) * Double(indices.count)
            if outputs.count > 1 {
                rows += outputs[1].doubles
                rowShape = Array(outputs[1].shape.dropFirst())
            }
        }
        let count = prepared.sampleCount
        let predictions = Tensor(shape: [count] + rowShape, scalars: rows)
        let labels = spec.labelCount > 0 ? prepared[dataInputs[dataInputs.count - spec.labelCount].name] : nil
        var evaluation = Evaluation(loss: lossSum / Double(max(count, 1)), predictions: predictions, labels: labels)
        if let labels, isClassification(labels) {
            evaluation.metrics = try? ClassificationMetrics(outputs: predictions, labels: labels)
        }
        return evaluation
    }

    /// Whether accuracy means something: integer class labels, or a binary cross-entropy's targets.
    func isClassification(_ labels: Tensor) -> Bool {
        labels.dtype.isInteger || spec.loss.nodes.contains { $0.op == .binary_cross_entropy }
    }
}
