import LeptonTensor

/// One dimension of a tensor type: a known size, or a name bound when the graph runs.
///
/// Symbolic dimensions (`N` in `f32[N, 784]`) must agree wherever the same name appears;
/// the interpreter binds them from the actual inputs and checks every use.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
    case fixed(Int)
    case symbol(String)

    public var description: String {
        switch self {
        case .fixed(let n): "\(n)"
        case .symbol(let s): s
        }
    }

    /// The size when known at compile time.
    public var fixedValue: Int? {
        if case .fixed(let n) = self { n } else { nil }
    }
}

/// The static type of a value: element type and (possibly symbolic) shape.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var dtype: DType
    public var shape: [Dim]

    public init(_ dtype: DType, _ shape: [Dim]) {
        self.dtype = dtype
        self.shape = shape
    }

    /// A type whose dimensions are all known.
    public init(_ dtype: DType, fixed shape: [Int]) {
        self.init(dtype, shape.map(Dim.fixed))
    }

    public var rank: Int { shape.count }

    /// The concrete shape when every dimension is known.
    public var fixedShape: [Int]? {
        var result: [Int] = []
        for dim in shape {
            guard let n = dim.fixedValue else { return nil }
            result.append(n)
        }
        return result
    }

    /// `f32[N, 784]`; a scalar prints as `f32[]`.
    public var description: String {
        "\(dtype)[\(shape.map(\.description).joined(separator: ", "))]"
    }
}
