import LeptonTensor

/// How well a classifier's outputs match the labels: accuracy, the confusion matrix, and per
/// class precision, recall, F1 and support with their macro averages — what `lepton eval`
/// prints and what the trainer reports as validation accuracy.
///
/// Outputs are read one of two ways:
/// - scores `[N, C]` (logits, probabilities, anything where the largest wins), C ≥ 2, with
///   class labels `[N]` (or `[N, 1]`) in 0..<C: the prediction is the argmax, ties going to
///   the lowest class (a NaN score never beats an earlier one);
/// - one probability per sample, `[N]` or `[N, 1]`, with labels 0 or 1 (integer or float):
///   two classes, the prediction is 1 when the probability is above 0.5.
public struct ClassificationMetrics: Sendable, Equatable {
    /// Per-class scores; a score is nil where it is undefined (0 / 0).
    public struct ClassScores: Sendable, Equatable {
        /// Of the samples predicted as this class, the fraction that are; nil if none were.
        public var precision: Double?
        /// Of the samples of this class, the fraction predicted as it; nil if there are none.
        public var recall: Double?
        /// 2·P·R / (P + R); nil if P or R is, 0 when both are 0.
        public var f1: Double?
        /// How many samples have this class as their label.
        public var support: Int
    }

    /// `confusion[label][prediction]`: how many samples of class `label` were predicted as
    /// class `prediction`.
    public let confusion: [[Int]]
    /// Scores for each class, indexed by class.
    public let classes: [ClassScores]

    /// How many classes (2 for one probability per sample).
    public var classCount: Int { confusion.count }
    /// How many samples were scored.
    public var sampleCount: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }
    /// How many were predicted right (the confusion matrix's diagonal).
    public var correctCount: Int { confusion.indices.reduce(0) { $0 + confusion[$1][$1] } }
    /// The fraction predicted right.
    public var accuracy: Double { Double(correctCount) / Double(sampleCount) }
    /// The mean precision over the classes where it is defined; nil if it is nowhere.
    public var macroPrecision: Double? { Self.mean(classes.compactMap(\.precision)) }
    /// The mean recall over the classes where it is defined; nil if it is nowhere.
    public var macroRecall: Double? { Self.mean(classes.compactMap(\.recall)) }
    /// The mean F1 over the classes where it is defined; nil if it is nowhere.
    public var macroF1: Double? { Self.mean(classes.compactMap(\.f1)) }

    /// Metrics from predicted and true class indices, each in 0..<classCount, at least one
    /// sample. Anything else is a bug in the caller and stops the program.
    public init(predictions: [Int], labels: [Int], classCount: Int) {
        precondition(predictions.count == labels.count && !labels.isEmpty && classCount > 0,
                     "metrics need as many predictions as labels, at least one")
        var confusion = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
        for (prediction, label) in zip(predictions, labels) {
            precondition((0..<classCount).contains(prediction) && (0..<classCount).contains(label),
                         "class index outside 0..<\(classCount)")
            confusion[label][prediction] += 1
        }
        self.confusion = confusion
        classes = (0..<classCount).map { Self.scores(of: $0, in: confusion) }
    }

    /// Metrics from a model's outputs and the labels (see the type's summary for the two
    /// forms). Throws when shapes do not fit or a label is not a class.
    public init(outputs: Tensor, labels: Tensor) throws(TrainingError) {
        let samples = outputs.shape.first ?? 0
        guard samples > 0, outputs.rank <= 2, outputs.count > 0 else {
            throw TrainingError("expected outputs [N, C] of class scores or [N] or [N, 1] of probabilities, N ≥ 1; got \(outputs.dtype)\(outputs.shape)")
        }
        guard labels.shape == [samples] || labels.shape == [samples, 1] else {
            throw TrainingError("expected labels [\(samples)] or [\(samples), 1] for outputs \(outputs.dtype)\(outputs.shape), got \(labels.dtype)\(labels.shape)")
        }
        let classCount = outputs.rank == 2 && outputs.shape[1] > 1 ? outputs.shape[1] : 2
        let predictions = classCount == 2 && outputs.count == samples
            ? outputs.doubles.map { $0 > 0.5 ? 1 : 0 }
            : Self.argmaxRows(outputs.doubles, columns: classCount)
        self.init(predictions: predictions, labels: try Self.classIndices(labels, classCount: classCount,
                                                                          binary: outputs.count == samples),
                  classCount: classCount)
    }
}

private extension ClassificationMetrics {
    static func scores(of c: Int, in confusion: [[Int]]) -> ClassScores {
        let truePositives = confusion[c][c]
        let predicted = confusion.reduce(0) { $0 + $1[c] }
        let support = confusion[c].reduce(0, +)
        let precision = predicted == 0 ? nil : Double(truePositives) / Double(predicted)
        let recall = support == 0 ? nil : Double(truePositives) / Double(support)
        var f1: Double?
        if let p = precision, let r = recall { f1 = p + r == 0 ? 0 : 2 * p * r / (p + r) }
        return ClassScores(precision: precision, recall: recall, f1: f1, support: support)
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }

    /// Each row's first largest column.
    static func argmaxRows(_ scores: [Double], columns: Int) -> [Int] {
        stride(from: 0, to: scores.count, by: columns).map { start in
            var best = 0
            for c in 1..<columns where scores[start + c] > scores[start + best] { best = c }
            return best
        }
    }

    /// The labels as class indices; float labels must be whole numbers.
    static func classIndices(_ labels: Tensor, classCount: Int, binary: Bool) throws(TrainingError) -> [Int] {
        var indices: [Int] = []
        indices.reserveCapacity(labels.count)
        for (sample, value) in labels.doubles.enumerated() {
            let text = labels.dtype.isFloatingPoint ? "\(value)" : "\(Int64(value))"
            guard value.rounded() == value, value >= 0, value < Double(classCount) else {
                let expected = binary ? "0 or 1 for a probability output" : "a class in 0..<\(classCount)"
                throw TrainingError("label \(text) of sample \(sample) is not \(expected)")
            }
            indices.append(Int(value))
        }
        return indices
    }
}
