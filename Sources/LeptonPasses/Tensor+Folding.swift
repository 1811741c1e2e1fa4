import LeptonIR

/// Arithmetic on compile-time tensors for the folding passes, done in Double and rounded
/// once to the tensor's dtype (so a folded f32 weight is the correctly rounded product).
extension Tensor {
    /// A float tensor of `dtype` (f32 or f64) holding `values` rounded to it.
    static func floats(_ values: [Double], shape: [Int], dtype: DType) -> Tensor {
        switch dtype {
        case .f32: Tensor(shape: shape, storage: .f32(values.map { Float($0) }))
        case .f64: Tensor(shape: shape, storage: .f64(values))
        default: preconditionFailure("folded weights are floats, got \(dtype)")
        }
    }

    /// Each scalar times `factor(flatIndex)`.
    func scaled(by factor: (Int) -> Double) -> Tensor {
        let scaled = doubles.enumerated().map { $0.element * factor($0.offset) }
        return .floats(scaled, shape: shape, dtype: dtype)
    }

}
