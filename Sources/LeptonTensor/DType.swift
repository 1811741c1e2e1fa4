/// Element types a tensor can hold. The raw value is the spelling used in `.graph` text.
public enum DType: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case f32, f64, i32, i64, bool

    public var description: String { rawValue }

    /// Bytes per element in memory and in `.npy` files.
    public var byteSize: Int {
        switch self {
        case .f32, .i32: 4
        case .f64, .i64: 8
        case .bool: 1
        }
    }

    public var isFloatingPoint: Bool { self == .f32 || self == .f64 }
    public var isInteger: Bool { self == .i32 || self == .i64 }
    /// Types with arithmetic (everything but bool).
    public var isNumeric: Bool { self != .bool }
}
