import LeptonTensor

/// A compile-time argument of an op (`axis: -1`, `strides: [2, 2]`, `to: f64`).
public enum Attribute: Hashable, Sendable, CustomStringConvertible {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case ints([Int])
    case floats([Double])
    /// A bare word from a fixed set (`padding: same`, `direction: bidirectional`).
    case choice(String)
    case string(String)
    case dtype(DType)
    case tensor(Tensor)

    public var description: String {
        switch self {
        case .int(let v): "\(v)"
        case .float(let v): "\(v)"
        case .bool(let v): "\(v)"
        case .ints(let v): "[\(v.map(String.init).joined(separator: ", "))]"
        case .floats(let v): "[\(v.map { "\($0)" }.joined(separator: ", "))]"
        case .choice(let v): v
        case .string(let v): "\"\(v)\""
        case .dtype(let v): v.rawValue
        case .tensor(let t): t.description
        }
    }
}

/// The kind of value an attribute takes; the parser coerces literals to it (an int literal
/// given for a float attribute becomes a float; a single int for `ints` is rejected).
public enum AttributeKind: Hashable, Sendable {
    case int, float, bool, ints, floats, string, dtype, tensor
    case choice([String])
}

/// One attribute an op accepts. `defaultValue == nil` means the attribute is required.
public struct AttributeSpec: Hashable, Sendable {
    public var name: String
    public var kind: AttributeKind
    public var defaultValue: Attribute?

    public init(_ name: String, _ kind: AttributeKind, default defaultValue: Attribute? = nil) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
    }
}

/// An op's attribute values, complete: every attribute of the op's schema is present, with
/// defaults filled in by whoever builds the node. Reading one that is missing is a bug.
public struct Attributes: Hashable, Sendable {
    public var values: [String: Attribute]

    public init(_ values: [String: Attribute] = [:]) { self.values = values }

    public subscript(name: String) -> Attribute? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public func int(_ name: String) -> Int {
        guard case .int(let v) = values[name] else { missing(name) }
        return v
    }

    public func float(_ name: String) -> Double {
        guard case .float(let v) = values[name] else { missing(name) }
        return v
    }

    public func bool(_ name: String) -> Bool {
        guard case .bool(let v) = values[name] else { missing(name) }
        return v
    }

    /// An `ints` attribute; nil when it is optional and absent (an empty list default).
    public func ints(_ name: String) -> [Int] {
        guard case .ints(let v) = values[name] else { missing(name) }
        return v
    }

    public func floats(_ name: String) -> [Double] {
        guard case .floats(let v) = values[name] else { missing(name) }
        return v
    }

    public func choice(_ name: String) -> String {
        guard case .choice(let v) = values[name] else { missing(name) }
        return v
    }

    public func string(_ name: String) -> String {
        guard case .string(let v) = values[name] else { missing(name) }
        return v
    }

    public func dtype(_ name: String) -> DType {
        guard case .dtype(let v) = values[name] else { missing(name) }
        return v
    }

    public func tensor(_ name: String) -> Tensor {
        guard case .tensor(let v) = values[name] else { missing(name) }
        return v
    }

    private func missing(_ name: String) -> Never {
        preconditionFailure("attribute '\(name)' missing or of the wrong kind; nodes must be built through their schema")
    }
}
