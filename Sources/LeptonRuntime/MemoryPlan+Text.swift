extension MemoryPlan {
    /// The `lepton dump --memory` listing: a header, one line per buffer in execution order
    /// (step, value, op, concrete type, bytes, storage, lifetime), then the totals:
    ///
    ///     # memory plan for mlp, N=2: 7 steps in graph order
    ///     step  value   op       type        bytes  storage         lifetime
    ///        0  f       flatten  f32[2, 64]    512  view of x       [0, 1]
    ///        1  %0      matmul   f32[2, 32]    256  arena @0        [1, 2]
    ///        2  %1      add      f32[2, 32]    256  in place of %0  [2, 3]
    ///        ...
    ///        6  probs   softmax  f32[2, 10]     80  arena @0        [6, 6]
    ///     arena 384 bytes, naive 1520 bytes, lower bound 336 bytes, arena/lower bound 1.143
    ///
    /// A plan with concurrent stages gets a `stage` column after `step`: the stage number, and
    /// for a concurrent stage `/lane` (`3/0`, `3/1`: lanes 0 and 1 of stage 3 run at the same
    /// time); its lifetimes are still in steps, but bytes are reused only across stages.
    ///
    /// Plain integers and fixed columns, so it is stable enough for golden tests.
    public var text: String {
        let producers = producerOps()
        let stageColumn = isConcurrent
        let stageText = stageLabels()
        var header = ["step", "value", "op", "type", "bytes", "storage", "lifetime"]
        if stageColumn { header.insert("stage", at: 1) }
        let rows = buffers.map { buffer in
            var row = [String(buffer.firstStep), graph.name(of: buffer.value), producers[buffer.value] ?? "?", concreteType(buffer.value),
                       String(buffer.bytes), storageText(buffer.storage), "[\(buffer.firstStep), \(buffer.lastStep)]"]
            if stageColumn { row.insert(stageText[buffer.firstStep] ?? "?", at: 1) }
            return row
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        // Numbers right-aligned, names left-aligned; the last column is not padded.
        let rightAligned: Set<Int> = stageColumn ? [0, 1, 5] : [0, 4]
        func line(_ cells: [String]) -> String {
            cells.indices.map { column in
                let pad = String(repeating: " ", count: widths[column] - cells[column].count)
                if column == cells.count - 1 { return cells[column] }
                return rightAligned.contains(column) ? pad + cells[column] : cells[column] + pad
            }.joined(separator: "  ")
        }
        return ([summaryLine, line(header)] + rows.map(line) + [totalsLine]).joined(separator: "\n")
    }

    private var summaryLine: String {
        let symbols = bindings.keys.sorted().map { "\($0)=\(bindings[$0] ?? 0)" }.joined(separator: ", ")
        let inGraphOrder = order == Array(graph.nodes.indices)
        let concurrent = stages.filter(\.isConcurrent).count
        return "# memory plan for \(graph.name)\(symbols.isEmpty ? "" : ", " + symbols): \(order.count) steps in "
            + (inGraphOrder ? "graph order" : "memory-aware order")
            + (concurrent > 0 ? ", \(stages.count) stages (\(concurrent) concurrent, \(stages.map(\.lanes.count).max() ?? 1) lanes at most)" : "")
    }

    /// `stage` or `stage/lane` for each step.
    private func stageLabels() -> [Int: String] {
        var result: [Int: String] = [:]
        for (index, stage) in stages.enumerated() {
            for (lane, steps) in stage.lanes.enumerated() {
                for step in steps { result[step] = stage.isConcurrent ? "\(index)/\(lane)" : "\(index)" }
            }
        }
        return result
    }

    private var totalsLine: String {
        "arena \(arenaBytes) bytes, naive \(naiveBytes) bytes, lower bound \(lowerBoundBytes) bytes, "
            + "arena/lower bound \(Self.ratioText(arenaBytes, lowerBoundBytes))"
    }

    /// `a / b` with three decimals, computed in integers so it prints the same everywhere.
    static func ratioText(_ a: Int, _ b: Int) -> String {
        guard b > 0 else { return a == 0 ? "1.000" : "inf" }
        let thousandths = (a * 1000 + b / 2) / b
        let fraction = String(thousandths % 1000)
        return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    private func storageText(_ storage: Storage) -> String {
        switch storage {
        case .arena(let offset): "arena @\(offset)"
        case .view(let source): "view of \(graph.name(of: source))"
        case .inPlace(let source): "in place of \(graph.name(of: source))"
        }
    }

    /// `f32[1, 512]`: the declared dtype with the concrete shape.
    private func concreteType(_ value: ValueID) -> String {
        let shape = shapes[value].map { $0.map(String.init).joined(separator: ", ") } ?? "?"
        return "\(graph.type(of: value).dtype)[\(shape)]"
    }

    private func producerOps() -> [ValueID: String] {
        var result: [ValueID: String] = [:]
        for node in graph.nodes { for id in node.outputs { result[id] = node.op.mnemonic } }
        return result
    }
}
