import LeptonIR

/// A compile-time value as written: attribute values, initializer fields, literal tensors.
indirect enum Constant: CustomStringConvertible {
    case int(Int)
    /// Kept as text so an `f32` converts from the digits directly.
    case float(String)
    case bool(Bool)
    case string(String)
    /// A bare word: a choice (`same`) or a dtype (`f64`).
    case word(String)
    case list([Constant])

    var description: String {
        switch self {
        case .int(let n): "\(n)"
        case .float(let text): text
        case .bool(let b): "\(b)"
        case .string(let s): "\"\(s)\""
        case .word(let w): "'\(w)'"
        case .list(let items): "[\(items.map(\.description).joined(separator: ", "))]"
        }
    }

    var doubleValue: Double? {
        switch self {
        case .int(let n): Double(n)
        case .float(let text): Double(text)
        default: nil
        }
    }
}

extension Lowering {
    /// Evaluates an expression that must be known at compile time; compile-time arguments
    /// and dimension symbols of known size are substituted and `+ - * /` folded (`/` on ints
    /// is floor division).
    mutating func evaluateConstant(_ expr: Expr, scope: Scope) throws(LoweringAbort) -> Constant {
        switch expr.kind {
        case .number(let literal):
            guard literal.isFloat else {
                guard let n = Int(literal.text) else { throw fail("integer literal \(literal) is too large", at: expr.location) }
                return .int(n)
            }
            return .float(literal.text)
        case .bool(let value): return .bool(value)
        case .string(let text): return .string(text)
        case .name(let name):
            switch scope.dims.arguments[name] {
            case .int(let n): return .int(n)
            case .float(let x): return .float(x.description)
            case nil: break
            }
            // A dimension symbol bound by the inputs (`C` in `x: f32[N, C, H, W]`) is usable
            // wherever a compile-time int is, once its size is known: `group: C`.
            switch scope.dims.symbols[name] {
            case .fixed(let n): return .int(n)
            case .symbol(let symbol):
                throw fail("'\(name)' is the symbolic dimension \(symbol), unknown until run time; a compile-time value is needed here", at: expr.location)
            case nil: return .word(name)
            }
        case .list(let items):
            var values: [Constant] = []
            for item in items { values.append(try evaluateConstant(item, scope: scope)) }
            return .list(values)
        case .negate(let operand):
            return try fold(.sub, .int(0), try evaluateConstant(operand, scope: scope), at: expr.location)
        case .binary(let op, let lhs, let rhs):
            let a = try evaluateConstant(lhs, scope: scope)
            return try fold(op, a, try evaluateConstant(rhs, scope: scope), at: expr.location)
        case .call(let call):
            throw fail("expected a constant, got a call to '\(call.name)'", at: expr.location)
        }
    }

    private mutating func fold(_ op: BinaryOperator, _ a: Constant, _ b: Constant, at location: SourceLocation) throws(LoweringAbort) -> Constant {
        if case .int(let x) = a, case .int(let y) = b {
            guard let result = integerArithmetic(op, x, y) else {
                throw fail("cannot evaluate \(a) \(op.rawValue) \(b) at compile time", at: location)
            }
            return .int(result)
        }
        guard let x = a.doubleValue, let y = b.doubleValue else {
            throw fail("'\(op.rawValue)' needs numbers, got \(a) and \(b)", at: location)
        }
        let result = switch op {
        case .add: x + y
        case .sub: x - y
        case .mul: x * y
        case .div: x / y
        }
        return .float(result.description)
    }

    /// A literal expression as a `constant` node of `dtype` (its own default when nil).
    mutating func lowerLiteral(_ expr: Expr, dtype: DType?, scope: Scope, builder: inout GraphBuilder) throws(LoweringAbort) -> ValueID {
        let tensor = try makeTensor(try evaluateConstant(expr, scope: scope), dtype: dtype, at: expr.location)
        let attributes = Attributes(["value": .tensor(tensor), "dtype": .dtype(tensor.dtype)])
        return builder.addNode(.constant, [], attributes, results: [TensorType(tensor.dtype, fixed: tensor.shape)], at: expr.location)[0]
    }

    /// A (nested) list or scalar as a tensor. Without a dtype: bool for bools, f32 when any
    /// element is written as a float, i64 otherwise.
    mutating func makeTensor(_ value: Constant, dtype: DType?, at location: SourceLocation) throws(LoweringAbort) -> Tensor {
        var leaves: [Constant] = []
        guard let shape = shapeOf(value, leaves: &leaves) else { throw fail("ragged list literal \(value)", at: location) }
        let type = dtype ?? defaultDType(of: leaves)
        var ints: [Int64] = []
        var bools: [Bool] = []
        for leaf in leaves {
            switch (leaf, type) {
            case (.int, _) where type.isFloatingPoint, (.float, _) where type.isFloatingPoint:
                break  // converted from the text below, so an f32 never rounds through a Double
            case (.int(let n), _) where type.isInteger:
                guard type == .i64 || Int32(exactly: n) != nil else { throw fail("literal \(n) does not fit in \(type)", at: location) }
                ints.append(Int64(n))
            case (.float(let text), _) where type.isInteger:
                throw fail("literal \(text) is not an integer, but its type is \(type)", at: location)
            case (.bool(let b), .bool):
                bools.append(b)
            case (.bool(let b), _):
                throw fail("literal \(b) is a bool, but its type is \(type)", at: location)
            case (.int, .bool), (.float, .bool):
                throw fail("literal \(leaf) is a number, but its type is bool", at: location)
            default:
                throw fail("a literal tensor can only hold numbers and bools; \(leaf) is neither", at: location)
            }
        }
        let texts = leaves.map(\.description)
        switch type {
        case .f32: return Tensor(shape: shape, scalars: texts.map { Float($0) ?? .nan })
        case .f64: return Tensor(shape: shape, scalars: texts.map { Double($0) ?? .nan })
        case .i32: return Tensor(shape: shape, scalars: ints.map { Int32($0) })
        case .i64: return Tensor(shape: shape, scalars: ints)
        case .bool: return Tensor(shape: shape, scalars: bools)
        }
    }

    private func shapeOf(_ value: Constant, leaves: inout [Constant]) -> [Int]? {
        guard case .list(let items) = value else {
            leaves.append(value)
            return []
        }
        var inner: [Int]?
        for item in items {
            guard let shape = shapeOf(item, leaves: &leaves), inner == nil || inner == shape else { return nil }
            inner = shape
        }
        return [items.count] + (inner ?? [])
    }

    private func defaultDType(of leaves: [Constant]) -> DType {
        if leaves.contains(where: { if case .bool = $0 { true } else { false } }) { return .bool }
        return leaves.contains(where: { if case .float = $0 { true } else { false } }) ? .f32 : .i64
    }
}
