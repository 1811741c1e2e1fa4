import LeptonIR

/// A parsed `.graph` file: its graphs and its train blocks, each in source order.
struct SourceFile: Sendable {
    var graphs: [GraphDecl]
    var trainBlocks: [TrainDecl] = []
}

/// `graph name(inputs and compile-time args) -> (outputs) { body }`
struct GraphDecl: Sendable {
    var name: String
    var location: SourceLocation
    var inputs: [InputDecl]
    var arguments: [ArgumentDecl]
    var outputs: [OutputDecl]
    var body: [Statement]

    /// Graphs with compile-time arguments are only instantiated at call sites.
    var isTemplate: Bool { !arguments.isEmpty }
}

/// `train model(labels) { statements and settings }`. The settings (`optimizer = …`,
/// `trainable = […]`, `l2 = …`) are ordinary assignments in `body` until lowering picks them out.
struct TrainDecl: Sendable {
    /// The graph being trained.
    var model: String
    /// Where `train` is written.
    var location: SourceLocation
    var modelLocation: SourceLocation
    var labels: [InputDecl]
    var body: [Statement]
}

/// A tensor input: `x: f32[N, C, H, W]`.
struct InputDecl: Sendable {
    var name: String
    var location: SourceLocation
    var type: TypeExpr
}

/// A compile-time argument: `expand: int`, `stride: int = 1`, `eps: float = 1e-5`.
struct ArgumentDecl: Sendable {
    enum Kind: String, Sendable { case int, float }
    var name: String
    var location: SourceLocation
    var kind: Kind
    var defaultValue: Expr?
}

/// `y: f32[N, 10]`; the type may be left off and is then inferred.
struct OutputDecl: Sendable {
    var name: String
    var location: SourceLocation
    var type: TypeExpr?
}

/// `f32[N, C * 2]`
struct TypeExpr: Sendable {
    var dtype: DType
    var dims: [DimExpr]
    var location: SourceLocation
}

/// A dimension as written: an integer expression over compile-time args and symbols.
indirect enum DimExpr: Sendable, CustomStringConvertible {
    case integer(Int, SourceLocation)
    case name(String, SourceLocation)
    case binary(BinaryOperator, DimExpr, DimExpr, SourceLocation)

    var location: SourceLocation {
        switch self {
        case .integer(_, let l), .name(_, let l), .binary(_, _, _, let l): l
        }
    }

    var description: String {
        switch self {
        case .integer(let n, _): "\(n)"
        case .name(let s, _): s
        case .binary(let op, let a, let b, _): "\(a.parenthesized(below: op)) \(op.rawValue) \(b.parenthesized(below: op, right: true))"
        }
    }

    private func parenthesized(below parent: BinaryOperator, right: Bool = false) -> String {
        guard case .binary(let op, _, _, _) = self else { return description }
        let tighter = op.precedence > parent.precedence || (op.precedence == parent.precedence && !right)
        return tighter ? description : "(\(description))"
    }
}

enum BinaryOperator: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/"

    var precedence: Int { self == .add || self == .sub ? 1 : 2 }

    /// The op an infix operator lowers to.
    var op: Op {
        switch self {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        }
    }
}

enum Statement: Sendable {
    case param(ParamDecl)
    case assignment(Assignment)
}

/// `param w: f32[784, 512] = glorot(seed: 1)`
struct ParamDecl: Sendable {
    var name: String
    var location: SourceLocation
    var type: TypeExpr
    var initializer: Expr
}

/// `a, b: f32[2] = expr`
struct Assignment: Sendable {
    var targets: [Target]
    var value: Expr
    var location: SourceLocation
    /// The body of `fused(...) graph(...) -> (...) { ... }`; nil for every other statement.
    var region: GraphDecl? = nil
}

/// One name being defined; `_` discards the result.
struct Target: Sendable {
    var name: String
    var location: SourceLocation
    var type: TypeExpr?

    var isDiscard: Bool { name == "_" }
}

/// A number as written; converted to a dtype only when its type is known.
struct NumberLiteral: Sendable, CustomStringConvertible {
    var text: String
    var isFloat: Bool

    var doubleValue: Double { Double(text) ?? .nan }
    var intValue: Int? { isFloat ? nil : Int(text) }
    var description: String { text }

    /// `-x` of a literal stays a literal, so `-0.0`, `-inf` and `x * -1` need no neg node.
    var negated: NumberLiteral {
        NumberLiteral(text: text.hasPrefix("-") ? String(text.dropFirst()) : "-" + text, isFloat: isFloat)
    }
}

struct Expr: Sendable {
    indirect enum Kind: Sendable {
        case name(String)
        case number(NumberLiteral)
        case bool(Bool)
        case string(String)
        case list([Expr])
        case negate(Expr)
        case binary(BinaryOperator, Expr, Expr)
        case call(Call)
    }

    var kind: Kind
    /// Where the expression starts; for infix operators, the operator.
    var location: SourceLocation

    /// Numbers, bools and (nested) lists of them: these become constants typed by context.
    var isLiteral: Bool {
        switch kind {
        case .number, .bool: true
        case .list(let items): items.allSatisfy(\.isLiteral)
        default: false
        }
    }
}

/// `name(operand, ..., attr: value, ...)`
struct Call: Sendable {
    var name: String
    var operands: [Expr]
    var arguments: [NamedArgument]
}

struct NamedArgument: Sendable {
    var name: String
    var location: SourceLocation
    var value: Expr
}
