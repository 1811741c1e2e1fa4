/// Why an op cannot take the operands it was given. The frontend turns it into a
/// diagnostic at the call (or at operand `operand` when set).
public struct ShapeError: Error, Hashable, Sendable {
    public var message: String
    /// Index of the operand at fault, when one is.
    public var operand: Int?

    public init(_ message: String, operand: Int? = nil) {
        self.message = message
        self.operand = operand
    }
}

extension Op {
    /// The result types of applying this op to operands of `inputs` types with `attributes`
    /// (complete, defaults filled). Throws when the operands or attributes are invalid; the
    /// message names the op and the shapes that disagree (`matmul expects [M, K] x [K, N], got …`).
    public func inferTypes(_ inputs: [TensorType], _ attributes: Attributes) throws(ShapeError) -> [TensorType] {
        // STUB: the shape-rules work replaces this with one rule per op (Op+Shape*.swift).
        switch self {
        case .add, .sub, .mul, .div, .max, .min, .pow:
            return [TensorType(inputs[0].dtype, try broadcastShapes(inputs[0].shape, inputs[1].shape))]
        case .relu, .exp, .neg, .identity, .sigmoid, .tanh:
            return [inputs[0]]
        default:
            throw ShapeError("\(mnemonic): shape rule not written yet")
        }
    }
}

/// numpy broadcasting of two shapes: align from the right; equal dims stay, 1 stretches.
public func broadcastShapes(_ a: [Dim], _ b: [Dim]) throws(ShapeError) -> [Dim] {
    let rank = Swift.max(a.count, b.count)
    var result: [Dim] = []
    for i in 0..<rank {
        let x = i < rank - a.count ? Dim.fixed(1) : a[i - (rank - a.count)]
        let y = i < rank - b.count ? Dim.fixed(1) : b[i - (rank - b.count)]
        if x == y || y == .fixed(1) {
            result.append(x)
        } else if x == .fixed(1) {
            result.append(y)
        } else {
            throw ShapeError("cannot broadcast \(shapeText(a)) with \(shapeText(b)): dimension \(i - rank) is \(x) vs \(y)")
        }
    }
    return result
}

/// `[N, 784]`
public func shapeText(_ shape: [Dim]) -> String {
    "[" + shape.map(\.description).joined(separator: ", ") + "]"
}
