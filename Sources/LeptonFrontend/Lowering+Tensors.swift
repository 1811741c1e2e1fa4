import LeptonIR

/// Tensor values spelled out in full: `tensor(...)` param initializers and large `constant`s.
///
///     param w: f32[1, 2] = tensor(value: [[1.0, 2.0]], dtype: f32)
///     param k: f32[64, 3] = tensor(dtype: f32, shape: [64, 3], base64: "…")
///     %0: f32[32] = constant(dtype: f32, shape: [32], base64: "…")
///
/// base64 holds the little-endian raw bytes, row-major (bools one byte each, 0 or 1).
extension Lowering {
    static let tensorFields = ["value", "dtype", "shape", "base64"]

    /// The tensor that `value` + `dtype`, or `dtype` + `shape` + `base64`, describe.
    mutating func lowerTensorFields(_ fields: [String: NamedArgument], in what: String, at location: SourceLocation,
                                    scope: Scope) throws(LoweringAbort) -> Tensor {
        guard let dtypeField = fields["dtype"] else { throw fail("\(what) needs a 'dtype'", at: location) }
        guard case .word(let word) = try evaluateConstant(dtypeField.value, scope: scope), let dtype = DType(rawValue: word) else {
            let valid = DType.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("'dtype' of \(what) must be one of \(valid)", at: dtypeField.value.location)
        }
        if let value = fields["value"] {
            if let extra = fields["shape"] ?? fields["base64"] {
                throw fail("\(what) takes either 'value' or 'shape' and 'base64', not both", at: extra.location)
            }
            return try makeTensor(try evaluateConstant(value.value, scope: scope), dtype: dtype, at: value.value.location)
        }
        guard let shapeField = fields["shape"], let dataField = fields["base64"] else {
            throw fail("\(what) needs 'value', or 'shape' and 'base64'", at: location)
        }
        let shape = try shapeList(shapeField, in: what, scope: scope)
        guard case .string(let text) = try evaluateConstant(dataField.value, scope: scope) else {
            throw fail("'base64' of \(what) must be a string", at: dataField.value.location)
        }
        guard let bytes = Base64.decode(text) else {
            throw fail("'base64' of \(what) is not valid base64", at: dataField.value.location)
        }
        do {
            return try Tensor(dtype: dtype, shape: shape, littleEndianBytes: bytes)
        } catch {
            throw fail("\(what): \(error.message)", at: dataField.value.location)
        }
    }

    /// `constant(dtype: f32, shape: [..], base64: "…")`: the attributes of that constant node.
    mutating func lowerEncodedConstant(_ arguments: [NamedArgument], at location: SourceLocation,
                                       scope: Scope) throws(LoweringAbort) -> Attributes {
        var fields: [String: NamedArgument] = [:]
        for argument in arguments {
            guard Self.tensorFields.contains(argument.name) else {
                throw fail("unknown attribute '\(argument.name)' for constant; valid attributes: value, dtype (or dtype, shape, base64)",
                           at: argument.location)
            }
            guard fields.updateValue(argument, forKey: argument.name) == nil else {
                throw fail("attribute '\(argument.name)' given twice", at: argument.location)
            }
        }
        let tensor = try lowerTensorFields(fields, in: "constant", at: location, scope: scope)
        return Attributes(["value": .tensor(tensor), "dtype": .dtype(tensor.dtype)])
    }

    private mutating func shapeList(_ field: NamedArgument, in what: String, scope: Scope) throws(LoweringAbort) -> [Int] {
        let message = "'shape' of \(what) must be a list of non-negative integers"
        guard case .list(let items) = try evaluateConstant(field.value, scope: scope) else {
            throw fail(message, at: field.value.location)
        }
        var shape: [Int] = []
        for item in items {
            guard case .int(let n) = item, n >= 0 else { throw fail(message, at: field.value.location) }
            shape.append(n)
        }
        return shape
    }
}
