import LeptonIR

/// One graph instance's body: definitions, params, statements in dependency order, outputs.
extension Lowering {
    /// Lowers the body of `decl` into `builder`; its inputs are already bound in `scope`.
    /// Returns the output values, or nil when something in the body was wrong.
    mutating func lowerBody(_ decl: GraphDecl, scope: inout Scope, builder: inout GraphBuilder) -> [ValueID]? {
        let errorsBefore = errorCount
        for output in decl.outputs { scope.outputDTypes[output.name] = output.type?.dtype }
        let (params, assignments) = collectDefinitions(decl, scope: &scope)
        for param in params {
            do {
                try lowerParam(param, scope: &scope, builder: &builder)
            } catch {
                scope.poisoned.insert(param.name)
            }
        }
        for assignment in orderStatements(assignments, scope: &scope) {
            do {
                try lowerAssignment(assignment, scope: &scope, builder: &builder)
            } catch {
                scope.poisoned.formUnion(assignment.targets.map(\.name))
            }
            if errorCount >= Self.maxDiagnostics { return nil }
        }
        let outputs = lowerOutputs(decl, scope: &scope, builder: builder)
        return errorCount == errorsBefore ? outputs : nil
    }

    /// Splits the body into params and assignments, reporting names defined twice
    /// (the later definition is dropped).
    private mutating func collectDefinitions(_ decl: GraphDecl, scope: inout Scope) -> ([ParamDecl], [Assignment]) {
        var defined = Set(scope.values.keys).union(scope.poisoned).union(scope.dims.arguments.keys)
        var params: [ParamDecl] = []
        var assignments: [Assignment] = []
        for statement in decl.body {
            switch statement {
            case .param(let param):
                if defined.insert(param.name).inserted {
                    params.append(param)
                } else {
                    report("duplicate name '\(param.name)'", at: param.location)
                }
            case .assignment(let assignment):
                var isValid = true
                for target in assignment.targets where !target.isDiscard && !defined.insert(target.name).inserted {
                    report("duplicate name '\(target.name)'", at: target.location)
                    isValid = false
                }
                if isValid { assignments.append(assignment) }
            }
        }
        return (params, assignments)
    }

    /// `a, b: T = expr`: names the results, inserting `identity` where a result already has
    /// a name (`y = x`), and checks annotated types.
    mutating func lowerAssignment(_ assignment: Assignment, scope: inout Scope, builder: inout GraphBuilder) throws(LoweringAbort) {
        let targets = assignment.targets
        let first = targets[0]
        let hint = targets.count == 1 ? first.type?.dtype ?? scope.outputDTypes[first.name] : nil
        let prefix = first.isDiscard || first.name.hasPrefix("%") ? nil : scope.qualified(first.name)
        let fresh = builder.valueCount
        let results = if let region = assignment.region {
            try lowerFused(assignment.value, region: region, scope: &scope, builder: &builder)
        } else {
            try lowerExpression(assignment.value, hint: hint, callPrefix: prefix, scope: &scope, builder: &builder)
        }
        guard results.count == targets.count else {
            throw fail("\(plural(targets.count, "name")) assigned but the value has \(plural(results.count, "result"))",
                       at: assignment.location)
        }
        var claimed = Set<ValueID>()
        for (target, result) in zip(targets, results) {
            var value = result
            if !target.isDiscard {
                let name = target.name.hasPrefix("%") ? nil : scope.qualified(target.name)
                if let name, builder.isNameTaken(name) { throw fail("duplicate name '\(name)'", at: target.location) }
                if value < fresh || builder.isParam(value) || claimed.contains(value) {
                    let type = builder.type(of: value)
                    value = builder.addNode(.identity, [value], Op.identity.schema.defaults, results: [type], at: target.location)[0]
                }
                builder.rename(value, to: name, at: target.location)
                scope.values[target.name] = value
            }
            claimed.insert(value)
            if let type = target.type {
                try check(type, against: builder.type(of: value), scope: &scope, what: "'\(target.name)'", at: target.location)
            }
        }
    }

    private mutating func lowerOutputs(_ decl: GraphDecl, scope: inout Scope, builder: GraphBuilder) -> [ValueID] {
        var outputs: [ValueID] = []
        var names = Set<String>()
        for output in decl.outputs {
            guard names.insert(output.name).inserted else {
                report("duplicate output '\(output.name)'", at: output.location)
                continue
            }
            guard let value = scope.values[output.name] else {
                if !scope.poisoned.contains(output.name) {
                    report("output '\(output.name)' of '\(decl.name)' is never defined", at: output.location)
                }
                continue
            }
            outputs.append(value)
            if let type = output.type {
                _ = try? check(type, against: builder.type(of: value), scope: &scope, what: "output '\(output.name)'", at: output.location)
            }
        }
        return outputs
    }

    /// Compares a declared type with an inferred one, binding symbols not yet bound.
    mutating func check(_ declared: TypeExpr, against actual: TensorType, scope: inout Scope, what: String,
                        at location: SourceLocation) throws(LoweringAbort) {
        do {
            if try scope.dims.match(declared, actual) { return }
        } catch {
            throw fail(dimMessage(error, what: what), at: dimLocation(error))
        }
        throw fail("declared type \(scope.dims.render(declared)) of \(what) does not match inferred type \(actual)", at: location)
    }
}

/// `1 result`, `3 names`
func plural(_ count: Int, _ noun: String) -> String {
    count == 1 ? "1 \(noun)" : "\(count) \(noun)s"
}
