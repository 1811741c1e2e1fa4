import LeptonIR

/// Statement order: a body may define names in any order; statements are lowered in a
/// topological order that keeps source order where dependencies allow (so already-ordered
/// text, like printed IR, keeps its order exactly).
extension Lowering {
    /// Returns the assignments in dependency order; statements on a cycle are reported
    /// ("cycle through a -> b -> a") and left out, their names poisoned.
    mutating func orderStatements(_ assignments: [Assignment], scope: inout Scope) -> [Assignment] {
        var definer: [String: Int] = [:]
        for (index, assignment) in assignments.enumerated() {
            for target in assignment.targets where !target.isDiscard { definer[target.name] = index }
        }
        let dependencies = assignments.map { assignment in
            referencedNames(assignment.value).compactMap { name in definer[name].map { (name, $0) } }
        }
        var walk = TopologicalWalk(dependencies: dependencies)
        for index in assignments.indices {
            walk.visit(index, via: assignments[index].targets[0].name)
        }
        for cycle in walk.cycles {
            let start = assignments[cycle.statements[0]]
            report("cycle through \(cycle.names.joined(separator: " -> "))", at: start.targets[0].location)
            for index in cycle.statements { scope.poisoned.formUnion(assignments[index].targets.map(\.name)) }
        }
        let cyclic = Set(walk.cycles.flatMap(\.statements))
        return walk.order.filter { !cyclic.contains($0) }.map { assignments[$0] }
    }

    /// Names an expression uses as tensors (attributes and compile-time arguments are not).
    private func referencedNames(_ expr: Expr) -> [String] {
        switch expr.kind {
        case .name(let name): [name]
        case .number, .bool, .string: []
        case .list(let items): items.flatMap(referencedNames)
        case .negate(let operand): referencedNames(operand)
        case .binary(_, let lhs, let rhs): referencedNames(lhs) + referencedNames(rhs)
        case .call(let call): call.operands.flatMap(referencedNames)
        }
    }
}

/// Depth-first post-order over statements, recording each cycle once. Iterative (an explicit
/// stack), so a long chain of statements written in reverse order cannot overflow the stack.
private struct TopologicalWalk {
    enum State { case unvisited, visiting, done }

    let dependencies: [[(name: String, statement: Int)]]
    var state: [State]
    var order: [Int] = []
    var cycles: [(statements: [Int], names: [String])] = []
    /// The statements being visited, with the name through which each was reached and how
    /// many of its dependencies have been looked at.
    private var path: [(statement: Int, name: String, next: Int)] = []

    init(dependencies: [[(name: String, statement: Int)]]) {
        self.dependencies = dependencies
        self.state = Array(repeating: .unvisited, count: dependencies.count)
    }

    mutating func visit(_ statement: Int, via name: String) {
        guard state[statement] == .unvisited else { return }
        enter(statement, via: name)
        while let top = path.last {
            guard top.next < dependencies[top.statement].count else {
                path.removeLast()
                state[top.statement] = .done
                order.append(top.statement)
                continue
            }
            path[path.count - 1].next += 1
            let dependency = dependencies[top.statement][top.next]
            switch state[dependency.statement] {
            case .unvisited:
                enter(dependency.statement, via: dependency.name)
            case .visiting:
                let start = path.lastIndex { $0.statement == dependency.statement }!
                let loop = path[start...]
                cycles.append((loop.map(\.statement), loop.map(\.name) + [dependency.name]))
            case .done:
                break
            }
        }
    }

    private mutating func enter(_ statement: Int, via name: String) {
        state[statement] = .visiting
        path.append((statement, name, 0))
    }
}
