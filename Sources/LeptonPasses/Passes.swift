import LeptonIR

/// The registry of passes users can name (`--passes`, `--dump-after`) and the `-O` pipelines.
public enum Passes {
    /// Every pass of this build, in `--print-passes` order. (The fusion passes add themselves
    /// here, one line each.)
    public static let all: [Pass] = [
        simplification,
        constantFolding,
        commonSubexpressionElimination,
        deadCodeElimination,
        .foldPad,
        .foldBatchNorm,
        .formLinear,
        .foldAffine,
        .fuseEpilogue,
        .fuseElementwise,
        .fuseReductions,
        .prepack,
    ]

    public static func named(_ name: String) -> Pass? { all.first { $0.name == name } }

    /// The pass names of `-O<level>`: 0 runs nothing; 1 cleans up; 2 also folds inference
    /// patterns and fuses. Names this build does not register are skipped by `pipeline`.
    public static func pipelineNames(level: Int) -> [String] {
        switch level {
        case ...0:
            []
        case 1:
            ["simplify", "fold", "cse", "dce"]
        default:
            ["simplify", "fold", "fold-pad", "fold-batch-norm", "form-linear", "fold-affine", "simplify", "fold",
             "cse", "dce", "fuse-epilogue", "fuse-elementwise", "fuse-reductions", "prepack", "dce"]
        }
    }

    /// The passes of `-O<level>` that exist in this build, in order.
    public static func pipeline(level: Int) -> [Pass] {
        pipelineNames(level: level).compactMap(named)
    }

    /// The passes for a comma-separated list (`simplify,fold,dce`); throws naming an unknown
    /// pass and listing the known ones.
    public static func parseList(_ list: String) throws(DiagnosticError) -> [Pass] {
        var result: [Pass] = []
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: " ")
            guard let pass = named(name) else {
                let known = all.map(\.name).joined(separator: ", ")
                throw DiagnosticError(at: .unknown, "unknown pass '\(name)' (passes: \(known))")
            }
            result.append(pass)
        }
        return result
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
