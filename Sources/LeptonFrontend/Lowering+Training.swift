import LeptonIR

/// `train` blocks to `TrainingSpec`s (spec/language.md, section 13). The block's statements
/// become a graph of their own, `<model>.loss`, whose inputs are the lowered model's outputs
/// (same names and types) followed by the labels, and whose one output is `loss`; the model
/// graph itself is left exactly as inference runs it. The settings are picked out of the
/// statements and checked in Lowering+TrainSettings.swift.
extension Lowering {
    /// Statement targets that are settings of the block rather than values of the loss.
    static let trainSettings = ["optimizer", "trainable", "l2"]

    /// One spec per block, in source order; `models` are the graphs lowered without errors.
    mutating func lowerTrainBlocks(_ blocks: [TrainDecl], models: [Graph]) -> [TrainingSpec] {
        var specs: [TrainingSpec] = []
        var trained = Set<String>()
        for block in blocks {
            if errorCount >= Self.maxDiagnostics { break }
            guard trained.insert(block.model).inserted else {
                report("duplicate train block for '\(block.model)'", at: block.location)
                continue
            }
            if let spec = lowerTraining(block, models: models) { specs.append(spec) }
        }
        return specs
    }

    private mutating func lowerTraining(_ block: TrainDecl, models: [Graph]) -> TrainingSpec? {
        let errorsBefore = errorCount
        let isTrainable = checkModel(of: block)
        let (settings, statements) = splitSettings(block)
        let optimizer = lowerOptimizer(settings["optimizer"], of: block)
        let l2 = lowerL2(settings["l2"])
        // A model that failed to lower has had its errors reported; its loss cannot be typed.
        guard isTrainable, let model = models.first(where: { $0.name == block.model }) else { return nil }
        let trainable = lowerTrainable(settings["trainable"], of: model, in: block)
        let loss = lowerLoss(block, statements, model: model)
        guard errorCount == errorsBefore, let optimizer, let loss else { return nil }
        return TrainingSpec(model: block.model, loss: loss, labelCount: block.labels.count, optimizer: optimizer,
                            trainable: trainable, l2: l2, location: block.location)
    }

    /// Reports a model that does not exist or cannot be trained on its own (a template).
    private mutating func checkModel(of block: TrainDecl) -> Bool {
        guard let decl = declarations[block.model] else {
            let graphs = declarations.values.filter { !$0.isTemplate }.map(\.name)
            let suggestion = closestName(to: block.model, among: graphs).map { "; did you mean '\($0)'?" } ?? ""
            report("train block for unknown graph '\(block.model)'\(suggestion)", at: block.modelLocation)
            return false
        }
        guard !decl.isTemplate else {
            report("cannot train '\(block.model)': it takes compile-time arguments; train a graph that calls it",
                   at: block.modelLocation)
            return false
        }
        return true
    }

    /// Separates the settings (`optimizer = …`, each at most once, alone on its statement)
    /// from the loss statements; params are reported, they belong in the model.
    private mutating func splitSettings(_ block: TrainDecl) -> (settings: [String: Assignment], statements: [Statement]) {
        var settings: [String: Assignment] = [:]
        var statements: [Statement] = []
        for statement in block.body {
            switch statement {
            case .param(let param):
                report("a train block cannot declare params; declare '\(param.name)' in graph '\(block.model)'",
                       at: param.location)
            case .assignment(let assignment):
                guard let target = assignment.targets.first(where: { Self.trainSettings.contains($0.name) }) else {
                    statements.append(statement)
                    continue
                }
                if assignment.targets.count > 1 || target.type != nil {
                    report("setting '\(target.name)' must be assigned on its own, as in \(Self.settingExample(target.name))",
                           at: target.location)
                } else if settings[target.name] != nil {
                    report("setting '\(target.name)' given twice", at: target.location)
                } else {
                    settings[target.name] = assignment
                }
            }
        }
        return (settings, statements)
    }

    static func settingExample(_ setting: String) -> String {
        switch setting {
        case "optimizer": "optimizer = adam(lr: 0.001)"
        case "trainable": "trainable = [w1, b1]"
        default: "l2 = 0.0001"
        }
    }

    /// The loss graph: the model's outputs and the labels in, the statements, `loss` out.
    private mutating func lowerLoss(_ block: TrainDecl, _ statements: [Statement], model: Graph) -> Graph? {
        let errorsBefore = errorCount
        let name = "\(block.model).loss"
        var builder = GraphBuilder(name: name, location: block.location)
        var scope = Scope(graphName: name, prefix: "")
        activeGraphs = [name]
        for output in model.outputs {
            let type = model.type(of: output)
            for case .symbol(let symbol) in type.shape { scope.dims.symbols[symbol] = .symbol(symbol) }
            scope.values[model.name(of: output)] = builder.addInput(model.name(of: output), type, at: block.modelLocation)
        }
        let outputNames = Set(model.outputs.map(model.name(of:)))
        for label in block.labels {
            lowerLabel(label, of: block, outputNames: outputNames, scope: &scope, builder: &builder)
        }
        let definesLoss = scope.values["loss"] != nil || statements.contains { statement in
            guard case .assignment(let assignment) = statement else { return false }
            return assignment.targets.contains { $0.name == "loss" }
        }
        if !definesLoss {
            report("train block for '\(block.model)' must define 'loss', a float scalar, e.g. loss = reduce_mean(...)",
                   at: block.location)
        }
        let lossOutput = OutputDecl(name: "loss", location: block.location, type: nil)
        let decl = GraphDecl(name: name, location: block.location, inputs: [], arguments: [],
                             outputs: definesLoss ? [lossOutput] : [], body: statements)
        guard let outputs = lowerBody(decl, scope: &scope, builder: &builder), errorCount == errorsBefore,
              let loss = outputs.first else { return nil }
        let type = builder.type(of: loss)
        guard type.rank == 0, type.dtype.isFloatingPoint else {
            let hint = type.dtype.isFloatingPoint ? "; reduce it, e.g. with reduce_mean" : ""
            report("loss must be a float scalar (f32[] or f64[]), got \(type)\(hint)", at: builder.graph.values[loss].location)
            return nil
        }
        builder.setOutputs([loss])
        return finishedLoss(builder, of: block)
    }

    /// A label input: typed like a graph input, its dims free to use the model's symbols.
    private mutating func lowerLabel(_ label: InputDecl, of block: TrainDecl, outputNames: Set<String>,
                                     scope: inout Scope, builder: inout GraphBuilder) {
        guard !outputNames.contains(label.name) else {
            report("label '\(label.name)' has the name of an output of '\(block.model)'", at: label.location)
            scope.poisoned.insert(label.name)
            return
        }
        declareInput(label, kind: "label", scope: &scope, builder: &builder)
    }

    /// The verified loss graph. A graph call that declares params would smuggle weights into
    /// the loss, which the trainer never updates (and the printed block could not declare).
    private mutating func finishedLoss(_ builder: GraphBuilder, of block: TrainDecl) -> Graph? {
        let graph = builder.finished()
        if let param = graph.params.first {
            report("the loss cannot have params, but a graph call brings in '\(graph.name(of: param.value))'",
                   at: block.location)
            return nil
        }
        return verified(graph)
    }
}
