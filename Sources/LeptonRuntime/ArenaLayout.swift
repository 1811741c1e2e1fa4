/// Offsets for memory blocks in one arena: blocks live at the same time never share bytes.
///
/// Greedy placement in a chosen priority order, each block at the best-fitting gap (the
/// smallest that holds it) among the already placed blocks it overlaps in time, else on top of
/// them. No single priority order wins everywhere, so several are tried and the smallest
/// arena kept (ties go to the earlier order, so the result is deterministic):
/// largest first (TFLite's greedy-by-size), longest-lived first, and greedy-by-breadth
/// (blocks of the most crowded step first).
struct ArenaLayout {
    /// One offset per block, in the blocks' order.
    var offsets: [Int]
    var arenaBytes: Int

    static func aligned(_ bytes: Int) -> Int {
        (bytes + MemoryPlan.alignment - 1) / MemoryPlan.alignment * MemoryPlan.alignment
    }

    /// The smallest layout over the candidate priority orders.
    static func best(for blocks: [MemoryBlock]) -> ArenaLayout {
        var best: ArenaLayout?
        for priority in priorities(blocks) {
            let layout = place(blocks, priority: priority)
            if best.map({ layout.arenaBytes < $0.arenaBytes }) ?? true { best = layout }
        }
        return best ?? ArenaLayout(offsets: [], arenaBytes: 0)
    }

    /// The most bytes live at one step: no layout can be smaller than this.
    static func peakLiveBytes(_ blocks: [MemoryBlock]) -> Int {
        guard let end = blocks.map(\.lastStep).max() else { return 0 }
        var live = [Int](repeating: 0, count: end + 2)
        for block in blocks {
            live[block.firstStep] += block.bytes
            live[block.lastStep + 1] -= block.bytes
        }
        var (current, peak) = (0, 0)
        for delta in live {
            current += delta
            peak = Swift.max(peak, current)
        }
        return peak
    }

    private static func priorities(_ blocks: [MemoryBlock]) -> [[Int]] {
        let all = Array(blocks.indices)
        func span(_ b: MemoryBlock) -> Int { b.lastStep - b.firstStep }
        let bySize = all.sorted { a, b in
            let (x, y) = (blocks[a], blocks[b])
            if x.bytes != y.bytes { return x.bytes > y.bytes }
            if span(x) != span(y) { return span(x) > span(y) }
            return a < b
        }
        let bySpan = all.sorted { a, b in
            let (x, y) = (blocks[a], blocks[b])
            if span(x) != span(y) { return span(x) > span(y) }
            if x.bytes != y.bytes { return x.bytes > y.bytes }
            return a < b
        }
        return [bySize, bySpan, byBreadth(blocks, bySize: bySize)]
    }

    /// Steps from the most to the least crowded; at each, its blocks largest first.
    private static func byBreadth(_ blocks: [MemoryBlock], bySize: [Int]) -> [Int] {
        guard let end = blocks.map(\.lastStep).max() else { return [] }
        var live = [Int](repeating: 0, count: end + 1)
        for block in blocks { for step in block.firstStep...block.lastStep { live[step] += block.bytes } }
        let steps = live.indices.sorted { live[$0] != live[$1] ? live[$0] > live[$1] : $0 < $1 }
        var seen = Set<Int>()
        var result: [Int] = []
        for step in steps {
            for i in bySize where blocks[i].firstStep <= step && step <= blocks[i].lastStep && seen.insert(i).inserted {
                result.append(i)
            }
        }
        return result
    }

    private static func place(_ blocks: [MemoryBlock], priority: [Int]) -> ArenaLayout {
        var offsets = [Int](repeating: 0, count: blocks.count)
        var placed: [Int] = []
        var arena = 0
        for i in priority {
            let size = aligned(blocks[i].bytes)
            guard size > 0 else { continue }
            let neighbors = placed.filter { blocks[$0].overlapsInTime(blocks[i]) }.sorted { offsets[$0] < offsets[$1] }
            var (cursor, bestOffset, bestGap) = (0, -1, Int.max)
            for n in neighbors {
                let gap = offsets[n] - cursor
                if gap >= size && gap < bestGap { (bestOffset, bestGap) = (cursor, gap) }
                cursor = Swift.max(cursor, offsets[n] + aligned(blocks[n].bytes))
            }
            offsets[i] = bestOffset >= 0 ? bestOffset : cursor
            placed.append(i)
            arena = Swift.max(arena, offsets[i] + size)
        }
        return ArenaLayout(offsets: offsets, arenaBytes: arena)
    }
}
