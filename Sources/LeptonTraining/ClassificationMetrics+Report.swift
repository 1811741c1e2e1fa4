import Foundation
import LeptonTensor

/// The metrics as text: an aligned table for a terminal, and JSON for scripts.
extension ClassificationMetrics {
    /// The accuracy line, a per-class table (precision, recall, F1, support; `-` where
    /// undefined) ending in the macro averages, and the confusion matrix, e.g.
    ///
    ///     accuracy 60.00% (6 of 10)
    ///
    ///     class  precision  recall      f1  support
    ///     0         0.6000  0.7500  0.6667        4
    ///     …
    ///     macro     0.7000  0.5833  0.5794       10
    ///
    ///     confusion matrix (rows: true class, columns: predicted class)
    ///        0  1  2
    ///     0  3  1  0
    ///     …
    public func table() -> String {
        let percent = String(format: "%.2f%%", 100 * accuracy)
        var scoreRows = [["class", "precision", "recall", "f1", "support"]]
        for (c, scores) in classes.enumerated() {
            scoreRows.append(["\(c)", Self.fixed(scores.precision), Self.fixed(scores.recall), Self.fixed(scores.f1), "\(scores.support)"])
        }
        scoreRows.append(["macro", Self.fixed(macroPrecision), Self.fixed(macroRecall), Self.fixed(macroF1), "\(sampleCount)"])
        var matrixRows = [[""] + (0..<classCount).map { "\($0)" }]
        for (c, row) in confusion.enumerated() { matrixRows.append(["\(c)"] + row.map { "\($0)" }) }
        return """
            accuracy \(percent) (\(correctCount) of \(sampleCount))

            \(Self.aligned(scoreRows))

            confusion matrix (rows: true class, columns: predicted class)
            \(Self.aligned(matrixRows))
            """
    }

    /// One JSON object (keys in this order; numbers as Swift prints a Double, which JSON reads
    /// back exactly; undefined or non-finite values as null):
    /// - the `extra` values, sorted by key (e.g. `"loss"`; they must not reuse a key below);
    /// - `samples`, `correct`, `accuracy` (a fraction, not a percentage), `classes` (the count);
    /// - `macro_precision`, `macro_recall`, `macro_f1`: means over the classes where defined;
    /// - `per_class`: an array of `{"class", "precision", "recall", "f1", "support"}`;
    /// - `confusion`: rows by true class, columns by predicted class.
    public func json(extra: [String: Double] = [:]) -> String {
        var fields: [(String, String)] = extra.keys.sorted().map { (Self.quoted($0), Self.number(extra[$0])) }
        let perClass = classes.enumerated().map { c, scores in
            "    {\"class\": \(c), \"precision\": \(Self.number(scores.precision)), \"recall\": \(Self.number(scores.recall)), "
                + "\"f1\": \(Self.number(scores.f1)), \"support\": \(scores.support)}"
        }
        let builtIn: [(String, String)] = [
            ("samples", "\(sampleCount)"), ("correct", "\(correctCount)"), ("accuracy", Self.number(accuracy)),
            ("classes", "\(classCount)"), ("macro_precision", Self.number(macroPrecision)),
            ("macro_recall", Self.number(macroRecall)), ("macro_f1", Self.number(macroF1)),
            ("per_class", "[\n" + perClass.joined(separator: ",\n") + "\n  ]"),
            ("confusion", "[" + confusion.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"),
        ]
        precondition(builtIn.allSatisfy { extra[$0.0] == nil }, "extra metrics reuse a built-in key")
        fields += builtIn.map { (Self.quoted($0.0), $0.1) }
        return "{\n" + fields.map { "  \($0.0): \($0.1)" }.joined(separator: ",\n") + "\n}"
    }
}

private extension ClassificationMetrics {
    /// Four decimals, or `-` when undefined.
    static func fixed(_ value: Double?) -> String {
        value.map { String(format: "%.4f", $0) } ?? "-"
    }

    /// A JSON number, or null for nil, NaN and infinities (JSON has neither).
    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return "\(value)"
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String { JSONText.quoted(text) }

    /// Columns padded to their widest cell, two spaces apart: the first left-aligned (labels),
    /// the rest right-aligned (numbers).
    static func aligned(_ rows: [[String]]) -> String {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { c, cell in
                let padding = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
