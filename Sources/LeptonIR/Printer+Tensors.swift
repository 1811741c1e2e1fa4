/// Tensor values in `.graph` text. Small tensors read best as nested literals; large ones
/// (compiler-made weights, folded constants) would flood the text, so they are written as
/// little-endian raw bytes in base64, which also keeps every bit (NaN payloads included):
///
///     tensor(value: [[1.0, 2.0]], dtype: f32)
///     tensor(dtype: f32, shape: [64, 3, 3, 3], base64: "AACAPwAAAEA…")
///     tensor(dtype: f32, shape: [64, 3, 3, 3], elided)        // PrintOptions, not parseable
///
/// `constant` nodes use the same arguments: `constant(dtype: f32, shape: [32], base64: "…")`.
extension Printer {
    /// Tensors with at most this many elements print as nested literals.
    public static let literalTensorLimit = 16

    /// A tensor as a (nested) literal: `0.5`, `[[1, 2], [3, 4]]`.
    public static func text(of tensor: Tensor) -> String {
        let scalars: [String] = switch tensor.storage {
        case .f32(let a): a.map { "\($0)" }
        case .f64(let a): a.map { "\($0)" }
        case .i32(let a): a.map { "\($0)" }
        case .i64(let a): a.map { "\($0)" }
        case .bool(let a): a.map { "\($0)" }
        }
        var index = 0
        return nested(scalars, shape: tensor.shape[...], index: &index)
    }

    /// The arguments of `tensor(...)` / `constant(...)` for `value`, in the form the options
    /// and its size call for.
    static func tensorArguments(_ value: Tensor, options: PrintOptions) -> [String] {
        if isLiteralForm(value, options: options) {
            return ["value: \(text(of: value))", "dtype: \(value.dtype)"]
        }
        let head = ["dtype: \(value.dtype)", "shape: [\(value.shape.map(String.init).joined(separator: ", "))]"]
        if let limit = options.elideTensorsLargerThan, value.count > limit {
            return head + ["elided"]
        }
        return head + ["base64: \(quoted(Base64.encode(value.littleEndianBytes)))"]
    }

    /// Whether `value` prints as a nested literal that parses back to exactly the same tensor:
    /// small, not elided, a shape the nesting determines (a zero dimension only last), and no
    /// NaN payloads a literal cannot spell.
    static func isLiteralForm(_ value: Tensor, options: PrintOptions) -> Bool {
        guard value.count <= literalTensorLimit else { return false }
        if let limit = options.elideTensorsLargerThan, value.count > limit { return false }
        if let zero = value.shape.firstIndex(of: 0), zero != value.shape.count - 1 { return false }
        switch value.storage {
        case .f32(let a): return a.allSatisfy { !$0.isNaN || $0.bitPattern & 0x003F_FFFF == 0 }
        case .f64(let a): return a.allSatisfy { !$0.isNaN || $0.bitPattern & 0x0007_FFFF_FFFF_FFFF == 0 }
        case .i32, .i64, .bool: return true
        }
    }

    private static func nested(_ scalars: [String], shape: ArraySlice<Int>, index: inout Int) -> String {
        guard let count = shape.first else {
            defer { index += 1 }
            return scalars[index]
        }
        let items = (0..<count).map { _ in nested(scalars, shape: shape.dropFirst(), index: &index) }
        return "[\(items.joined(separator: ", "))]"
    }
}
