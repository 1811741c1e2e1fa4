import Testing
@testable import LeptonIR

/// Random but reproducible operands and attributes (of the schema's kinds, as every node's are).
private struct Fuzzer {
    var rng: SplitMix64

    mutating func pick<T>(_ choices: [T]) -> T { choices[Int(rng.next() % UInt64(choices.count))] }

    mutating func dim() -> Dim {
        pick([.fixed(0), .fixed(1), .fixed(1), .fixed(2), .fixed(3), .fixed(4), .fixed(6), .fixed(1 << 40),
              .symbol("N"), .symbol("M")])
    }

    mutating func type() -> TensorType {
        let rank = pick([0, 1, 2, 3, 3, 4, 4, 4])
        return TensorType(pick(DType.allCases), (0..<rank).map { _ in dim() })
    }

    mutating func int() -> Int { pick([-5, -2, -1, 0, 0, 1, 1, 2, 3, 4, 8, 1 << 40, Int.max, Int.min]) }

    mutating func attribute(_ kind: AttributeKind) -> Attribute {
        switch kind {
        case .int: .int(int())
        case .float: .float(pick([0, -1, 0.5, .infinity, .nan]))
        case .bool: .bool(pick([true, false]))
        case .ints: .ints((0..<pick([0, 1, 2, 2, 3, 4, 4, 6])).map { _ in int() })
        case .floats: .floats([1])
        case .string: .string("x")
        case .dtype: .dtype(pick(DType.allCases))
        case .tensor: .tensor(pick([Tensor(scalar: Float(1)), Tensor(shape: [2], scalars: [Int64(1), 2])]))
        case .choice(let words): .choice(pick(words))
        }
    }
}

/// No operand list or attribute values may crash a shape rule; accepted ones give sane types.
@Test(arguments: Op.allCases)
func shapeRuleNeverTraps(_ op: Op) {
    var fuzz = Fuzzer(rng: SplitMix64(seed: fnv1a64(op.mnemonic)))
    for _ in 0..<1500 {
        let count = fuzz.pick([0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7])
        let inputs = (0..<count).map { _ in fuzz.type() }
        var attributes = op.schema.defaults
        for spec in op.schema.attributes where spec.defaultValue == nil || fuzz.pick([true, false]) {
            attributes[spec.name] = fuzz.attribute(spec.kind)
        }
        guard let outputs = try? op.inferTypes(inputs, attributes) else { continue }
        for output in outputs {
            #expect(output.shape.allSatisfy { ($0.fixedValue ?? 0) >= 0 }, "\(op) \(inputs) -> \(output)")
            if inputs.allSatisfy({ $0.fixedShape != nil }) {
                #expect(output.fixedShape != nil, "\(op) \(inputs) -> \(output): known in, known out")
            }
        }
    }
}

/// Mutants of every accepted case (one dim, dtype, attribute or operand changed) reach the
/// deep checks of each rule; none may trap, and accepted ones must give sane types.
@Test func mutatedShapeCasesNeverTrap() {
    var fuzz = Fuzzer(rng: SplitMix64(seed: 7))
    for c in shapeCases1 + shapeCases2 + shapeCasesTraining {
        let base = c.inputs.map(ty)
        for _ in 0..<60 {
            var inputs = base
            var attributes = LeptonTests.attributes(c.op, c.attributes)
            for _ in 0..<fuzz.pick([1, 1, 2]) { fuzz.mutate(&inputs, &attributes, c.op) }
            guard let outputs = try? c.op.inferTypes(inputs, attributes) else { continue }
            for output in outputs {
                #expect(output.shape.allSatisfy { ($0.fixedValue ?? 0) >= 0 }, "\(c.op) \(inputs) -> \(output)")
            }
        }
    }
}

private extension Fuzzer {
    mutating func mutate(_ inputs: inout [TensorType], _ attributes: inout Attributes, _ op: Op) {
        let specs = op.schema.attributes
        switch pick([0, 0, 0, 1, 2, 2, 2, 3]) {
        case 0 where !inputs.isEmpty:
            let i = pick(Array(inputs.indices))
            if !inputs[i].shape.isEmpty { inputs[i].shape[pick(Array(inputs[i].shape.indices))] = dim() }
        case 1 where !inputs.isEmpty:
            inputs[pick(Array(inputs.indices))].dtype = pick(DType.allCases)
        case 2 where !specs.isEmpty:
            let spec = pick(specs)
            if case .ints(var values) = attributes[spec.name], !values.isEmpty, pick([true, false]) {
                values[pick(Array(values.indices))] &+= pick([-1, 1, -2])
                attributes[spec.name] = .ints(values)
            } else {
                attributes[spec.name] = attribute(spec.kind)
            }
        default:
            if pick([true, false]), !inputs.isEmpty { inputs.removeLast() } else { inputs.append(type()) }
        }
    }
}
