import LeptonIR

extension SymbolBindings {
    /// The scalars in a value of `type`, symbols bound so far at their sizes (others as 1);
    /// nil when the count overflows.
    func elementCount(of type: TensorType) -> Int? {
        let bound = sizesBySymbol
        var count = 1
        for dim in type.shape {
            let size = switch dim {
            case .fixed(let size): size
            case .symbol(let symbol): bound[symbol] ?? 1
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }
}
