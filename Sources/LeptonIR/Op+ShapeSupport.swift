// Checks shared by the shape rules. Every message starts with the op's name, so the
// frontend can show it as is.

extension Op {
    /// An error naming this op: `fail("cannot …")` reads "add cannot …".
    func fail(_ message: String, operand: Int? = nil) -> ShapeError {
        ShapeError("\(mnemonic) \(message)", operand: operand)
    }

    /// The schema's name for operand `index` (`x`, `w`, …; `inputs[2]` for variadic ones).
    func operandName(_ index: Int) -> String {
        let specs = schema.inputs
        if let last = specs.last, last.isVariadic, index >= specs.count - 1 {
            return "\(last.name)[\(index - specs.count + 1)]"
        }
        return index < specs.count ? specs[index].name : "operand \(index)"
    }

    func checkOperandCount(_ count: Int) throws(ShapeError) {
        let (low, high) = schema.arity
        let noun = { (n: Int) in n == 1 ? "operand" : "operands" }
        if let high, count < low || count > high {
            let expected = low == high ? "\(low)" : "\(low) to \(high)"
            throw fail("expects \(expected) \(noun(high)), got \(count)")
        }
        if high == nil, count < low {
            throw fail("expects at least \(low) \(noun(low)), got \(count)")
        }
    }

    func requireFloat(_ inputs: [TensorType], _ index: Int) throws(ShapeError) {
        let dtype = inputs[index].dtype
        guard dtype.isFloatingPoint else {
            throw fail("expects a floating-point \(operandName(index)), got \(dtype)", operand: index)
        }
    }

    func requireNumeric(_ inputs: [TensorType], _ index: Int) throws(ShapeError) {
        let dtype = inputs[index].dtype
        guard dtype.isNumeric else {
            throw fail("expects a numeric \(operandName(index)), got \(dtype)", operand: index)
        }
    }

    func requireBool(_ inputs: [TensorType], _ index: Int) throws(ShapeError) {
        let dtype = inputs[index].dtype
        guard dtype == .bool else {
            throw fail("expects a bool \(operandName(index)), got \(dtype)", operand: index)
        }
    }

    /// Operand `index` must have the dtype of operand `other` (no implicit promotion).
    func requireSameDType(_ inputs: [TensorType], _ index: Int, as other: Int) throws(ShapeError) {
        let (a, b) = (inputs[other].dtype, inputs[index].dtype)
        guard a == b else {
            throw fail("expects \(operandName(other)) and \(operandName(index)) of one dtype, got \(a) and \(b)", operand: index)
        }
    }

    /// `layout` names the dims for the message, e.g. "[N, C, H, W]".
    func requireRank(_ inputs: [TensorType], _ index: Int, _ rank: Int, _ layout: String) throws(ShapeError) {
        let shape = inputs[index].shape
        guard shape.count == rank else {
            throw fail("expects \(operandName(index)) of rank \(rank) \(layout), got \(shapeText(shape))", operand: index)
        }
    }

    /// An axis attribute in [-rank, rank), made non-negative.
    func axis(_ value: Int, rank: Int, name: String = "axis") throws(ShapeError) -> Int {
        do throws(ShapeError) {
            return try normalizeAxis(value, rank: rank)
        } catch {
            throw fail("\(name) \(value) is out of range for rank \(rank)" + axisRangeText(rank))
        }
    }

    /// Several axes, each normalized; naming one dimension twice is an error.
    func axes(_ values: [Int], rank: Int, name: String = "axes") throws(ShapeError) -> [Int] {
        var result: [Int] = []
        for value in values {
            let a = try axis(value, rank: rank, name: name == "axes" ? "axis" : name)
            guard !result.contains(a) else {
                throw fail("\(name) \(values) name dimension \(a) twice")
            }
            result.append(a)
        }
        return result
    }

    /// The size of `dim`, which this rule cannot compute with symbolically.
    /// `what` describes it: "dimension 2 (H)".
    func known(_ dim: Dim, _ what: String, operand: Int? = nil) throws(ShapeError) -> Int {
        switch dim {
        case .fixed(let n): return n
        case .symbol(let s): throw fail("needs a known size for \(what), got symbol '\(s)'", operand: operand)
        }
    }

    /// `a` broadcast with `b`, the error naming this op.
    func broadcast(_ a: [Dim], _ b: [Dim]) throws(ShapeError) -> [Dim] {
        do throws(ShapeError) {
            return try broadcastShapes(a, b)
        } catch {
            throw fail(error.message)
        }
    }

    /// An `ints` attribute must have exactly `count` entries.
    func requireCount(_ values: [Int], _ count: Int, _ name: String) throws(ShapeError) {
        guard values.count == count else {
            throw fail("expects \(count) \(name), got \(values.count) (\(values))")
        }
    }

    /// Entries of an `ints` attribute must be at least `minimum`.
    func requireAtLeast(_ values: [Int], _ minimum: Int, _ name: String) throws(ShapeError) {
        if let bad = values.first(where: { $0 < minimum }) {
            let bound = minimum == 1 ? "positive" : minimum == 0 ? "non-negative" : ">= \(minimum)"
            throw fail("\(name) must be \(bound), got \(bad) in \(values)")
        }
    }

    func checkedMul(_ a: Int, _ b: Int) throws(ShapeError) -> Int {
        let (r, overflow) = a.multipliedReportingOverflow(by: b)
        if overflow { throw fail("sizes overflow: \(a) * \(b)") }
        return r
    }

    func checkedAdd(_ a: Int, _ b: Int) throws(ShapeError) -> Int {
        let (r, overflow) = a.addingReportingOverflow(b)
        if overflow { throw fail("sizes overflow: \(a) + \(b)") }
        return r
    }

    /// The product of `dims` as one dim: known when all are, a symbol when exactly one symbol
    /// times known sizes of product 1, and 0 whenever a known 0 is among them; else nil.
    func product(_ dims: [Dim]) throws(ShapeError) -> Dim? {
        var fixed = 1
        var symbols: [String] = []
        for dim in dims {
            switch dim {
            case .fixed(let n): fixed = try checkedMul(fixed, n)
            case .symbol(let s): symbols.append(s)
            }
        }
        if fixed == 0 || symbols.isEmpty { return .fixed(fixed) }
        return symbols.count == 1 && fixed == 1 ? .symbol(symbols[0]) : nil
    }
}

/// " (expected -2 to 1)", or " (no axes)" for a scalar.
func axisRangeText(_ rank: Int) -> String {
    rank == 0 ? " (a scalar has no axes)" : " (expected -\(rank) to \(rank - 1))"
}
