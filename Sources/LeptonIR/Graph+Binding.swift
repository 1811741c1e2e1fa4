/// Specializing a graph to concrete sizes for its symbolic dims (`N` → 32).
///
/// Type inference keeps symbols symbolic, so every type is a function of the input dims; giving
/// each symbol a size gives every value a fixed shape. What needs fixed shapes (autodiff puts
/// shapes into attributes; the trainer plans one backward graph per batch size) starts here.
extension Graph {
    /// The graph with each symbol in `sizes` replaced by its size, in every value type (fused
    /// bodies included). Symbols not in `sizes` stay symbolic; extra entries are ignored.
    public func bindingSymbols(_ sizes: [String: Int]) -> Graph {
        var copy = self
        for i in copy.values.indices {
            copy.values[i].type.shape = copy.values[i].type.shape.map { dim in
                if case .symbol(let name) = dim, let size = sizes[name] { return .fixed(size) }
                return dim
            }
        }
        for i in copy.nodes.indices where !copy.nodes[i].regions.isEmpty {
            copy.nodes[i].regions = copy.nodes[i].regions.map { $0.bindingSymbols(sizes) }
        }
        return copy
    }

    /// The symbols the inputs' types use, in first-use order.
    public var inputSymbols: [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for input in inputs {
            for case .symbol(let name) in type(of: input).shape where seen.insert(name).inserted { result.append(name) }
        }
        return result
    }
}
