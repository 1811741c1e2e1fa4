import Foundation
import Testing
import LeptonTensor
import LeptonTraining

// A hand-made 3-class example. Labels 0 0 0 0 1 1 1 2 2 2; the scores' argmax (ties to the
// lowest class, rows 1, 2 and 5) predicts 0 0 0 1 1 1 0 2 1 0. Checked by hand:
//   confusion [[3, 1, 0], [1, 2, 0], [1, 1, 1]], accuracy 6/10
//   precision 3/5, 2/4, 1/1     recall 3/4, 2/3, 1/3     f1 2/3, 4/7, 1/2
//   macro precision 0.7, recall 1.75/3 = 0.58333, f1 (2/3 + 4/7 + 1/2)/3 = 0.57937
private let scores = Tensor(shape: [10, 3], scalars: [Float](
    [2, 1, 0.5, 0.3, 0.3, 0.1, 5, -1, 5, 0.1, 0.8, 0.1, 0, 1, 0,
     0.2, 0.5, 0.5, 0.9, 0.05, 0.05, 0, 0, 1, -1, 2, 1, 3, 2, 1]))
private let labels = Tensor(shape: [10], scalars: [Int64(0), 0, 0, 0, 1, 1, 1, 2, 2, 2])

@Suite struct ClassificationMetricsTests {
    @Test func handMadeThreeClassExample() throws {
        let metrics = try ClassificationMetrics(outputs: scores, labels: labels)
        #expect(metrics.confusion == [[3, 1, 0], [1, 2, 0], [1, 1, 1]])
        #expect(metrics.accuracy == 0.6 && metrics.correctCount == 6 && metrics.sampleCount == 10)
        let (precision, recall): ([Double?], [Double?]) = ([0.6, 0.5, 1], [0.75, 2.0 / 3, 1.0 / 3])
        #expect(metrics.classes.map(\.precision) == precision)
        #expect(metrics.classes.map(\.recall) == recall)
        let f1 = metrics.classes.compactMap(\.f1)
        #expect(f1.count == 3 && abs(f1[0] - 2.0 / 3) < 1e-12 && abs(f1[1] - 4.0 / 7) < 1e-12 && abs(f1[2] - 0.5) < 1e-12)
        #expect(metrics.classes.map(\.support) == [4, 3, 3])
        #expect(abs((metrics.macroPrecision ?? 0) - 0.7) < 1e-12)
        #expect(abs((metrics.macroRecall ?? 0) - 1.75 / 3) < 1e-12)
        #expect(abs((metrics.macroF1 ?? 0) - (2.0 / 3 + 4.0 / 7 + 0.5) / 3) < 1e-12)
    }

    @Test func tableIsAlignedForATerminal() throws {
        let metrics = try ClassificationMetrics(outputs: scores, labels: labels)
        #expect(metrics.table() == """
            accuracy 60.00% (6 of 10)

            class  precision  recall      f1  support
            0         0.6000  0.7500  0.6667        4
            1         0.5000  0.6667  0.5714        3
            2         1.0000  0.3333  0.5000        3
            macro     0.7000  0.5833  0.5794       10

            confusion matrix (rows: true class, columns: predicted class)
               0  1  2
            0  3  1  0
            1  1  2  0
            2  1  1  1
            """)
    }

    @Test func jsonParsesBackWithUndefinedScoresAsNull() throws {
        // Class 2 is never predicted: its precision and F1 are undefined.
        let metrics = ClassificationMetrics(predictions: [0, 1, 1, 0], labels: [0, 1, 2, 0], classCount: 3)
        let text = metrics.json(extra: ["loss": 0.25, "seconds": .nan])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["loss"] as? Double == 0.25)
        #expect(object["seconds"] is NSNull)
        #expect(object["accuracy"] as? Double == 0.75)
        #expect(object["samples"] as? Int == 4 && object["correct"] as? Int == 3 && object["classes"] as? Int == 3)
        #expect(object["confusion"] as? [[Int]] == [[2, 0, 0], [0, 1, 0], [0, 1, 0]])
        let perClass = try #require(object["per_class"] as? [[String: Any]])
        #expect(perClass.count == 3)
        #expect(perClass[2]["precision"] is NSNull && perClass[2]["f1"] is NSNull)
        #expect(perClass[2]["recall"] as? Double == 0 && perClass[2]["support"] as? Int == 1)
        #expect(perClass[1]["precision"] as? Double == 0.5 && perClass[1]["class"] as? Int == 1)
        #expect(object["macro_precision"] as? Double == 0.75)  // over classes 0 and 1 only
        #expect(text.hasPrefix("{\n  \"loss\": 0.25,\n  \"seconds\": null,\n  \"samples\": 4,"))
    }

    @Test func oneProbabilityColumnIsTwoClasses() throws {
        let probabilities = Tensor(shape: [5, 1], scalars: [Float(0.9), 0.5, 0.2, 0.51, 0.7])
        let metrics = try ClassificationMetrics(outputs: probabilities, labels: Tensor(shape: [5, 1], scalars: [Float(1), 1, 0, 0, 1]))
        #expect(metrics.confusion == [[1, 1], [1, 2]])  // 0.5 is not above the threshold
        let flat = try ClassificationMetrics(outputs: probabilities.reshaped([5]), labels: Tensor(shape: [5], scalars: [Int32(1), 1, 0, 0, 1]))
        #expect(flat == metrics)
    }

    @Test func rejectsLabelsThatAreNotClasses() {
        #expect(throws: TrainingError("label 3 of sample 2 is not a class in 0..<3")) {
            try ClassificationMetrics(outputs: Tensor.zeros(.f32, shape: [3, 3]), labels: Tensor(shape: [3], scalars: [Int64(0), 1, 3]))
        }
        #expect(throws: TrainingError("label 0.5 of sample 1 is not 0 or 1 for a probability output")) {
            try ClassificationMetrics(outputs: Tensor.zeros(.f32, shape: [2, 1]), labels: Tensor(shape: [2], scalars: [Float(1), 0.5]))
        }
        #expect(throws: TrainingError("expected labels [3] or [3, 1] for outputs f32[3, 4], got i64[4]")) {
            try ClassificationMetrics(outputs: Tensor.zeros(.f32, shape: [3, 4]), labels: Tensor.zeros(.i64, shape: [4]))
        }
        #expect(throws: TrainingError("expected outputs [N, C] of class scores or [N] or [N, 1] of probabilities, N ≥ 1; got f32[2, 3, 4]")) {
            try ClassificationMetrics(outputs: Tensor.zeros(.f32, shape: [2, 3, 4]), labels: Tensor.zeros(.i64, shape: [2]))
        }
    }
}
