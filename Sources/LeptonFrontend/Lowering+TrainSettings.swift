import LeptonIR

/// The settings of a `train` block: `optimizer = adam(lr: 0.05)`, `trainable = [w1, b1]`,
/// `l2 = 0.0001` (spec/language.md, section 13). Values are compile-time constants; ranges
/// are checked here so a bad one points at the text instead of surfacing as NaN weights.
extension Lowering {
    mutating func lowerOptimizer(_ setting: Assignment?, of block: TrainDecl) -> OptimizerSpec? {
        guard let setting else {
            report("train block for '\(block.model)' needs an optimizer, e.g. \(Self.settingExample("optimizer"))",
                   at: block.location)
            return nil
        }
        return try? optimizer(from: setting.value)
    }

    private mutating func optimizer(from expr: Expr) throws(LoweringAbort) -> OptimizerSpec {
        let call: Call
        switch expr.kind {
        case .name(let name): call = Call(name: name, operands: [], arguments: [])
        case .call(let c): call = c
        default: throw fail("expected an optimizer, as in \(Self.settingExample("optimizer"))", at: expr.location)
        }
        let kinds = OptimizerSpec.Kind.allCases.map(\.rawValue)
        guard let kind = OptimizerSpec.Kind(rawValue: call.name) else {
            throw fail("unknown optimizer '\(call.name)'\(Self.choices(for: call.name, "valid optimizers", kinds))",
                       at: expr.location)
        }
        if let operand = call.operands.first {
            throw fail("\(kind) takes only named arguments, as in \(kind)(lr: 0.01)", at: operand.location)
        }
        var spec = OptimizerSpec(kind: kind)
        var given: [String: NamedArgument] = [:]
        for argument in call.arguments {
            guard kind.argumentNames.contains(argument.name) else {
                let choices = Self.choices(for: argument.name, "valid arguments", kind.argumentNames)
                throw fail("unknown argument '\(argument.name)' for \(kind)\(choices)", at: argument.location)
            }
            guard given.updateValue(argument, forKey: argument.name) == nil else {
                throw fail("argument '\(argument.name)' given twice", at: argument.location)
            }
            try set(argument, of: &spec)
        }
        if spec.nesterov, spec.momentum == 0, let nesterov = given["nesterov"] {
            throw fail("nesterov needs momentum > 0", at: nesterov.location)
        }
        return spec
    }

    /// Stores one argument, checked against its range: lr and eps > 0, momentum and betas
    /// in [0, 1), weight_decay >= 0, everything finite.
    private mutating func set(_ argument: NamedArgument, of spec: inout OptimizerSpec) throws(LoweringAbort) {
        let value = try evaluateConstant(argument.value, scope: Scope(graphName: "", prefix: ""))
        let what = "argument '\(argument.name)' of \(spec.kind)"
        if argument.name == "nesterov" {
            guard case .bool(let flag) = value else { throw fail("\(what) expects true or false, got \(value)", at: argument.value.location) }
            spec.nesterov = flag
            return
        }
        guard let x = value.doubleValue else { throw fail("\(what) expects a number, got \(value)", at: argument.value.location) }
        let (isValid, range) = switch argument.name {
        case "lr", "eps": (x > 0 && x.isFinite, "> 0")
        case "weight_decay": (x >= 0 && x.isFinite, ">= 0")
        default: (x >= 0 && x < 1, "in [0, 1)")  // momentum, beta1, beta2
        }
        guard isValid else { throw fail("\(what) must be \(range), got \(value)", at: argument.value.location) }
        switch argument.name {
        case "lr": spec.learningRate = x
        case "eps": spec.epsilon = x
        case "weight_decay": spec.weightDecay = x
        case "momentum": spec.momentum = x
        case "beta1": spec.beta1 = x
        default: spec.beta2 = x
        }
    }

    /// `l2 = 0.0001`: a finite number >= 0; 0 when absent.
    mutating func lowerL2(_ setting: Assignment?) -> Double {
        guard let setting, let value = try? evaluateConstant(setting.value, scope: Scope(graphName: "", prefix: "")) else { return 0 }
        guard let x = value.doubleValue, x >= 0, x.isFinite else {
            report("l2 must be a number >= 0, got \(value)", at: setting.value.location)
            return 0
        }
        return x
    }

    /// `trainable = [w1, b1.w]`: distinct floating-point params of the lowered model; nil
    /// (every floating-point param) when absent.
    mutating func lowerTrainable(_ setting: Assignment?, of model: Graph, in block: TrainDecl) -> [String]? {
        let params = model.params.map { model.name(of: $0.value) }
        guard let setting else {
            if !model.params.contains(where: { model.type(of: $0.value).dtype.isFloatingPoint }) {
                report("graph '\(model.name)' has no floating-point params to train", at: block.location)
            }
            return nil
        }
        guard case .list(let items) = setting.value.kind else {
            report("trainable expects a list of param names, as in \(Self.settingExample("trainable"))", at: setting.value.location)
            return nil
        }
        guard !items.isEmpty else {
            report("trainable is empty, so nothing would be trained; leave it out to train every floating-point param",
                   at: setting.value.location)
            return nil
        }
        var names: [String] = []
        for item in items {
            guard case .name(let name) = item.kind else {
                report("trainable expects param names, as in \(Self.settingExample("trainable"))", at: item.location)
                continue
            }
            guard let param = model.params.first(where: { model.name(of: $0.value) == name }) else {
                report(notAParam(name, of: model.name, params: params), at: item.location)
                continue
            }
            let type = model.type(of: param.value)
            if !type.dtype.isFloatingPoint {
                report("param '\(name)' is \(type); only floating-point params can be trained", at: item.location)
            } else if names.contains(name) {
                report("param '\(name)' is listed twice in trainable", at: item.location)
            } else {
                names.append(name)
            }
        }
        return names
    }

    /// `'weight' is not a param of 'net'; did you mean 'weights'? its params: weights, bias`
    private func notAParam(_ name: String, of model: String, params: [String]) -> String {
        guard !params.isEmpty else { return "'\(name)' is not a param of '\(model)', which has none" }
        let shown = Array(params.prefix(12)) + (params.count > 12 ? ["… (\(params.count) in all)"] : [])
        return "'\(name)' is not a param of '\(model)'\(Self.choices(for: name, "its params", params, shown: shown))"
    }

    /// `; did you mean 'adam'? valid optimizers: sgd, adam, adamw`, or without the question
    /// when no candidate is close; `shown` replaces the list when it is too long to print whole.
    private static func choices(for name: String, _ label: String, _ candidates: [String], shown: [String]? = nil) -> String {
        let list = "\(label): \((shown ?? candidates).joined(separator: ", "))"
        guard let suggestion = closestName(to: name, among: candidates) else { return "; " + list }
        return "; did you mean '\(suggestion)'? " + list
    }
}
