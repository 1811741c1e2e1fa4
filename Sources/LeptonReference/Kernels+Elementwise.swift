/// Elementwise kernels: unary maps, broadcasting binary ops, comparisons, logic, where, cast.
///
/// Expected agreement with numpy float32: exact for arithmetic; within ~2 ulp for the
/// transcendental functions (both call the C math library, possibly different versions).

// MARK: Unary

/// exp, log, sqrt, …: float tensors only (the shape rules reject ints).
func floatUnary(_ op: Op, _ x: Tensor, _ attributes: Attributes) -> Tensor {
    switch x.storage {
    case .f32(let a): Tensor(shape: x.shape, storage: .f32(a.map(floatFunction(op, attributes, Float.self))))
    case .f64(let a): Tensor(shape: x.shape, storage: .f64(a.map(floatFunction(op, attributes, Double.self))))
    default: preconditionFailure("\(op) takes floats, got \(x.dtype)")
    }
}

private func floatFunction<T: FloatScalar>(_ op: Op, _ attributes: Attributes, _: T.Type) -> (T) -> T {
    switch op {
    case .exp: return T.exp
    case .log: return T.log
    case .sqrt: return { $0.squareRoot() }
    case .rsqrt: return { 1 / $0.squareRoot() }
    case .reciprocal: return { 1 / $0 }
    case .sigmoid: return sigmoid
    case .tanh: return T.tanh
    case .softplus: return softplus
    case .erf: return T.erf
    case .gelu:
        if attributes.choice("approximate") == "tanh" { return geluTanh }
        return geluExact
    case .leaky_relu:
        let alpha = T(attribute: attributes.float("alpha"))
        return { x in x < 0 ? alpha * x : x }
    case .elu:
        let alpha = T(attribute: attributes.float("alpha"))
        return { x in x > 0 ? x : alpha * T.expm1(x) }
    case .floor: return { $0.rounded(.down) }
    case .ceil: return { $0.rounded(.up) }
    default: preconditionFailure("\(op) is not a float unary op")
    }
}

/// log(1 + e^x) = max(x, 0) + log1p(e^−|x|): never overflows, and keeps NaN.
private func softplus<T: FloatScalar>(_ x: T) -> T {
    let magnitude: T = x < 0 ? -x : x
    let positive: T = x < 0 ? 0 : x
    return positive + T.log1p(T.exp(-magnitude))
}

/// 1 / (1 + e^-x), written so that e^(±x) never overflows.
func sigmoid<T: FloatScalar>(_ x: T) -> T {
    if x >= 0 { return 1 / (1 + T.exp(-x)) }
    let e = T.exp(x)
    return e / (1 + e)
}

private func geluExact<T: FloatScalar>(_ x: T) -> T {
    0.5 * x * (1 + T.erf(x / T(2).squareRoot()))
}

private func geluTanh<T: FloatScalar>(_ x: T) -> T {
    let k = (T(2) / T.pi).squareRoot()
    return 0.5 * x * (1 + T.tanh(k * (x + 0.044715 * x * x * x)))
}

/// neg, abs, relu, clip: any numeric type.
func numericUnary(_ op: Op, _ x: Tensor, _ attributes: Attributes) -> Tensor {
    switch x.storage {
    case .f32(let a): Tensor(shape: x.shape, storage: .f32(a.map(numericFunction(op, attributes, Float.self))))
    case .f64(let a): Tensor(shape: x.shape, storage: .f64(a.map(numericFunction(op, attributes, Double.self))))
    case .i32(let a): Tensor(shape: x.shape, storage: .i32(a.map(numericFunction(op, attributes, Int32.self))))
    case .i64(let a): Tensor(shape: x.shape, storage: .i64(a.map(numericFunction(op, attributes, Int64.self))))
    case .bool: preconditionFailure("\(op) takes numbers, got bool")
    }
}

private func numericFunction<T: ArithmeticScalar>(_ op: Op, _ attributes: Attributes, _: T.Type) -> (T) -> T {
    switch op {
    case .neg: return T.negate
    case .abs: return T.absolute
    // `x < 0 ? 0 : x` keeps NaN, like numpy's maximum(x, 0).
    case .relu: return { x in x < T.zero ? T.zero : x }
    case .clip:
        let low = T(attribute: attributes.float("min")), high = T(attribute: attributes.float("max"))
        return { x in T.smaller(T.larger(x, low), high) }
    default: preconditionFailure("\(op) is not a numeric unary op")
    }
}

/// not
func logicalNot(_ x: Tensor) -> Tensor {
    Tensor(shape: x.shape, storage: .bool(x.array(Bool.self).map { !$0 }))
}

// MARK: Binary

/// add, sub, mul, div, pow, max, min on two tensors of one numeric dtype.
func arithmetic(_ op: Op, _ x: Tensor, _ y: Tensor) throws(KernelError) -> Tensor {
    switch (x.storage, y.storage) {
    case (.f32(let a), .f32(let b)): return try arithmetic(op, a, x.shape, b, y.shape)
    case (.f64(let a), .f64(let b)): return try arithmetic(op, a, x.shape, b, y.shape)
    case (.i32(let a), .i32(let b)): return try arithmetic(op, a, x.shape, b, y.shape)
    case (.i64(let a), .i64(let b)): return try arithmetic(op, a, x.shape, b, y.shape)
    default: preconditionFailure("\(op) takes two numeric tensors of one dtype, got \(x.dtype) and \(y.dtype)")
    }
}

private func arithmetic<T: ArithmeticScalar>(_ op: Op, _ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int]) throws(KernelError) -> Tensor {
    var failed = false
    let result: (values: [T], shape: [Int])
    switch op {
    case .add: result = zipBroadcast(a, aShape, b, bShape, T.add)
    case .sub: result = zipBroadcast(a, aShape, b, bShape, T.subtract)
    case .mul: result = zipBroadcast(a, aShape, b, bShape, T.multiply)
    case .max: result = zipBroadcast(a, aShape, b, bShape, T.larger)
    case .min: result = zipBroadcast(a, aShape, b, bShape, T.smaller)
    case .div: result = zipBroadcast(a, aShape, b, bShape) { x, y in T.divide(x, y) ?? { failed = true; return T.zero }() }
    case .pow: result = zipBroadcast(a, aShape, b, bShape) { x, y in T.power(x, y) ?? { failed = true; return T.zero }() }
    default: preconditionFailure("\(op) is not an arithmetic op")
    }
    if failed {
        throw KernelError(op == .div ? "div: integer division by zero" : "pow: integers cannot be raised to negative powers")
    }
    return Tensor(shape: result.shape, scalars: result.values)
}

/// eq, ne, lt, le, gt, ge on two tensors of one dtype; the result is bool. NaN compares
/// unequal to everything, as in numpy.
func comparison(_ op: Op, _ x: Tensor, _ y: Tensor) -> Tensor {
    let result: (values: [Bool], shape: [Int])
    switch (x.storage, y.storage) {
    case (.f32(let a), .f32(let b)): result = compare(op, a, x.shape, b, y.shape)
    case (.f64(let a), .f64(let b)): result = compare(op, a, x.shape, b, y.shape)
    case (.i32(let a), .i32(let b)): result = compare(op, a, x.shape, b, y.shape)
    case (.i64(let a), .i64(let b)): result = compare(op, a, x.shape, b, y.shape)
    // false < true, as numpy orders bools.
    case (.bool(let a), .bool(let b)): result = compare(op, a.map { $0 ? 1 : 0 as UInt8 }, x.shape, b.map { $0 ? 1 : 0 as UInt8 }, y.shape)
    default: preconditionFailure("\(op) takes two tensors of one dtype, got \(x.dtype) and \(y.dtype)")
    }
    return Tensor(shape: result.shape, storage: .bool(result.values))
}

private func compare<T: Comparable>(_ op: Op, _ a: [T], _ aShape: [Int], _ b: [T], _ bShape: [Int]) -> (values: [Bool], shape: [Int]) {
    switch op {
    case .eq: zipBroadcast(a, aShape, b, bShape, ==)
    case .ne: zipBroadcast(a, aShape, b, bShape, !=)
    case .lt: zipBroadcast(a, aShape, b, bShape, <)
    case .le: zipBroadcast(a, aShape, b, bShape, <=)
    case .gt: zipBroadcast(a, aShape, b, bShape, >)
    case .ge: zipBroadcast(a, aShape, b, bShape, >=)
    default: preconditionFailure("\(op) is not a comparison")
    }
}

/// and, or, xor on bool tensors.
func logical(_ op: Op, _ x: Tensor, _ y: Tensor) -> Tensor {
    let a = x.array(Bool.self), b = y.array(Bool.self)
    let result: (values: [Bool], shape: [Int])
    switch op {
    case .and: result = zipBroadcast(a, x.shape, b, y.shape) { $0 && $1 }
    case .or: result = zipBroadcast(a, x.shape, b, y.shape) { $0 || $1 }
    case .xor: result = zipBroadcast(a, x.shape, b, y.shape, !=)
    default: preconditionFailure("\(op) is not a logical op")
    }
    return Tensor(shape: result.shape, storage: .bool(result.values))
}

/// where(cond, x, y): cond ? x : y with all three broadcast together.
func select(_ cond: Tensor, _ x: Tensor, _ y: Tensor) -> Tensor {
    let shape = broadcast(broadcast(cond.shape, x.shape), y.shape)
    let c = cond.array(Bool.self)
    let conds = gatherOffsets(shape: shape, tables: broadcastTables(from: cond.shape, to: shape)).map { c[$0] }
    let xs = x.gathering(gatherOffsets(shape: shape, tables: broadcastTables(from: x.shape, to: shape)), shape: shape)
    let ys = y.gathering(gatherOffsets(shape: shape, tables: broadcastTables(from: y.shape, to: shape)), shape: shape)
    func pick<T>(_ a: [T], _ b: [T]) -> [T] { conds.indices.map { conds[$0] ? a[$0] : b[$0] } }
    switch (xs.storage, ys.storage) {
    case (.f32(let a), .f32(let b)): return Tensor(shape: shape, storage: .f32(pick(a, b)))
    case (.f64(let a), .f64(let b)): return Tensor(shape: shape, storage: .f64(pick(a, b)))
    case (.i32(let a), .i32(let b)): return Tensor(shape: shape, storage: .i32(pick(a, b)))
    case (.i64(let a), .i64(let b)): return Tensor(shape: shape, storage: .i64(pick(a, b)))
    case (.bool(let a), .bool(let b)): return Tensor(shape: shape, storage: .bool(pick(a, b)))
    default: preconditionFailure("where takes x and y of one dtype, got \(x.dtype) and \(y.dtype)")
    }
}
