import Testing
@testable import Lepton

@Test func opSchemasAreWellFormed() {
    for op in Op.allCases {
        let schema = op.schema
        // Only trailing operands may be optional, and only the last may be variadic.
        if let firstOptional = schema.inputs.firstIndex(where: \.isOptional) {
            let rest = schema.inputs[firstOptional...]
            #expect(rest.allSatisfy { $0.isOptional }, "\(op)")
        }
        if let variadic = schema.inputs.firstIndex(where: \.isVariadic) {
            #expect(variadic == schema.inputs.count - 1, "\(op)")
        }
    }
}
