/// cast(to:): any dtype to any dtype, with numpy's conversions (`astype`):
/// floats to ints truncate toward zero (NaN -> 0 and out-of-range values saturate, where numpy
/// is undefined), i64 -> i32 wraps, nonzero (and NaN) -> true, bool -> 0/1.
func cast(_ x: Tensor, to dtype: DType) -> Tensor {
    switch dtype {
    case .f32:
        return Tensor(shape: x.shape, storage: .f32(convert(x, { $0 }, { Float($0) }, { Float($0) }, { Float($0) }, { $0 ? 1 : 0 })))
    case .f64:
        return Tensor(shape: x.shape, storage: .f64(convert(x, { Double($0) }, { $0 }, { Double($0) }, { Double($0) }, { $0 ? 1 : 0 })))
    case .i32:
        return Tensor(shape: x.shape, storage: .i32(convert(
            x, { saturatingInteger(Double($0).rounded(.towardZero)) }, { saturatingInteger($0.rounded(.towardZero)) },
            { $0 }, { Int32(truncatingIfNeeded: $0) }, { $0 ? 1 : 0 })))
    case .i64:
        return Tensor(shape: x.shape, storage: .i64(convert(
            x, { saturatingInteger(Double($0).rounded(.towardZero)) }, { saturatingInteger($0.rounded(.towardZero)) },
            { Int64($0) }, { $0 }, { $0 ? 1 : 0 })))
    case .bool:
        return Tensor(shape: x.shape, storage: .bool(convert(x, { $0 != 0 }, { $0 != 0 }, { $0 != 0 }, { $0 != 0 }, { $0 })))
    }
}

/// Maps every scalar of `x` with the conversion for its dtype.
private func convert<D>(_ x: Tensor, _ f32: (Float) -> D, _ f64: (Double) -> D, _ i32: (Int32) -> D,
                        _ i64: (Int64) -> D, _ bool: (Bool) -> D) -> [D] {
    switch x.storage {
    case .f32(let a): a.map(f32)
    case .f64(let a): a.map(f64)
    case .i32(let a): a.map(i32)
    case .i64(let a): a.map(i64)
    case .bool(let a): a.map(bool)
    }
}

/// constant(value:, dtype:): the literal, converted to `dtype` if the frontend left it in
/// another type.
func constant(_ attributes: Attributes) -> Tensor {
    let value = attributes.tensor("value")
    let dtype = attributes.dtype("dtype")
    return value.dtype == dtype ? value : cast(value, to: dtype)
}
