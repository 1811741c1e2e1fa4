import LeptonIR

/// `param NAME: TYPE = INIT`
extension Lowering {
    mutating func lowerParam(_ param: ParamDecl, scope: inout Scope, builder: inout GraphBuilder) throws(LoweringAbort) {
        guard !param.name.hasPrefix("%") else {
            throw fail("a param needs a name, not a temporary like '\(param.name)'", at: param.location)
        }
        let type = try evaluate(param.type, scope: scope, what: "param '\(param.name)'")
        let initializer = try lowerInitializer(param.initializer, of: param.name, type: type, scope: scope)
        let name = scope.qualified(param.name)
        guard !builder.isNameTaken(name) else { throw fail("duplicate name '\(name)'", at: param.location) }
        scope.values[param.name] = builder.addParam(name, type, initializer, at: param.location)
    }

    private static let initializers: [String: (operands: Int, fields: [String])] = [
        "zeros": (0, []), "ones": (0, []), "constant": (1, []), "uniform": (0, ["low", "high", "seed"]),
        "normal": (0, ["mean", "std", "seed"]), "glorot": (0, ["seed"]), "he": (0, ["seed"]), "load": (1, ["key"]),
        "tensor": (0, tensorFields),
    ]
    private static let initializerNames = "zeros, ones, constant, uniform, normal, glorot, he, load, tensor"

    private mutating func lowerInitializer(_ expr: Expr, of param: String, type: TensorType,
                                           scope: Scope) throws(LoweringAbort) -> Initializer {
        let call: Call
        switch expr.kind {
        case .name(let name): call = Call(name: name, operands: [], arguments: [])
        case .call(let c): call = c
        default: throw fail("expected an initializer (\(Self.initializerNames)) for param '\(param)'", at: expr.location)
        }
        let fields = try validatedFields(of: call, at: expr.location, param: param, type: type)
        let reader = FieldReader(fields: fields, initializer: call.name)
        switch call.name {
        case "zeros": return .zeros
        case "ones": return .ones
        case "constant": return .constant(try number(call.operands[0], scope: scope, what: "the value of constant"))
        case "uniform":
            return .uniform(low: try reader.number("low", 0, &self, scope), high: try reader.number("high", 1, &self, scope),
                            seed: try reader.seed(&self, scope))
        case "normal":
            return .normal(mean: try reader.number("mean", 0, &self, scope), std: try reader.number("std", 1, &self, scope),
                           seed: try reader.seed(&self, scope))
        case "glorot": return .glorot(seed: try reader.seed(&self, scope))
        case "he": return .he(seed: try reader.seed(&self, scope))
        case "tensor":
            let value = try lowerTensorFields(fields, in: "tensor initializer of '\(param)'", at: expr.location, scope: scope)
            let actual = TensorType(value.dtype, fixed: value.shape)
            guard actual == type else {
                throw fail("tensor initializer of '\(param)' is \(actual), but the param is declared \(type)", at: expr.location)
            }
            return .tensor(value)
        default:
            guard case .string(let path) = try evaluateConstant(call.operands[0], scope: scope) else {
                throw fail("initializer load expects a path string, as in load(\"w.npy\")", at: call.operands[0].location)
            }
            return .load(path: path, key: try reader.string("key", &self, scope))
        }
    }

    /// Checks the initializer's name, fields, operand count and fit to the param's type.
    private mutating func validatedFields(of call: Call, at location: SourceLocation, param: String,
                                          type: TensorType) throws(LoweringAbort) -> [String: NamedArgument] {
        guard let shape = Self.initializers[call.name] else {
            throw fail("unknown initializer '\(call.name)'; expected one of \(Self.initializerNames)", at: location)
        }
        var fields: [String: NamedArgument] = [:]
        for argument in call.arguments {
            guard shape.fields.contains(argument.name) else {
                let valid = shape.fields.isEmpty ? "it has none" : "valid fields: \(shape.fields.joined(separator: ", "))"
                throw fail("unknown field '\(argument.name)' for initializer \(call.name); \(valid)", at: argument.location)
            }
            fields[argument.name] = argument
        }
        guard call.operands.count == shape.operands else {
            let usage = switch call.name {
            case "load": "needs a path, as in load(\"w.npy\")"
            case "constant": "needs one value, as in constant(0.5)"
            default: "takes only named fields"
            }
            throw fail("initializer \(call.name) \(usage)", at: location)
        }
        if shape.fields.contains("seed") {
            guard type.dtype.isFloatingPoint else {
                throw fail("seeded initializer \(call.name) needs a floating-point param, '\(param)' is \(type.dtype)", at: location)
            }
            if call.name == "glorot" || call.name == "he", type.rank == 0 {
                throw fail("initializer \(call.name) needs a param of rank 1 or more, '\(param)' is a scalar", at: location)
            }
        }
        return fields
    }

    fileprivate mutating func number(_ expr: Expr, scope: Scope, what: String) throws(LoweringAbort) -> Double {
        let value = try evaluateConstant(expr, scope: scope)
        guard let x = value.doubleValue else { throw fail("\(what) must be a number, got \(value)", at: expr.location) }
        return x
    }
}

/// Reads the named fields of one initializer, with their defaults.
private struct FieldReader {
    var fields: [String: NamedArgument]
    var initializer: String

    func number(_ name: String, _ defaultValue: Double, _ lowering: inout Lowering, _ scope: Scope) throws(LoweringAbort) -> Double {
        guard let field = fields[name] else { return defaultValue }
        return try lowering.number(field.value, scope: scope, what: "field '\(name)' of \(initializer)")
    }

    func seed(_ lowering: inout Lowering, _ scope: Scope) throws(LoweringAbort) -> UInt64 {
        guard let field = fields["seed"] else { return 0 }
        guard case .int(let n) = try lowering.evaluateConstant(field.value, scope: scope), n >= 0 else {
            throw lowering.fail("field 'seed' of \(initializer) must be a non-negative integer", at: field.value.location)
        }
        return UInt64(n)
    }

    func string(_ name: String, _ lowering: inout Lowering, _ scope: Scope) throws(LoweringAbort) -> String? {
        guard let field = fields[name] else { return nil }
        guard case .string(let s) = try lowering.evaluateConstant(field.value, scope: scope) else {
            throw lowering.fail("field '\(name)' of \(initializer) must be a string", at: field.value.location)
        }
        return s
    }
}
