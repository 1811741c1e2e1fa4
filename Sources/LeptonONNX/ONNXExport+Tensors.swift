import LeptonIR

/// Lepton tensors as ONNX tensors, and the constant operands that ONNX takes as inputs where
/// Lepton has attributes (reshape's shape, slice bounds, clip bounds, …).
extension ONNXExport {
    static func dataType(_ dtype: DType) -> ONNXDataType {
        switch dtype {
        case .f32: .float
        case .f64: .double
        case .i32: .int32
        case .i64: .int64
        case .bool: .bool
        }
    }

    /// `tensor` with its scalars as little-endian `raw_data` (a bool is one byte, as in ONNX).
    static func tensor(_ tensor: Tensor, named name: String) -> ONNXTensor {
        ONNXTensor(name: name, dataType: dataType(tensor.dtype), dims: tensor.shape.map { Int64($0) },
                   payload: .raw(tensor.littleEndianBytes))
    }

    /// Adds `tensor` as an initializer named after the current node's first output and `role`
    /// (`y_shape`, `y_axes`); returns its name.
    mutating func constantInput(_ tensor: Tensor, _ role: String) -> String {
        let name = fresh("\(outputName)_\(role)")
        onnx.initializers.append(Self.tensor(tensor, named: name))
        return name
    }

    /// A 1-D int64 initializer (shapes, axes, pads, sizes, repeats).
    mutating func int64s(_ values: [Int], _ role: String) -> String {
        constantInput(Tensor(shape: [values.count], scalars: values.map { Int64($0) }), role)
    }

    /// A scalar initializer of `dtype`: float types round to it, integer types round to the
    /// nearest and saturate (as Lepton reads a float attribute for an integer tensor).
    mutating func scalar(_ value: Double, _ dtype: DType, _ role: String) -> String {
        let tensor: Tensor = switch dtype {
        case .f32: Tensor(scalar: Float(value))
        case .f64: Tensor(scalar: value)
        case .i32: Tensor(scalar: Int32(saturating: value))
        case .i64: Tensor(scalar: Int64(saturating: value))
        case .bool: Tensor(scalar: value != 0)
        }
        return constantInput(tensor, role)
    }

    /// The current node's first output's ONNX name (what its extra initializers are named after).
    var outputName: String {
        guard let first = node?.outputs.first else { return graph.name }
        return names[first]
    }
}

private extension FixedWidthInteger {
    /// The nearest value of this type (NaN is 0).
    init(saturating value: Double) {
        let rounded = value.rounded()
        if rounded.isNaN { self = 0 }
        else if rounded <= Double(Self.min) { self = Self.min }
        else if rounded >= Double(Self.max) { self = Self.max }
        else { self.init(rounded) }
    }
}
