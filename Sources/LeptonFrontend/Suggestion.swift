/// The candidate closest to `name` by edit distance, when close enough to be a likely typo.
func closestName(to name: String, among candidates: [String]) -> String? {
    let limit = name.count / 3
    var best: (name: String, distance: Int)?
    for candidate in candidates.sorted() {
        let distance = editDistance(name, candidate)
        if distance <= limit, distance < (best?.distance ?? .max) { best = (candidate, distance) }
    }
    return best?.name
}

/// Levenshtein distance over characters.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(1, a.count) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 0..<b.count {
            current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (a[i - 1] == b[j] ? 0 : 1))
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}
