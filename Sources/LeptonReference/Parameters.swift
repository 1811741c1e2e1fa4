import LeptonIR

/// The initial value of every parameter of `graph`, one tensor per `graph.params`, in order.
///
/// Implements each `Initializer` exactly as the language spec states, so the numpy golden
/// generator reproduces the same weights: seeded initializers draw from
/// `SplitMix64(seed: seed ^ fnv1a64(fullParamName))` in row-major order, in Double, then
/// convert to the param's dtype. `load` paths are relative to `baseDirectory`. Every failure is
/// a diagnostic at the param's declaration.
public func materializeParameters(of graph: Graph, baseDirectory: String) throws(DiagnosticError) -> [Tensor] {
    var loader = ParameterLoader(baseDirectory: baseDirectory)
    var tensors: [Tensor] = []
    tensors.reserveCapacity(graph.params.count)
    for param in graph.params {
        tensors.append(try materialize(param, of: graph, loader: &loader))
    }
    return tensors
}

private func materialize(_ param: Param, of graph: Graph, loader: inout ParameterLoader) throws(DiagnosticError) -> Tensor {
    let name = graph.name(of: param.value)
    let type = graph.type(of: param.value)
    func fail(_ message: String) -> DiagnosticError { DiagnosticError(at: param.location, "param \(name)\(message)") }
    guard let shape = type.fixedShape else {
        let symbols = type.shape.filter { $0.fixedValue == nil }.map(\.description).joined(separator: ", ")
        throw fail(" has type \(type) with symbolic dimension \(symbols); params need fixed shapes")
    }
    guard let count = elementCount(shape) else { throw fail(" has type \(type), too large to materialize") }
    switch param.initializer {
    case .zeros: return Tensor.zeros(type.dtype, shape: shape)
    case .ones: return Tensor.filled(type.dtype, shape: shape, with: 1)
    case .constant(let value):
        guard isRepresentable(value, as: type.dtype) else { throw fail(": constant(\(value)) is not representable as \(type.dtype)") }
        return Tensor.filled(type.dtype, shape: shape, with: value)
    case .load(let path, let key):
        let tensor = try loader.load(path, key: key, paramName: name, location: param.location)
        guard tensor.dtype == type.dtype, tensor.shape == shape else {
            let source = key.map { "'\(path)' array '\($0)'" } ?? "'\(path)'"
            throw fail(" is \(type) but \(source) holds \(TensorType(tensor.dtype, fixed: tensor.shape))")
        }
        return tensor
    case .tensor(let value):
        guard value.dtype == type.dtype, value.shape == shape else {
            throw fail(" is \(type) but its value is \(TensorType(value.dtype, fixed: value.shape))")
        }
        return value
    default:
        guard type.dtype.isFloatingPoint else {
            throw fail(": \(initializerName(param.initializer)) needs a float param, got \(type)")
        }
        guard let values = seededValues(param.initializer, shape: shape, count: count, name: name) else {
            throw fail(": \(initializerName(param.initializer)) needs a param of rank 1 or more, got \(type)")
        }
        return type.dtype == .f32
            ? Tensor(shape: shape, storage: .f32(values.map { Float($0) }))
            : Tensor(shape: shape, storage: .f64(values))
    }
}

/// The draws of a seeded initializer; nil when fan-in/out are undefined (a scalar param).
private func seededValues(_ initializer: Initializer, shape: [Int], count: Int, name: String) -> [Double]? {
    func stream(_ seed: UInt64) -> SplitMix64 { SplitMix64(seed: seed ^ fnv1a64(name)) }
    switch initializer {
    case .uniform(let low, let high, let seed):
        var rng = stream(seed)
        return rng.uniform(count: count, low: low, high: high)
    case .normal(let mean, let std, let seed):
        var rng = stream(seed)
        return rng.normal(count: count, mean: mean, std: std)
    case .glorot(let seed):
        guard let (fanIn, fanOut) = fans(shape) else { return nil }
        let limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
        var rng = stream(seed)
        return rng.uniform(count: count, low: -limit, high: limit)
    case .he(let seed):
        guard let (fanIn, _) = fans(shape) else { return nil }
        var rng = stream(seed)
        return rng.normal(count: count, mean: 0, std: (2.0 / Double(fanIn)).squareRoot())
    case .zeros, .ones, .constant, .load, .tensor:
        preconditionFailure("\(initializer) is not a seeded initializer")
    }
}

/// The number of scalars in `shape`; nil for negative dims or more than 2^31 elements, which
/// no test or model here needs and which would otherwise trap or exhaust memory.
private func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for dim in shape {
        guard dim >= 0 else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: dim)
        guard !overflow, product <= 1 << 31 else { return nil }
        count = product
    }
    return count
}

/// fan_in and fan_out: rank 1 both shape[0]; rank 2 [in, out]; rank >= 3 conv
/// [out, in, k...] with the receptive field (product of the kernel dims) multiplied in.
func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int)? {
    switch shape.count {
    case 0: return nil
    case 1: return (shape[0], shape[0])
    case 2: return (shape[0], shape[1])
    default:
        let receptive = shape[2...].reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }
}

/// Whether `value` converts to `dtype` exactly: ints must be whole and in range, bools 0 or 1.
private func isRepresentable(_ value: Double, as dtype: DType) -> Bool {
    switch dtype {
    case .f32, .f64: return true
    case .i32: return value.rounded() == value && value >= Double(Int32.min) && value <= Double(Int32.max)
    case .i64: return value.rounded() == value && value >= -0x1p63 && value < 0x1p63
    case .bool: return value == 0 || value == 1
    }
}

private func initializerName(_ initializer: Initializer) -> String {
    switch initializer {
    case .zeros: "zeros"
    case .ones: "ones"
    case .constant: "constant"
    case .uniform: "uniform"
    case .normal: "normal"
    case .glorot: "glorot"
    case .he: "he"
    case .load: "load"
    case .tensor: "tensor"
    }
}
