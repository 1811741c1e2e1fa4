import LeptonIR

/// Canonicalization and algebraic simplification: small pattern rules (`RewriteRule`s, each a
/// value in SimplifyRules+*.swift with its own golden test) run to a fixpoint by one driver,
/// the `Rewriter`. Every rule keeps dtype and shape exactly and changes no result (the
/// exceptions, for the sign of a zero, are spelled out on the rule); integer-only rules say why.
///
///     %0: f32[] = constant(value: 1.0, dtype: f32)
///     %1: f32[N, 4] = mul(x, %0)
///     %2: f32[N, 4] = neg(%1)
///     y: f32[N, 4] = neg(%2)
///   ->
///     y: f32[N, 4] = identity(x)      // an output stays produced by a node
///
/// Nodes a rewrite leaves unread are `dce`'s to remove.
public let simplification = Pass(name: "simplify", summary: "algebraic simplification and canonicalization (pattern rules to a fixpoint)") {
    graph, context in
    let applied = Rewriter(rules: SimplifyRules.all).run(&graph, notes: &context.notes)
    guard !applied.isEmpty else { return false }
    graph = graph.canonicalized()
    return true
}

/// The rules of `simplify`, in the order they are tried at each node.
public enum SimplifyRules {
    public static let all: [RewriteRule] = [
        identity, castSame, noOpMovement, transposeChain, viewToReshape, reshapeChain,
        addZero, subZero, mulOne, divOne, mulZeroInteger, subSelfInteger, divByPowerOfTwo,
        doubleNegation, idempotent, splatToScalar,
    ]
}
