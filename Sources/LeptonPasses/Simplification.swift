import LeptonIR

public let simplification = Pass(name: "simplify", summary: "algebraic simplification") { _, _ in false }
