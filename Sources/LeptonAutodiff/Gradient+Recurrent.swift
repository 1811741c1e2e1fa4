import LeptonIR

/// Gradients of the recurrent ops.
func recurrentGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    throw GradientError("\(rule.op) has no gradient rule yet")
}
