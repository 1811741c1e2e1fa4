import LeptonIR

/// Shape and data-movement ops, and the constant-producing ops. Shape arithmetic on a value
/// with symbolic dims (`Shape`, then `Gather`/`Slice`/`Unsqueeze`/`Squeeze`/`Concat`/`Cast`)
/// is followed as dims, so the `Reshape`/`Expand` it feeds gets static attributes.
extension ONNXImport {
    mutating func shape() throws(DiagnosticError) {
        let dims = try type(required(0)).shape
        let rank = dims.count
        func clamp(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + rank : v, 0), rank) }
        let start = clamp(int("start", default: 0)), end = clamp(int("end", default: rank))
        known[node.outputs[0]] = .shape(start < end ? Array(dims[start..<end]) : [])
    }

    mutating func size() throws(DiagnosticError) {
        guard let shape = try type(required(0)).fixedShape else { throw fail("the size of a value with symbolic dims is not known when importing") }
        known[node.outputs[0]] = .tensor(Tensor(scalar: Int64(shape.reduce(1, *))))
    }

    // MARK: constants

    mutating func constant() throws(DiagnosticError) {
        let output = node.outputs[0]
        guard let (name, value) = node.attributes.first.map({ ($0.name, $0.value) }) else { throw fail("has no value") }
        switch (name, value) {
        case ("value", .tensor(let t)): known[output] = .tensor(try tensor(t, bytes: fileBytes))
        case ("value_float", .float(let f)): known[output] = .tensor(Tensor(scalar: f))
        case ("value_floats", .floats(let fs)): known[output] = .tensor(Tensor(shape: [fs.count], scalars: fs))
        case ("value_int", .int(let v)): known[output] = .tensor(Tensor(scalar: v))
        case ("value_ints", .ints(let vs)): known[output] = .tensor(Tensor(shape: [vs.count], scalars: vs))
        default: throw fail("a constant given as '\(name)' is not supported")
        }
    }

    mutating func constantOfShape() throws(DiagnosticError) {
        let shape = try knownInts(input(0), "the shape")
        var fill = Tensor(shape: [], scalars: [Float(0)])
        if case .tensor(let t)? = node.attribute("value") {
            fill = try tensor(t, bytes: fileBytes)
            guard fill.count == 1 else { throw fail("value must hold one element") }
            fill = fill.reshaped([])
        }
        let scalar = scratchName()
        known[scalar] = .tensor(fill)
        try emit(.expand, [scalar], ["shape": .ints(shape)])
    }

    mutating func range() throws(DiagnosticError) {
        guard let start = knownTensor(input(0)), let limit = knownTensor(input(1)), let delta = knownTensor(input(2)),
              start.count == 1, limit.count == 1, delta.count == 1 else {
            throw fail("start, limit and delta must be constant scalars")
        }
        let (s, l, d) = (start.doubles[0], limit.doubles[0], delta.doubles[0])
        guard d != 0, d.isFinite, s.isFinite, l.isFinite else { throw fail("delta must be finite and non-zero") }
        let steps = ((l - s) / d).rounded(.up)
        guard steps <= Double(Self.foldLimit) else { throw fail("a range of \(steps) elements is too large to fold") }
        let count = steps > 0 ? Int(steps) : 0
        let values = (0..<count).map { s + Double($0) * d }
        // Integer ranges near the ends of their type may round past them in doubles: clamp.
        func clamped<T: FixedWidthInteger>(_ v: Double, _: T.Type) -> T {
            v >= Double(T.max) ? T.max : v <= Double(T.min) ? T.min : T(v)
        }
        let result: Tensor
        switch start.dtype {
        case .f32: result = Tensor(shape: [count], scalars: values.map { Float($0) })
        case .f64: result = Tensor(shape: [count], scalars: values)
        case .i32: result = Tensor(shape: [count], scalars: values.map { clamped($0, Int32.self) })
        default: result = Tensor(shape: [count], scalars: values.map { clamped($0, Int64.self) })
        }
        known[node.outputs[0]] = .tensor(result)
    }

    // MARK: shape vectors

    /// Input `i` as dims: a shape vector (symbolic or a constant 1-D integer tensor).
    func dims(_ name: String?) -> [Dim]? {
        guard let name else { return nil }
        switch known[name] {
        case .dims(let d)?: return d
        case .tensor(let t)? where t.rank == 1: return t.intValues.map { $0.map { Dim.fixed($0) } }
        default: return nil
        }
    }

    func scalarDim(_ name: String?) -> Dim? {
        guard let name else { return nil }
        switch known[name] {
        case .dim(let d)?: return d
        case .tensor(let t)? where t.rank == 0: return t.intValues.map { .fixed($0[0]) }
        default: return nil
        }
    }

    /// Whether any input is a symbolic shape vector or size (so the dims path applies).
    var readsSymbolicShape: Bool {
        node.inputs.contains { name in
            switch known[name] {
            case .dims?, .dim?: return true
            default: return false
            }
        }
    }

    mutating func squeeze() throws(DiagnosticError) {
        let x = try required(0)
        let axes = input(1) == nil ? [] : try knownInts(input(1), "axes")
        if readsSymbolicShape, let d = dims(x), d.count == 1, axes.isEmpty || axes == [0] || axes == [-1] {
            known[node.outputs[0]] = .size(d[0])
            return
        }
        try emit(.squeeze, [x], ["axes": .ints(axes)])
    }

    mutating func unsqueeze() throws(DiagnosticError) {
        let x = try required(0)
        let axes = try knownInts(input(1), "axes")
        if let d = scalarDim(x), readsSymbolicShape, axes == [0] || axes == [-1] {
            known[node.outputs[0]] = .shape([d])
            return
        }
        try emit(.unsqueeze, [x], ["axes": .ints(axes)])
    }

    mutating func concat() throws(DiagnosticError) {
        let inputs = node.inputs.filter { !$0.isEmpty }
        if readsSymbolicShape {
            var all: [Dim] = []
            for name in inputs {
                guard let d = dims(name) ?? scalarDim(name).map({ [$0] }) else { throw fail("concatenates a symbolic shape with computed values") }
                all += d
            }
            known[node.outputs[0]] = .shape(all)
            return
        }
        try emit(.concat, inputs, ["axis": .int(int("axis", default: 0))])
    }

    mutating func gather() throws(DiagnosticError) {
        let data = try required(0), indices = try required(1)
        if readsSymbolicShape, let d = dims(data), let index = knownTensor(indices)?.intValues {
            func at(_ k: Int) throws(DiagnosticError) -> Dim {
                let j = k < 0 ? k + d.count : k
                guard d.indices.contains(j) else { throw fail("index \(k) is out of range for a shape of rank \(d.count)") }
                return d[j]
            }
            if knownTensor(indices)?.rank == 0 {
                known[node.outputs[0]] = .size(try at(index[0]))
            } else {
                var picked: [Dim] = []
                for k in index { picked.append(try at(k)) }
                known[node.outputs[0]] = .shape(picked)
            }
            return
        }
        try emit(.gather, [data, indices], ["axis": .int(int("axis", default: 0))])
    }

    mutating func slice() throws(DiagnosticError) {
        let data = try required(0)
        let starts = try knownInts(input(1), "starts"), ends = try knownInts(input(2), "ends")
        let axes = input(3) == nil ? [] : try knownInts(input(3), "axes")
        let steps = input(4) == nil ? [] : try knownInts(input(4), "steps")
        if readsSymbolicShape, let d = dims(data), starts.count == 1, axes.isEmpty || axes == [0] {
            let step = steps.first ?? 1
            guard step > 0 else { throw fail("a reversed slice of a shape is not supported") }
            func clamp(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + d.count : v, 0), d.count) }
            let (s, e) = (clamp(starts[0]), clamp(ends[0]))
            known[node.outputs[0]] = .shape(s < e ? Array(stride(from: s, to: e, by: step).map { d[$0] }) : [])
            return
        }
        try emit(.slice, [data], ["starts": .ints(starts), "ends": .ints(ends), "axes": .ints(axes), "steps": .ints(steps)])
    }

    // MARK: reshaping

    mutating func reshape() throws(DiagnosticError) {
        let x = try required(0)
        guard let target = dims(input(1)) else { throw fail("the target shape must be a constant or computed from shapes") }
        let source = try type(x).shape
        let allowZero = int("allowzero", default: 0) != 0
        var shape: [Int] = []
        var inferred = false
        for (axis, dim) in target.enumerated() {
            switch dim {
            case .fixed(0) where allowZero:
                throw fail("allowzero=1 with a zero-sized dim is not supported")
            case .fixed(let n):
                shape.append(n)
            case .symbol(let s) where axis < source.count && source[axis] == .symbol(s):
                shape.append(0)
            case .symbol(let s):
                guard !inferred, !target.contains(.fixed(-1)) else { throw fail("cannot express the target shape \(shapeText(target)) (symbol \(s) moves)") }
                inferred = true
                shape.append(-1)
            }
        }
        try emit(.reshape, [x], ["shape": .ints(shape)])
    }

    mutating func expand() throws(DiagnosticError) {
        let x = try required(0)
        guard let target = dims(input(1)) else { throw fail("the target shape must be a constant or computed from shapes") }
        let source = try type(x).shape
        var shape: [Int] = []
        for (k, dim) in target.enumerated() {
            switch dim {
            case .fixed(let n): shape.append(n)
            case .symbol(let s):
                // Aligned from the right, a dim the input already has broadcasts as 1.
                let axis = source.count - target.count + k
                guard axis >= 0, source[axis] == .symbol(s) else { throw fail("cannot expand to symbolic dim \(s) the input does not have") }
                shape.append(1)
            }
        }
        try emit(.expand, [x], ["shape": .ints(shape)])
    }

    mutating func split() throws(DiagnosticError) {
        let x = try required(0)
        let rank = try type(x).rank
        var axis = int("axis", default: 0)
        if axis < 0 { axis += rank }
        let outputs = node.outputs.count
        var attributes: [String: Attribute] = ["axis": .int(axis)]
        if let sizes = input(1) {
            attributes["sizes"] = .ints(try knownInts(sizes, "split sizes"))
        } else {
            let pieces = int("num_outputs", default: outputs)
            guard pieces >= 1, pieces == outputs else { throw fail("num_outputs \(pieces) does not match the node's \(outputs) outputs") }
            if case .fixed(let n)? = (0..<rank).contains(axis) ? try type(x).shape[axis] : nil, n % pieces != 0 {
                // ONNX makes the last piece smaller when the dim does not divide evenly.
                let size = (n + pieces - 1) / pieces
                attributes["sizes"] = .ints((0..<pieces).map { Swift.min(size, n - $0 * size) })
            } else {
                attributes["parts"] = .int(pieces)
            }
        }
        try emit(.split, [x], attributes)
    }

    mutating func pad() throws(DiagnosticError) {
        let x = try required(0)
        let rank = try type(x).rank
        var pads = try knownInts(input(1), "pads")
        if let axesName = input(3) {
            let axes = try knownInts(axesName, "axes")
            guard pads.count == 2 * axes.count else { throw fail("pads has \(pads.count) entries for \(axes.count) axes") }
            var full = [Int](repeating: 0, count: 2 * rank)
            for (k, axis) in axes.enumerated() {
                let a = axis < 0 ? axis + rank : axis
                guard (0..<rank).contains(a) else { throw fail("axis \(axis) is out of range") }
                (full[a], full[rank + a]) = (pads[k], pads[axes.count + k])
            }
            pads = full
        }
        let mode = string("mode", default: "constant")
        guard ["constant", "reflect", "edge"].contains(mode) else { throw fail("pad mode '\(mode)' is not supported") }
        var value = 0.0
        if let given = input(2) {
            guard let constant = knownFloat(given) else { throw fail("constant_value must be a constant") }
            value = constant
        }
        try emit(.pad, [x], ["pads": .ints(pads), "mode": .choice(mode), "value": .float(value)])
    }
}
