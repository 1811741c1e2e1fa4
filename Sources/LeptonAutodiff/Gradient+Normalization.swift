import LeptonIR

/// Gradients of the normalizations.
func normalizationGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    throw GradientError("\(rule.op) has no gradient rule yet")
}
