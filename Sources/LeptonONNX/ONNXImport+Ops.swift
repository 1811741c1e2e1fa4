import LeptonIR

/// The op table: each ONNX op type Lepton maps, and how. Semantics follow opset 13 on (inputs
/// that replaced attributes — axes, pads, shapes, split sizes, clip bounds — must be constants).
extension ONNXImport {
    /// How an ONNX op type is converted (the table below says which op types exist).
    enum Conversion: Sendable {
        case unary(Op), binary(Op), variadic(Op), mean, `where`, gelu, leakyRelu, elu, hardSigmoid, hardSwish, dropout
        case clip, cast, matmul, gemm, convolution(Op), pool(Op), globalAveragePool, globalMaxPool
        case batchNorm, layerNorm, instanceNorm, softmax(Op), reduction(Op, axesInputFrom: Int64, square: Bool, root: Bool)
        case argReduction(Op), recurrent(Op), einsum, lrn, oneHot
        case constant, constantOfShape, range, shape, size, reshape, flatten, transpose, squeeze, unsqueeze, concat
        case split, slice, gather, expand, pad, tile
    }

    static let conversions: [String: Conversion] = {
        var table: [String: Conversion] = [
            "Exp": .unary(.exp), "Log": .unary(.log), "Sqrt": .unary(.sqrt), "Reciprocal": .unary(.reciprocal),
            "Sigmoid": .unary(.sigmoid), "Tanh": .unary(.tanh), "Softplus": .unary(.softplus), "Erf": .unary(.erf),
            "Floor": .unary(.floor), "Ceil": .unary(.ceil), "Neg": .unary(.neg), "Abs": .unary(.abs), "Relu": .unary(.relu),
            "Identity": .unary(.identity), "Not": .unary(.not),
            "Add": .binary(.add), "Sub": .binary(.sub), "Mul": .binary(.mul), "Div": .binary(.div), "Pow": .binary(.pow),
            "Equal": .binary(.eq), "Less": .binary(.lt), "LessOrEqual": .binary(.le), "Greater": .binary(.gt),
            "GreaterOrEqual": .binary(.ge), "And": .binary(.and), "Or": .binary(.or), "Xor": .binary(.xor),
            "Max": .variadic(.max), "Min": .variadic(.min), "Sum": .variadic(.add), "Mean": .mean, "Where": .where,
            "Gelu": .gelu, "LeakyRelu": .leakyRelu, "Elu": .elu, "HardSigmoid": .hardSigmoid, "HardSwish": .hardSwish,
            "Dropout": .dropout, "Clip": .clip, "Cast": .cast, "MatMul": .matmul, "Gemm": .gemm,
            "Conv": .convolution(.conv2d), "ConvTranspose": .convolution(.conv_transpose2d),
            "MaxPool": .pool(.max_pool2d), "AveragePool": .pool(.avg_pool2d),
            "GlobalAveragePool": .globalAveragePool, "GlobalMaxPool": .globalMaxPool,
            "BatchNormalization": .batchNorm, "LayerNormalization": .layerNorm, "InstanceNormalization": .instanceNorm,
            "Softmax": .softmax(.softmax), "LogSoftmax": .softmax(.log_softmax),
            "ReduceSumSquare": .reduction(.reduce_sum, axesInputFrom: 18, square: true, root: false),
            "ReduceL2": .reduction(.reduce_sum, axesInputFrom: 18, square: true, root: true),
            "ArgMax": .argReduction(.argmax), "ArgMin": .argReduction(.argmin),
            "LSTM": .recurrent(.lstm), "GRU": .recurrent(.gru), "Einsum": .einsum, "LRN": .lrn, "OneHot": .oneHot,
            "Constant": .constant, "ConstantOfShape": .constantOfShape, "Range": .range, "Shape": .shape, "Size": .size,
            "Reshape": .reshape, "Flatten": .flatten, "Transpose": .transpose, "Squeeze": .squeeze, "Unsqueeze": .unsqueeze,
            "Concat": .concat, "Split": .split, "Slice": .slice, "Gather": .gather, "Expand": .expand, "Pad": .pad, "Tile": .tile,
        ]
        let reductions: [String: Op] = [
            "ReduceSum": .reduce_sum, "ReduceMean": .reduce_mean, "ReduceMax": .reduce_max, "ReduceMin": .reduce_min, "ReduceProd": .reduce_prod,
        ]
        for (name, op) in reductions {
            // ReduceSum took its axes as an input from opset 13, the others from 18.
            table[name] = .reduction(op, axesInputFrom: name == "ReduceSum" ? 13 : 18, square: false, root: false)
        }
        return table
    }()

    /// Converts the current node.
    mutating func convert(_ conversion: Conversion) throws(DiagnosticError) {
        switch conversion {
        case .unary(.identity): try identity()
        case .unary(let op): try emit(op, [required(0)])
        case .binary(let op): try binary(op)
        case .variadic(let op): try variadic(op)
        case .mean: try mean()
        case .where: try emit(.where, [required(0), required(1), required(2)])
        case .gelu: try emit(.gelu, [required(0)], ["approximate": .choice(string("approximate", default: "none"))])
        case .leakyRelu: try emit(.leaky_relu, [required(0)], ["alpha": .float(float("alpha", default: 0.01))])
        case .elu: try emit(.elu, [required(0)], ["alpha": .float(float("alpha", default: 1))])
        case .hardSigmoid:
            try hardSigmoid(required(0), alpha: float("alpha", default: 0.2), beta: float("beta", default: 0.5), output: node.outputs[0])
        case .hardSwish: try hardSwish()
        case .dropout:
            try noExtraOutputs("its mask")
            if let mode = input(2), knownFloat(mode) != 0 { throw fail("training_mode must be a constant false (dropout at inference)") }
            try identity()
        case .clip: try clip()
        case .cast: try cast()
        case .matmul: try emit(.matmul, [required(0), required(1)])
        case .gemm:
            try emit(.gemm, [required(0), required(1)] + (input(2).map { [$0] } ?? []), [
                "alpha": .float(float("alpha", default: 1)), "beta": .float(float("beta", default: 1)),
                "trans_a": .bool(int("transA", default: 0) != 0), "trans_b": .bool(int("transB", default: 0) != 0),
            ])
        case .convolution(let op): try convolution(op)
        case .pool(let op): try pool(op)
        case .globalAveragePool: try emit(.global_avg_pool, [required(0)])
        case .globalMaxPool: try emit(.reduce_max, [required(0)], ["axes": .ints([2, 3]), "keepdims": .bool(true)])
        case .batchNorm:
            guard int("training_mode", default: 0) == 0 else { throw fail("training_mode=1 is not supported (export the model in eval mode)") }
            try noExtraOutputs("running statistics")
            try emit(.batch_norm, [required(0), required(1), required(2), required(3), required(4)],
                     ["epsilon": .float(float("epsilon", default: 1e-5))])
        case .layerNorm:
            try noExtraOutputs("its mean and inverse standard deviation")
            try emit(.layer_norm, [required(0), required(1)] + (input(2).map { [$0] } ?? []), [
                "axis": .int(int("axis", default: -1)), "epsilon": .float(float("epsilon", default: 1e-5)),
            ])
        case .instanceNorm:
            try emit(.instance_norm, [required(0), required(1), required(2)], ["epsilon": .float(float("epsilon", default: 1e-5))])
        case .softmax(let op): try emit(op, [required(0)], ["axis": .int(int("axis", default: -1))])
        case .reduction(let op, let version, let square, let root): try reduction(op, axesInputFrom: version, square: square, root: root)
        case .argReduction(let op): try argReduction(op)
        case .recurrent(let op): try recurrent(op)
        case .einsum: try einsum()
        case .lrn: try localResponseNormalization()
        case .oneHot: try oneHot()
        case .constant: try constant()
        case .constantOfShape: try constantOfShape()
        case .range: try range()
        case .shape: try shape()
        case .size: try size()
        case .reshape: try reshape()
        case .flatten: try emit(.flatten, [required(0)], ["axis": .int(int("axis", default: 1))])
        case .transpose: try emit(.transpose, [required(0)], ["perm": .ints(ints("perm") ?? [])])
        case .squeeze: try squeeze()
        case .unsqueeze: try unsqueeze()
        case .concat: try concat()
        case .split: try split()
        case .slice: try slice()
        case .gather: try gather()
        case .expand: try expand()
        case .pad: try pad()
        case .tile: try emit(.tile, [required(0)], ["repeats": .ints(knownInts(input(1), "repeats"))])
        }
    }

    // MARK: attributes

    func int(_ name: String, default value: Int) -> Int {
        if case .int(let v)? = node.attribute(name) { return Int(truncatingIfNeeded: v) }
        return value
    }

    /// A float attribute, widened through its shortest decimal form (ONNX stores f32: 1e-5
    /// reads as 1e-05, not 9.999999747378752e-06; both round to the same f32).
    func float(_ name: String, default value: Double) -> Double {
        if case .float(let v)? = node.attribute(name) { return Double("\(v)") ?? Double(v) }
        return value
    }

    func string(_ name: String, default value: String) -> String {
        if case .string(let v)? = node.attribute(name) { return v }
        return value
    }

    func ints(_ name: String) -> [Int]? {
        if case .ints(let v)? = node.attribute(name) { return v.map { Int(truncatingIfNeeded: $0) } }
        return nil
    }

    /// Refuses a node whose optional extra outputs are read (exporters often name a Dropout
    /// mask or BatchNormalization statistics that nothing uses).
    func noExtraOutputs(_ what: String) throws(DiagnosticError) {
        if node.outputs.dropFirst().contains(where: { !$0.isEmpty && consumed.contains($0) }) {
            throw fail("outputs beyond the first (\(what)) are not supported")
        }
    }

    // MARK: elementwise

    /// A binary op; a constant operand of another dtype is cast to the other's, and so is any
    /// Pow exponent (ONNX Pow takes an integer exponent for a float base).
    mutating func binary(_ op: Op) throws(DiagnosticError) {
        var (a, b) = (try required(0), try required(1))
        let (ta, tb) = (try type(a), try type(b))
        if ta.dtype != tb.dtype {
            if let t = knownTensor(b), op == .pow || t.count == 1 { b = try castConstant(t, to: ta.dtype) }
            else if let t = knownTensor(a), t.count == 1 { a = try castConstant(t, to: tb.dtype) }
            else if op == .pow {
                let cast = scratchName()
                try emit(.cast, [b], ["to": .dtype(ta.dtype)], outputs: [cast])
                b = cast
            }
        }
        try emit(op, [a, b])
    }

    /// A constant converted to `dtype`, under a new name.
    mutating func castConstant(_ tensor: Tensor, to dtype: DType) throws(DiagnosticError) -> String {
        let name = scratchName()
        known[name] = .tensor(tensor)
        let cast = scratchName()
        try emit(.cast, [name], ["to": .dtype(dtype)], outputs: [cast])
        return cast
    }

    /// A name for an intermediate value of a multi-op expansion.
    mutating func scratchName() -> String {
        scratchCount += 1
        return "\(node.outputs.first ?? "t")__\(scratchCount)"
    }

    /// A scalar constant of `dtype` under a new name.
    mutating func scalar(_ value: Double, _ dtype: DType) -> String {
        let name = scratchName()
        known[name] = .tensor(Tensor.filled(dtype, shape: [], with: value))
        return name
    }

    /// Identity (and inference Dropout): what is known of the input is known of the output,
    /// so a shape vector with symbolic dims passes through.
    mutating func identity() throws(DiagnosticError) {
        let x = try required(0)
        if let value = known[x] {
            known[node.outputs[0]] = value
            return
        }
        try emit(.identity, [x])
    }

    /// Max/Min/Sum over any number of operands, as a chain.
    mutating func variadic(_ op: Op) throws(DiagnosticError) {
        let inputs = node.inputs.filter { !$0.isEmpty }
        guard var current = inputs.first else { throw fail("needs at least one input") }
        guard inputs.count > 1 else {
            try emit(.identity, [current])
            return
        }
        for (k, next) in inputs.dropFirst().enumerated() {
            let name = k == inputs.count - 2 ? node.outputs[0] : scratchName()
            try emit(op, [current, next], outputs: [name])
            current = name
        }
    }

    mutating func mean() throws(DiagnosticError) {
        let inputs = node.inputs.filter { !$0.isEmpty }
        let output = node.outputs[0]
        let sum = scratchName()
        node.outputs[0] = sum
        try variadic(.add)
        node.outputs[0] = output
        try emit(.div, [sum, scalar(Double(inputs.count), try type(sum).dtype)], outputs: [output])
    }

    mutating func hardSigmoid(_ x: String, alpha: Double, beta: Double, output: String) throws(DiagnosticError) {
        let dtype = try type(x).dtype
        let scaled = scratchName(), shifted = scratchName()
        try emit(.mul, [x, scalar(alpha, dtype)], outputs: [scaled])
        try emit(.add, [scaled, scalar(beta, dtype)], outputs: [shifted])
        try emit(.clip, [shifted], ["min": .float(0), "max": .float(1)], outputs: [output])
    }

    mutating func hardSwish() throws(DiagnosticError) {
        let x = try required(0), gate = scratchName()
        try hardSigmoid(x, alpha: 1.0 / 6, beta: 0.5, output: gate)
        try emit(.mul, [x, gate])
    }

    /// Clip with constant bounds (inputs from opset 11); computed bounds become max/min.
    mutating func clip() throws(DiagnosticError) {
        let x = try required(0)
        let low = input(1), high = input(2)
        if (low == nil || knownFloat(low) != nil) && (high == nil || knownFloat(high) != nil) {
            try emit(.clip, [x], ["min": .float(knownFloat(low) ?? -.infinity), "max": .float(knownFloat(high) ?? .infinity)])
            return
        }
        var current = x
        if let low {
            let name = high == nil ? node.outputs[0] : scratchName()
            try emit(.max, [current, low], outputs: [name])
            current = name
        }
        if let high { try emit(.min, [current, high], outputs: [node.outputs[0]]) }
    }

    mutating func cast() throws(DiagnosticError) {
        let x = try required(0)
        let to: DType
        switch ONNXDataType(rawValue: Int64(int("to", default: 0))) {
        case .float: to = .f32
        case .double: to = .f64
        case .int32: to = .i32
        case .int64: to = .i64
        case .bool: to = .bool
        case let other: throw fail("cast to \(other?.name ?? "type \(int("to", default: 0))") is not supported")
        }
        // A shape vector stays a shape vector through a cast to an integer type.
        if case .dims(let dims)? = known[x], to == .i64 || to == .i32 {
            known[node.outputs[0]] = .dims(dims)
            return
        }
        try emit(.cast, [x], ["to": .dtype(to)])
    }

    // MARK: convolution and pooling

    /// auto_pad as Lepton's `padding`.
    func padding() throws(DiagnosticError) -> String {
        switch string("auto_pad", default: "NOTSET") {
        case "NOTSET": return "explicit"
        case "SAME_UPPER": return "same"
        case "SAME_LOWER": return "same_lower"
        case "VALID": return "valid"
        case let other: throw fail("auto_pad '\(other)' is not an ONNX padding mode")
        }
    }

    mutating func convolution(_ op: Op) throws(DiagnosticError) {
        let x = try required(0), w = try required(1)
        guard try type(w).rank == 4 else { throw fail("only 2-D convolutions are supported (weight of rank \(try type(w).rank))") }
        var attributes: [String: Attribute] = [
            "strides": .ints(ints("strides") ?? [1, 1]), "dilations": .ints(ints("dilations") ?? [1, 1]),
            "pads": .ints(ints("pads") ?? [0, 0, 0, 0]), "group": .int(int("group", default: 1)), "padding": .choice(try padding()),
        ]
        if op == .conv_transpose2d {
            guard ints("output_shape") == nil else { throw fail("output_shape is not supported; give pads and output_padding") }
            attributes["output_padding"] = .ints(ints("output_padding") ?? [0, 0])
        }
        try emit(op, [x, w] + (input(2).map { [$0] } ?? []), attributes)
    }

    mutating func pool(_ op: Op) throws(DiagnosticError) {
        try noExtraOutputs("indices")
        guard let kernel = ints("kernel_shape"), kernel.count == 2 else { throw fail("only 2-D pooling with kernel_shape is supported") }
        var attributes: [String: Attribute] = [
            "kernel": .ints(kernel), "strides": .ints(ints("strides") ?? [1, 1]), "pads": .ints(ints("pads") ?? [0, 0, 0, 0]),
            "padding": .choice(try padding()), "ceil_mode": .bool(int("ceil_mode", default: 0) != 0),
        ]
        if op == .max_pool2d {
            attributes["dilations"] = .ints(ints("dilations") ?? [1, 1])
        } else {
            guard (ints("dilations") ?? [1, 1]) == [1, 1] else { throw fail("dilated average pooling is not supported") }
            attributes["count_include_pad"] = .bool(int("count_include_pad", default: 0) != 0)
        }
        try emit(op, [try required(0)], attributes)
    }

    /// LRN (AlexNet, GoogLeNet): x / (bias + alpha/size · Σ x² over `size` neighbouring
    /// channels)^beta. The channel window sum is an average pool over x² seen as [N, 1, C, H·W]
    /// with zero padding counted (so it is the sum / size), which Lepton has.
    mutating func localResponseNormalization() throws(DiagnosticError) {
        let x = try required(0)
        let type = try type(x)
        guard type.rank == 4, case .fixed(let channels) = type.shape[1], case .fixed(let height) = type.shape[2],
              case .fixed(let width) = type.shape[3] else { throw fail("LRN needs an input [N, C, H, W] with known C, H and W") }
        let size = int("size", default: 0)
        guard size > 0 else { throw fail("needs size") }
        let (alpha, beta, bias) = (float("alpha", default: 1e-4), float("beta", default: 0.75), float("bias", default: 1))
        let squared = scratchName(), columns = scratchName(), window = scratchName(), back = scratchName()
        let scaled = scratchName(), shifted = scratchName(), denominator = scratchName()
        try emit(.mul, [x, x], outputs: [squared])
        try emit(.reshape, [squared], ["shape": .ints([0, 1, channels, height * width])], outputs: [columns])
        try emit(.avg_pool2d, [columns], [
            "kernel": .ints([size, 1]), "pads": .ints([(size - 1) / 2, 0, size / 2, 0]), "count_include_pad": .bool(true),
        ], outputs: [window])
        try emit(.reshape, [window], ["shape": .ints([0, channels, height, width])], outputs: [back])
        try emit(.mul, [back, scalar(alpha, type.dtype)], outputs: [scaled])
        try emit(.add, [scaled, scalar(bias, type.dtype)], outputs: [shifted])
        try emit(.pow, [shifted, scalar(beta, type.dtype)], outputs: [denominator])
        try emit(.div, [x, denominator])
    }

    /// OneHot(indices, depth, values) along the last axis: Lepton's one_hot (0/1 rows), scaled
    /// and shifted when `values` is not [0, 1]. Float indices are truncated first, as ONNX
    /// says; negative indices are refused when the kernel meets them.
    mutating func oneHot() throws(DiagnosticError) {
        var indices = try required(0)
        let rank = try type(indices).rank
        let axis = int("axis", default: -1)
        guard axis == -1 || axis == rank else { throw fail("only axis -1 (the new last axis) is supported") }
        let depth = try knownInts(input(1), "depth")
        guard depth.count == 1, depth[0] > 0 else { throw fail("depth must be one positive constant") }
        guard let values = knownTensor(input(2)), values.count == 2 else { throw fail("values must be a constant [off, on]") }
        if try type(indices).dtype.isFloatingPoint {
            let cast = scratchName()
            try emit(.cast, [indices], ["to": .dtype(.i64)], outputs: [cast])
            indices = cast
        }
        let (off, on) = (values.doubles[0], values.doubles[1])
        if off == 0 && on == 1 {
            try emit(.one_hot, [indices], ["depth": .int(depth[0]), "dtype": .dtype(values.dtype)])
            return
        }
        guard values.dtype != .bool else { throw fail("bool values must be [false, true]") }
        let hot = scratchName(), scaled = scratchName()
        try emit(.one_hot, [indices], ["depth": .int(depth[0]), "dtype": .dtype(values.dtype)], outputs: [hot])
        try emit(.mul, [hot, scalar(on - off, values.dtype)], outputs: [scaled])
        try emit(.add, [scaled, scalar(off, values.dtype)])
    }

    // MARK: reductions

    mutating func reduction(_ op: Op, axesInputFrom version: Int64, square: Bool = false, root: Bool = false) throws(DiagnosticError) {
        var x = try required(0)
        let axes = opset >= version ? (input(1) == nil ? [] : try knownInts(input(1), "axes")) : (ints("axes") ?? [])
        let keepdims = int("keepdims", default: 1) != 0
        if axes.isEmpty && int("noop_with_empty_axes", default: 0) != 0 {
            try emit(.identity, [x])
            return
        }
        if square {
            let squared = scratchName()
            try emit(.mul, [x, x], outputs: [squared])
            x = squared
        }
        let output = root ? scratchName() : node.outputs[0]
        try emit(op, [x], ["axes": .ints(axes), "keepdims": .bool(keepdims)], outputs: [output])
        if root { try emit(.sqrt, [output]) }
    }

    mutating func argReduction(_ op: Op) throws(DiagnosticError) {
        try emit(op, [try required(0)], [
            "axis": .int(int("axis", default: 0)), "keepdims": .bool(int("keepdims", default: 1) != 0),
            "select_last_index": .bool(int("select_last_index", default: 0) != 0),
        ])
    }

    // MARK: recurrent

    /// LSTM/GRU in ONNX's default form (gate layouts iofc / zrh are Lepton's too): no
    /// sequence_lens, no peepholes, default activations, layout 0.
    mutating func recurrent(_ op: Op) throws(DiagnosticError) {
        guard input(4) == nil else { throw fail("sequence_lens is not supported (every sequence runs to full length)") }
        guard op == .gru || input(7) == nil else { throw fail("peephole weights (P) are not supported") }
        guard int("layout", default: 0) == 0 else { throw fail("layout=1 (batch first) is not supported") }
        guard node.attribute("activations") == nil || isDefaultActivations(op) else { throw fail("only the default activations are supported") }
        guard node.attribute("clip") == nil else { throw fail("cell clipping is not supported") }
        guard int("input_forget", default: 0) == 0 else { throw fail("input_forget is not supported") }
        let hidden = int("hidden_size", default: 0)
        guard hidden > 0 else { throw fail("needs hidden_size") }
        let direction = string("direction", default: "forward")
        let x = try required(0), w = try required(1), r = try required(2)
        var operands = [x, w, r]
        let initialH = input(5), initialC = op == .lstm ? input(6) : nil
        let gates = op == .lstm ? 4 : 3
        let directions = direction == "bidirectional" ? 2 : 1
        if let b = input(3) {
            operands.append(b)
        } else if initialH != nil || initialC != nil {
            let dtype = try type(w).dtype
            let zeros = scratchName()
            known[zeros] = .tensor(Tensor.filled(dtype, shape: [directions, 2 * gates * hidden], with: 0))
            operands.append(zeros)
        }
        if let initialH { operands.append(initialH) }
        if let initialC {
            if initialH == nil { throw fail("initial_c without initial_h is not supported") }
            operands.append(initialC)
        }
        var attributes: [String: Attribute] = ["hidden_size": .int(hidden), "direction": .choice(direction)]
        if op == .gru { attributes["linear_before_reset"] = .bool(int("linear_before_reset", default: 0) != 0) }
        try emit(op, operands, attributes)
    }

    private func isDefaultActivations(_ op: Op) -> Bool {
        guard case .strings(let names)? = node.attribute("activations") else { return false }
        let one = op == .lstm ? ["Sigmoid", "Tanh", "Tanh"] : ["Sigmoid", "Tanh"]
        return names == one || names == one + one
    }
}
