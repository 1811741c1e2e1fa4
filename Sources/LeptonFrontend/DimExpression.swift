import LeptonIR

/// A compile-time argument's value at one instantiation of a template.
enum CompileValue: Sendable, CustomStringConvertible {
    case int(Int)
    case float(Double)

    var description: String {
        switch self {
        case .int(let n): "\(n)"
        case .float(let x): "\(x)"
        }
    }
}

/// Why a dimension expression has no value.
enum DimError: Error {
    /// A name that is neither a compile-time argument nor a bound symbol.
    case unbound(String, SourceLocation)
    case invalid(String, SourceLocation)
}

/// What dimension expressions of one graph instance can refer to: the compile-time
/// arguments and the symbols bound so far (from the inputs, or from inference).
struct DimEnvironment: Sendable {
    var arguments: [String: CompileValue] = [:]
    /// Symbol in the graph's text -> the dimension it stands for in the graph being built.
    var symbols: [String: Dim] = [:]

    /// Evaluates to an integer or a single symbol; anything else is an error.
    func evaluate(_ expr: DimExpr) throws(DimError) -> Dim {
        switch expr {
        case .integer(let n, _):
            return .fixed(n)
        case .name(let name, let location):
            if let value = arguments[name] {
                guard case .int(let n) = value else {
                    throw .invalid("argument '\(name)' is a float and cannot be a dimension", location)
                }
                return .fixed(n)
            }
            guard let dim = symbols[name] else { throw .unbound(name, location) }
            return dim
        case .binary(let op, let lhs, let rhs, let location):
            return try combine(op, try evaluate(lhs), try evaluate(rhs), expr, location)
        }
    }

    private func combine(_ op: BinaryOperator, _ a: Dim, _ b: Dim, _ expr: DimExpr, _ location: SourceLocation) throws(DimError) -> Dim {
        switch (a, b) {
        case (.fixed(let x), .fixed(let y)):
            if op == .div && y == 0 { throw .invalid("division by zero in dimension '\(expr)'", location) }
            guard let value = integerArithmetic(op, x, y) else {
                throw .invalid("dimension '\(expr)' overflows", location)
            }
            return .fixed(value)
        case (.symbol, .fixed(let y)) where (op == .mul || op == .div) && y == 1 || (op == .add || op == .sub) && y == 0:
            return a
        case (.fixed(let x), .symbol) where op == .mul && x == 1 || op == .add && x == 0:
            return b
        default:
            throw .invalid("dimension '\(expr)' does not reduce to an integer or a single symbol (it is \(a) \(op.rawValue) \(b))", location)
        }
    }

    /// The type with every dimension evaluated.
    func evaluate(_ type: TypeExpr) throws(DimError) -> TensorType {
        var dims: [Dim] = []
        for dim in type.dims {
            let value = try evaluate(dim)
            if case .fixed(let n) = value, n < 0 {
                throw .invalid("dimension '\(dim)' is negative (\(n))", dim.location)
            }
            dims.append(value)
        }
        return TensorType(type.dtype, dims)
    }

    /// Checks `actual` against `declared`, first binding symbols that are not bound yet
    /// (a plain name in `declared` takes the actual dimension), then comparing the rest.
    /// Returns false on a mismatch; throws when a dimension cannot be evaluated.
    mutating func match(_ declared: TypeExpr, _ actual: TensorType) throws(DimError) -> Bool {
        guard bind(declared, actual) else { return false }
        return try matches(declared, actual)
    }

    /// Binds the plain-name dims of `declared` not bound yet; false when dtype or rank differ.
    /// Binding every input of a call before comparing lets `f32[C * 2]` refer to a `C`
    /// that a later input binds.
    mutating func bind(_ declared: TypeExpr, _ actual: TensorType) -> Bool {
        guard declared.dtype == actual.dtype, declared.dims.count == actual.rank else { return false }
        for (dim, actualDim) in zip(declared.dims, actual.shape) {
            if case .name(let name, _) = dim, arguments[name] == nil, symbols[name] == nil {
                symbols[name] = actualDim
            }
        }
        return true
    }

    /// Whether every dim of `declared` evaluates to the actual one (after `bind`).
    func matches(_ declared: TypeExpr, _ actual: TensorType) throws(DimError) -> Bool {
        guard declared.dtype == actual.dtype, declared.dims.count == actual.rank else { return false }
        for (dim, actualDim) in zip(declared.dims, actual.shape) {
            if try evaluate(dim) != actualDim { return false }
        }
        return true
    }

    /// `f32[N, 16]`: the declared type with what is known evaluated, the rest as written.
    func render(_ type: TypeExpr) -> String {
        let dims = type.dims.map { dim in (try? evaluate(dim))?.description ?? dim.description }
        return "\(type.dtype)[\(dims.joined(separator: ", "))]"
    }
}

/// `x op y` on Ints with `/` as floor division; nil on overflow or division by zero.
func integerArithmetic(_ op: BinaryOperator, _ x: Int, _ y: Int) -> Int? {
    let (value, overflow): (Int, Bool)
    switch op {
    case .add: (value, overflow) = x.addingReportingOverflow(y)
    case .sub: (value, overflow) = x.subtractingReportingOverflow(y)
    case .mul: (value, overflow) = x.multipliedReportingOverflow(by: y)
    case .div:
        guard y != 0 else { return nil }
        let (quotient, quotientOverflow) = x.dividedReportingOverflow(by: y)
        let roundsDown = x.remainderReportingOverflow(dividingBy: y).partialValue != 0 && (x < 0) != (y < 0)
        (value, overflow) = (roundsDown ? quotient - 1 : quotient, quotientOverflow)
    }
    return overflow ? nil : value
}
