import LeptonIR

/// Named arguments of op calls, checked against the op's schema and coerced to its kinds.
extension Lowering {
    /// The complete attributes of one node: given values coerced, defaults filled in.
    mutating func lowerAttributes(_ arguments: [NamedArgument], of op: Op, at location: SourceLocation,
                                  scope: Scope) throws(LoweringAbort) -> Attributes {
        let schema = op.schema
        var result = schema.defaults
        var given = Set<String>()
        for argument in arguments {
            guard schema.attribute(named: argument.name) != nil else {
                let valid = schema.attributes.map(\.name).joined(separator: ", ")
                let hint = valid.isEmpty ? "; \(op) takes no attributes" : "; valid attributes: \(valid)"
                throw fail("unknown attribute '\(argument.name)' for \(op)\(hint)", at: argument.location)
            }
            guard given.insert(argument.name).inserted else {
                throw fail("attribute '\(argument.name)' given twice", at: argument.location)
            }
        }
        // `dtype` first: a constant's `value` is converted to it.
        for argument in arguments.filter({ $0.name == "dtype" }) + arguments.filter({ $0.name != "dtype" }) {
            let spec = schema.attribute(named: argument.name)!
            let tensorType = result["dtype"].flatMap { if case .dtype(let d) = $0 { d } else { nil } }
            result[argument.name] = try attributeValue(argument, spec, of: op, tensorType: tensorType, scope: scope)
        }
        if op == .constant, result["dtype"] == nil, case .tensor(let value) = result["value"] {
            result["dtype"] = .dtype(value.dtype)
        }
        for spec in schema.attributes where result[spec.name] == nil {
            throw fail("missing attribute '\(spec.name)' for \(op)", at: location)
        }
        // ONNX's "one output per element" split has a data-dependent result count in spirit;
        // the language asks for it to be spelled out.
        if op == .split, result["sizes"] == .ints([]), result["parts"] == .int(0) {
            throw fail("split needs attribute 'sizes' or 'parts'", at: location)
        }
        return result
    }

    private mutating func attributeValue(_ argument: NamedArgument, _ spec: AttributeSpec, of op: Op, tensorType: DType?,
                                         scope: Scope) throws(LoweringAbort) -> Attribute {
        let value = try evaluateConstant(argument.value, scope: scope)
        let location = argument.value.location
        func wrongKind(_ expected: String) -> LoweringAbort {
            fail("attribute '\(spec.name)' of \(op) expects \(expected), got \(value)", at: location)
        }
        switch spec.kind {
        case .int:
            guard case .int(let n) = value else { throw wrongKind("an int") }
            return .int(n)
        case .float:
            guard let x = value.doubleValue else { throw wrongKind("a float") }
            return .float(x)
        case .bool:
            guard case .bool(let b) = value else { throw wrongKind("true or false") }
            return .bool(b)
        case .ints:
            guard case .list(let items) = value else { throw wrongKind("a list of ints") }
            var ints: [Int] = []
            for item in items {
                guard case .int(let n) = item else { throw wrongKind("a list of ints") }
                ints.append(n)
            }
            return .ints(ints)
        case .floats:
            guard case .list(let items) = value else { throw wrongKind("a list of floats") }
            var floats: [Double] = []
            for item in items {
                guard let x = item.doubleValue else { throw wrongKind("a list of floats") }
                floats.append(x)
            }
            return .floats(floats)
        case .string:
            guard case .string(let s) = value else { throw wrongKind("a string") }
            return .string(s)
        case .dtype:
            guard case .word(let word) = value, let dtype = DType(rawValue: word) else {
                throw wrongKind("a dtype (\(DType.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .dtype(dtype)
        case .choice(let options):
            guard case .word(let word) = value, options.contains(word) else {
                throw fail("invalid value \(value) for attribute '\(spec.name)' of \(op); expected one of \(options.joined(separator: ", "))",
                           at: location)
            }
            return .choice(word)
        case .tensor:
            return .tensor(try makeTensor(value, dtype: tensorType, at: location))
        }
    }
}
