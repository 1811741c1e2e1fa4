/// Names handed out once each: `base`, then `base_2`, `base_3`, … when taken. The importer
/// and the exporter both need every value of a graph to have its own name.
struct UniqueNames {
    private var used: Set<String> = []

    /// Marks `name` as taken without changing it.
    mutating func reserve(_ name: String) { used.insert(name) }

    /// `base`, or the first free `base_k`; taken from now on.
    mutating func claim(_ base: String) -> String {
        var candidate = base
        var counter = 1
        while used.contains(candidate) {
            counter += 1
            candidate = "\(base)_\(counter)"
        }
        used.insert(candidate)
        return candidate
    }
}
