import LeptonIR

/// Graph calls: the callee is instantiated (compile-time args bound, input dims unified with
/// the operands) and inlined, its names prefixed `<prefix>.`.
extension Lowering {
    mutating func lowerGraphCall(_ callee: GraphDecl, _ call: Call, at location: SourceLocation, prefix: String?,
                                 scope: inout Scope, builder: inout GraphBuilder) throws(LoweringAbort) -> [ValueID] {
        if let start = activeGraphs.firstIndex(of: callee.name) {
            let chain = activeGraphs[start...] + [callee.name]
            throw fail("recursive graph call: \(chain.joined(separator: " -> "))", at: location)
        }
        guard activeGraphs.count <= Self.maxCallDepth else {
            throw fail("graph calls nested too deeply (more than \(Self.maxCallDepth) levels)", at: location)
        }
        // Each call inlines a copy of the callee, so a few lines of calls that call twice can
        // ask for exponentially many nodes: stop at a size no real model comes near.
        guard loweredValues + builder.valueCount < valueBudget else {
            throw fail("too many values after inlining graph calls (more than \(valueBudget) in this file)", at: location)
        }
        guard call.operands.count == callee.inputs.count else {
            throw fail("'\(callee.name)' expects \(plural(callee.inputs.count, "input")), got \(call.operands.count)", at: location)
        }
        var operands: [ValueID] = []
        for (expr, input) in zip(call.operands, callee.inputs) {
            operands.append(try lowerValue(expr, hint: input.type.dtype, scope: &scope, builder: &builder))
        }
        var inner = Scope(graphName: callee.name, prefix: (prefix ?? nestedPrefix(for: callee.name, in: &scope)) + ".")
        inner.dims.arguments = try bindArguments(of: callee, call, at: location, scope: scope)
        try unifyInputs(of: callee, with: operands, call.operands, scope: &inner, builder: builder)

        callStack.append((callee.name, location))
        activeGraphs.append(callee.name)
        let outputs = lowerBody(callee, scope: &inner, builder: &builder)
        callStack.removeLast()
        activeGraphs.removeLast()
        guard let outputs else { throw LoweringAbort() }
        return outputs
    }

    /// `<callee>_<k>` (under the current prefix) for a call nested inside an expression.
    private func nestedPrefix(for callee: String, in scope: inout Scope) -> String {
        let k = scope.nestedCalls[callee, default: 0]
        scope.nestedCalls[callee] = k + 1
        return scope.qualified("\(callee)_\(k)")
    }

    /// Binds the callee's input symbols to the operands' dims (all inputs first, so any input
    /// may use a symbol another binds), then checks every input against its operand.
    private mutating func unifyInputs(of callee: GraphDecl, with operands: [ValueID], _ exprs: [Expr],
                                      scope: inout Scope, builder: GraphBuilder) throws(LoweringAbort) {
        for (input, value) in zip(callee.inputs, operands) {
            _ = scope.dims.bind(input.type, builder.type(of: value))
            scope.values[input.name] = value
        }
        for (index, input) in callee.inputs.enumerated() {
            let actual = builder.type(of: operands[index])
            let matches: Bool
            do {
                matches = try scope.dims.matches(input.type, actual)
            } catch {
                throw fail("call to '\(callee.name)': \(dimMessage(error, what: "input '\(input.name)'"))", at: exprs[index].location)
            }
            guard matches else {
                let expected = scope.dims.render(input.type)
                throw fail("call to '\(callee.name)': input '\(input.name)' expects \(expected), got \(actual)", at: exprs[index].location)
            }
        }
    }

    /// The callee's compile-time arguments: given ones evaluated in the caller, the rest
    /// from their defaults (which may use earlier arguments).
    private mutating func bindArguments(of callee: GraphDecl, _ call: Call, at location: SourceLocation,
                                        scope: Scope) throws(LoweringAbort) -> [String: CompileValue] {
        var given: [String: NamedArgument] = [:]
        for argument in call.arguments {
            guard callee.arguments.contains(where: { $0.name == argument.name }) else {
                let valid = callee.arguments.map(\.name).joined(separator: ", ")
                let hint = valid.isEmpty ? "; it takes no arguments" : "; valid arguments: \(valid)"
                throw fail("unknown argument '\(argument.name)' for graph '\(callee.name)'\(hint)", at: argument.location)
            }
            guard given.updateValue(argument, forKey: argument.name) == nil else {
                throw fail("argument '\(argument.name)' given twice", at: argument.location)
            }
        }
        var calleeScope = Scope(graphName: callee.name, prefix: "")
        for declared in callee.arguments {
            let value: Constant
            let valueLocation: SourceLocation
            if let argument = given[declared.name] {
                value = try evaluateConstant(argument.value, scope: scope)
                valueLocation = argument.value.location
            } else if let defaultValue = declared.defaultValue {
                value = try evaluateConstant(defaultValue, scope: calleeScope)
                valueLocation = defaultValue.location
            } else {
                throw fail("missing argument '\(declared.name)' for graph '\(callee.name)'", at: location)
            }
            switch (declared.kind, value) {
            case (.int, .int(let n)):
                calleeScope.dims.arguments[declared.name] = .int(n)
            case (.float, _) where value.doubleValue != nil:
                calleeScope.dims.arguments[declared.name] = .float(value.doubleValue!)
            default:
                let expected = declared.kind == .int ? "an int" : "a float"
                throw fail("argument '\(declared.name)' of '\(callee.name)' expects \(expected), got \(value)", at: valueLocation)
            }
        }
        return calleeScope.dims.arguments
    }
}
