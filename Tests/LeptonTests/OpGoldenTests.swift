import Foundation
import LeptonIR
import LeptonReference
import LeptonTensor
import Testing

/// Every op's reference kernel against independent numpy oracles: the fixtures in
/// Fixtures/ops are written by `python3 Tools/gen_op_goldens.py` (see its header); rerun it after
/// changing the cases. Python never runs here.
@Suite struct OpGoldenTests {
    /// Ops deliberately without golden cases, each with the reason.
    static let skipped: [Op: String] = [
        .fused: "runs its body region; covered by the fusion passes' differential tests",
    ]

    @Test(arguments: GoldenManifest.cases)
    func kernelMatchesGolden(_ golden: GoldenCase) throws {
        guard let op = Op(rawValue: golden.op) else {
            Issue.record("\(golden.name): unknown op '\(golden.op)'")
            return
        }
        let attributes = try golden.attributes(for: op)
        let inputs = try golden.tensors("in", count: golden.inputs)
        let expected = try golden.tensors("out", count: golden.outputs)
        let actual: [Tensor]
        do {
            actual = try op.evaluate(inputs, attributes)
        } catch {
            Issue.record("\(golden.name): \(op.mnemonic) threw: \(error)")
            return
        }
        guard actual.count == expected.count else {
            Issue.record("\(golden.name): \(op.mnemonic) returned \(actual.count) outputs, expected \(expected.count)")
            return
        }
        for (index, (got, want)) in zip(actual, expected).enumerated() {
            if let problem = mismatch(got, want, rtol: golden.rtol, atol: golden.atol) {
                Issue.record("\(golden.name): output \(index): \(problem)")
            }
        }
    }

    /// The goldens double as shape-rule tests: `inferTypes` on the input types must give the
    /// golden outputs' types.
    @Test(arguments: GoldenManifest.cases)
    func shapeRuleMatchesGolden(_ golden: GoldenCase) throws {
        let op = try #require(Op(rawValue: golden.op), "\(golden.name): unknown op '\(golden.op)'")
        let attributes = try golden.attributes(for: op)
        let inputs = try golden.tensors("in", count: golden.inputs)
        let expected = try golden.tensors("out", count: golden.outputs).map { TensorType($0.dtype, fixed: $0.shape) }
        do {
            let inferred = try op.inferTypes(inputs.map { TensorType($0.dtype, fixed: $0.shape) }, attributes)
            #expect(inferred == expected, "\(golden.name): \(op.mnemonic) infers \(inferred), expected \(expected)")
        } catch {
            Issue.record("\(golden.name): \(op.mnemonic) shape rule threw: \(error.message)")
        }
    }

    @Test func manifestIsReadable() throws {
        let cases = try GoldenManifest.load()
        #expect(cases.count >= 200)
        #expect(Set(cases.map(\.name)).count == cases.count, "case names must be unique")
        for golden in cases {
            #expect(Op(rawValue: golden.op) != nil, "\(golden.name): unknown op '\(golden.op)'")
        }
    }

    /// A new op must come with golden cases (or a reason in `skipped`).
    @Test func everyOpHasAGoldenCase() throws {
        let covered = Set(try GoldenManifest.load().map(\.op))
        for op in Op.allCases where Self.skipped[op] == nil {
            #expect(covered.contains(op.rawValue), "no golden case for \(op): add one to Tools/gen_op_goldens.py")
        }
    }

    /// An attribute the schema does not know fails the case instead of becoming a default.
    @Test func unknownAttributeIsRejected() {
        let golden = GoldenCase(name: "typo", op: "softmax", attributes: ["axsi": .int(0)],
                                inputs: 1, outputs: 1, rtol: 0, atol: 0)
        #expect(throws: GoldenError.self) { try golden.attributes(for: .softmax) }
        let wrongKind = GoldenCase(name: "kind", op: "softmax", attributes: ["axis": .bool(true)],
                                   inputs: 1, outputs: 1, rtol: 0, atol: 0)
        #expect(throws: GoldenError.self) { try wrongKind.attributes(for: .softmax) }
    }

    @Test func comparisonDetectsDifferences() {
        let a = Tensor(shape: [2, 2], scalars: [1, 2, 3, Float.nan])
        #expect(mismatch(a, a, rtol: 0, atol: 0) == nil, "NaN matches NaN")
        let b = Tensor(shape: [2, 2], scalars: [1, 2, 3.5, Float.nan])
        let message = mismatch(b, a, rtol: 1e-5, atol: 1e-6)
        #expect(message?.contains("[1, 0]") == true && message?.contains("3.5") == true, "\(message ?? "nil")")
        #expect(mismatch(Tensor(shape: [2, 2], scalars: [1, 2, 3, Float.infinity]), a, rtol: 1, atol: 1) != nil)
        #expect(mismatch(a.reshaped([4]), a, rtol: 1, atol: 1) != nil, "shapes must match exactly")
        let ints = Tensor(shape: [2], scalars: [Int64(1) << 60, 0])
        let close = Tensor(shape: [2], scalars: [(Int64(1) << 60) + 1, 0])
        #expect(mismatch(ints, close, rtol: 1, atol: 1) != nil, "ints compare exactly")
        #expect(mismatch(Tensor(shape: [2], scalars: [Int32(1), 0]), Tensor(shape: [2], scalars: [Int64(1), 0]), rtol: 0, atol: 0) != nil)
    }
}
