import LeptonIR

// Canonicalization of copies, casts and data movement. Reshape is the canonical view op:
// flatten/squeeze/unsqueeze become reshapes, so one rule collapses every chain of views.

extension SimplifyRules {
    /// `identity(x) -> x`. An output defined as `identity` of an input or a param stays
    /// (outputs are produced by nodes); otherwise the producer of x takes the output's name.
    static let identity = RewriteRule("identity") { site in
        site.node.op == .identity ? .replace(with: site.node.inputs[0]) : nil
    }

    /// `cast(x, to: T) -> x` when x is already T.
    static let castSame = RewriteRule("cast-same") { site in
        guard site.node.op == .cast, site.type(site.node.inputs[0]).dtype == site.node.attributes.dtype("to") else { return nil }
        return .replace(with: site.node.inputs[0])
    }

    /// A data-movement op whose result has exactly its input's type moves nothing:
    /// reshape/flatten/squeeze/unsqueeze to the same shape, expand to the same shape, tile by
    /// all ones, transpose by the identity permutation.
    static let noOpMovement = RewriteRule("no-op-movement") { site in
        let node = site.node
        guard [.reshape, .flatten, .squeeze, .unsqueeze, .expand, .tile, .transpose].contains(node.op),
              site.type(node.inputs[0]) == site.resultType else { return nil }
        if node.op == .transpose {
            let perm = node.attributes.ints("perm")
            guard perm.isEmpty ? site.resultType.rank <= 1 : perm == Array(perm.indices) else { return nil }
        }
        return .replace(with: node.inputs[0])
    }

    /// `transpose(transpose(x, p), q) -> transpose(x, p∘q)` (`[p[q[0]], p[q[1]], …]`); when
    /// that is the identity, no-op-movement then removes it.
    static let transposeChain = RewriteRule("transpose-chain") { site in
        let node = site.node
        guard node.op == .transpose, let inner = site.producer(of: node.inputs[0]), inner.op == .transpose else { return nil }
        let rank = site.resultType.rank
        let p = explicitPerm(inner.attributes.ints("perm"), rank: rank)
        let q = explicitPerm(node.attributes.ints("perm"), rank: rank)
        guard p.count == rank, q.count == rank, q.allSatisfy({ p.indices.contains($0) }) else { return nil }
        return .node(.transpose, [inner.inputs[0]], ["perm": .ints(q.map { p[$0] })])
    }

    /// flatten, squeeze and unsqueeze become `reshape` with the shape written out (0 copies an
    /// input dim, one -1 stands for a symbolic dim that moved), when that can be expressed.
    static let viewToReshape = RewriteRule("view-to-reshape") { site in
        let node = site.node
        guard [.flatten, .squeeze, .unsqueeze].contains(node.op),
              let shape = reshapeAttribute(to: site.resultType, from: site.type(node.inputs[0])) else { return nil }
        return .node(.reshape, [node.inputs[0]], ["shape": .ints(shape)])
    }

    /// `reshape(reshape(x)) -> reshape(x)`: only the final shape matters.
    static let reshapeChain = RewriteRule("reshape-chain") { site in
        let node = site.node
        guard node.op == .reshape, let inner = site.producer(of: node.inputs[0]), inner.op == .reshape,
              let shape = reshapeAttribute(to: site.resultType, from: site.type(inner.inputs[0])) else { return nil }
        return .node(.reshape, [inner.inputs[0]], ["shape": .ints(shape)])
    }

    /// `[]` (reverse) spelled out for `rank`.
    static func explicitPerm(_ perm: [Int], rank: Int) -> [Int] {
        perm.isEmpty ? Array((0..<rank).reversed()) : perm
    }

    /// A reshape `shape` attribute giving `target` from `source`: fixed dims as numbers, a
    /// symbolic dim as 0 where the input has the same symbol at that index, else as the one -1.
    /// The rewriter re-infers the type, so a shape that does not give `target` is never used.
    static func reshapeAttribute(to target: TensorType, from source: TensorType) -> [Int]? {
        var shape: [Int] = []
        var inferred = false
        for (i, dim) in target.shape.enumerated() {
            let copies = i < source.rank && source.shape[i] == dim
            switch dim {
            case .fixed(let n) where n > 0: shape.append(n)
            case _ where copies: shape.append(0)
            case _ where !inferred:
                inferred = true
                shape.append(-1)
            default: return nil
            }
        }
        return shape
    }
}
