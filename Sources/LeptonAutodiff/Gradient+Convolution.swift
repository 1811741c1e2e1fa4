import LeptonIR

/// Gradients of convolutions and pooling.
func convolutionGradient(_ rule: GradientRule, _ b: inout GradientBuilder) throws(GradientError) -> [ValueID?] {
    throw GradientError("\(rule.op) has no gradient rule yet")
}
