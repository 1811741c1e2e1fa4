import Testing
@testable import LeptonIR

/// `"f32[N, 3]"` as a TensorType (test shorthand).
func ty(_ text: String) -> TensorType {
    let open = text.firstIndex(of: "[")!
    let dtype = DType(rawValue: String(text[..<open]))!
    let inner = text[text.index(after: open)..<text.index(before: text.endIndex)]
    let dims: [Dim] = inner.split(separator: ",").map { part in
        let word = part.trimmingCharacters(in: " ")
        return Int(word).map(Dim.fixed) ?? .symbol(word)
    }
    return TensorType(dtype, dims)
}

/// The schema defaults of `op` with `overrides` on top: what a node of `op` carries.
func attributes(_ op: Op, _ overrides: [String: Attribute]) -> Attributes {
    var result = op.schema.defaults
    for (name, value) in overrides { result[name] = value }
    return result
}

/// The inferred output types, printed (`["f32[2, 3]"]`).
func infer(_ op: Op, _ inputs: [String], _ overrides: [String: Attribute] = [:]) throws(ShapeError) -> [String] {
    try op.inferTypes(inputs.map(ty), attributes(op, overrides)).map(\.description)
}

/// The error `op` reports for these operands, or nil when it accepts them.
func shapeError(_ op: Op, _ inputs: [String], _ overrides: [String: Attribute] = [:]) -> ShapeError? {
    do throws(ShapeError) {
        _ = try infer(op, inputs, overrides)
        return nil
    } catch {
        return error
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(self.drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
