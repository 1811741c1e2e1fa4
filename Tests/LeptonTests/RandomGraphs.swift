import Foundation
import LeptonTensor

/// A seeded random `.graph` program for differential testing, with what running it needs.
///
/// The generator tracks every value's concrete shape and dtype itself (independently of the
/// shape rules), so a graph that fails to parse is a generator or frontend bug, never noise.
struct RandomGraph: Sendable {
    var seed: UInt64
    var text: String
    /// Sizes of the symbolic dims (`N`) for one run.
    var bindings: [String: Int]
    /// Graph inputs by name: concrete shape and dtype under `bindings`.
    var inputs: [(name: String, shape: [Int], dtype: DType)]

    /// Seeded inputs: uniform in [-1, 1) (floats); the same seed gives the same tensors.
    func makeInputs() -> [String: Tensor] {
        var rng = SplitMix64(seed: seed ^ 0x5EED_0F_1A9B5)
        var result: [String: Tensor] = [:]
        for input in inputs {
            let count = input.shape.reduce(1, *)
            let values = rng.uniform(count: count, low: -1, high: 1)
            result[input.name] = input.dtype == .f64
                ? Tensor(shape: input.shape, scalars: values)
                : Tensor(shape: input.shape, scalars: values.map { Float($0) })
        }
        return result
    }

    /// The graph as a file name: `random_<seed>.graph`.
    var fileName: String { "random_\(seed).graph" }
}

/// One dimension of a generated value: a known size, or the graph's symbol `N` (then `size` is
/// the size `N` is bound to at run time).
struct GenDim: Hashable {
    var size: Int
    var symbolic: Bool = false

    static func fixed(_ n: Int) -> GenDim { GenDim(size: n) }
}

/// A value the generator has made: where it came from and what the shape rules must say.
struct GenValue {
    var shape: [GenDim]
    var dtype: DType
    /// A rough bound on |element|: keeps exp/pow/products from overflowing and picks where to
    /// squash (tanh) before the values get large.
    var scale: Double
    /// A graph input itself: exactly equal in every pipeline, so discontinuous ops (floor,
    /// comparisons, argmax) may read it without reassociation noise flipping their result.
    var isInput = false
    /// Varies along its last axis (normalizing it cannot amplify rounding noise).
    var rich = false
    /// Read by a later statement.
    var uses = 0
    /// Deliberately unused (a dead branch): never an operand or output.
    var dead = false

    var rank: Int { shape.count }
    var count: Int { shape.reduce(1) { $0 * $1.size } }
    var sizes: [Int] { shape.map(\.size) }
    var hasSymbol: Bool { shape.contains { $0.symbolic } }
}

/// A line of the body; `$k$` stands for value k (named when the graph is rendered).
struct GenStatement {
    var targets: [Int]
    var expression: String
}

/// Limits that keep debug-build runs fast: at most this many elements per value.
let randomGraphElementLimit = 2048

/// Builds one random graph per seed. See `RandomGraphs+*.swift` for the op families.
struct RandomGraphGenerator {
    var rng: SplitMix64
    let seed: UInt64
    var values: [GenValue] = []
    var inputIDs: [Int] = []
    var params: [String] = []
    var statements: [GenStatement] = []
    /// Size of the symbol `N` when the graph has one.
    var symbolSize: Int?
    var nextParam = 0

    init(seed: UInt64) {
        self.seed = seed
        self.rng = SplitMix64(seed: SplitMix64.mix(seed &+ 0xD1FF_7E57))
    }

    /// The graph for `seed`.
    static func generate(seed: UInt64) -> RandomGraph {
        var generator = RandomGraphGenerator(seed: seed)
        generator.makeInputs()
        let steps = generator.int(5...12)
        var made = 0, attempts = 0
        while made < steps, attempts < steps * 20 {
            attempts += 1
            if generator.step() { made += 1 }
        }
        return generator.finish()
    }

    /// One family, chosen by weight; false when it found nothing to apply to.
    mutating func step() -> Bool {
        let families: [(weight: Int, run: (inout RandomGraphGenerator) -> Bool)] = [
            (12, { $0.unary() }), (14, { $0.binary() }), (10, { $0.simplifyPattern() }), (7, { $0.foldPattern() }),
            (10, { $0.dense() }), (12, { $0.conv() }), (5, { $0.pool() }), (6, { $0.reduce() }),
            (6, { $0.normalize() }), (14, { $0.shapeOp() }), (4, { $0.gather() }), (6, { $0.duplicate() }),
            (4, { $0.deadBranch() }), (4, { $0.inputOnly() }), (2, { $0.castFamily() }),
        ]
        var draw = int(0...(families.reduce(0) { $0 + $1.weight } - 1))
        for family in families {
            if draw < family.weight { return family.run(&self) }
            draw -= family.weight
        }
        preconditionFailure("weights do not add up")
    }

    // MARK: Randomness

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(rng.next() % UInt64(range.count))
    }

    mutating func chance(_ p: Double) -> Bool { rng.nextUnit() < p }

    mutating func choose<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "choose from an empty list")
        return items[int(0...(items.count - 1))]
    }

    /// A "nice" float that prints and parses exactly.
    mutating func niceNumber(positive: Bool = false) -> Double {
        let magnitudes: [Double] = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 3]
        let m = choose(magnitudes)
        return positive || chance(0.5) ? m : -m
    }

    // MARK: Values

    /// Adds a value and returns its id.
    mutating func add(_ value: GenValue) -> Int {
        values.append(value)
        return values.count - 1
    }

    /// Emits `targets = expression`, where expression names operands as `$k$`.
    mutating func emit(_ expression: String, _ results: [GenValue]) -> [Int] {
        let ids = results.map { add($0) }
        statements.append(GenStatement(targets: ids, expression: expression))
        return ids
    }

    /// Emits a single-result statement and returns the new value's id.
    mutating func emit1(_ expression: String, _ result: GenValue) -> Int {
        emit(expression, [result])[0]
    }

    /// `$k$` for use in an expression; counts the use.
    mutating func ref(_ id: Int) -> String {
        values[id].uses += 1
        return "$\(id)$"
    }

    /// A live value satisfying `filter`, biased toward recent ones (longer chains).
    mutating func pick(_ filter: (GenValue) -> Bool) -> Int? {
        let candidates = values.indices.filter { !values[$0].dead && filter(values[$0]) }
        guard !candidates.isEmpty else { return nil }
        if chance(0.6) { return candidates[int(max(0, candidates.count - 3)...(candidates.count - 1))] }
        return choose(candidates)
    }

    /// Declares a param and returns its name.
    mutating func param(_ shape: [Int], _ dtype: DType, _ initializer: String) -> String {
        let name = "p\(nextParam)"
        nextParam += 1
        params.append("param \(name): \(dtype)[\(shape.map(String.init).joined(separator: ", "))] = \(initializer)")
        return name
    }

    /// A fresh seed for a param initializer.
    mutating func paramSeed() -> Int { int(1...999) }

    /// A value like `base` with another shape (and no longer an input).
    func derived(_ base: GenValue, shape: [GenDim], scale: Double? = nil, rich: Bool = false) -> GenValue {
        GenValue(shape: shape, dtype: base.dtype, scale: scale ?? base.scale, rich: rich)
    }

    func typeText(_ shape: [GenDim], _ dtype: DType) -> String {
        "\(dtype)[\(shape.map { $0.symbolic ? "N" : "\($0.size)" }.joined(separator: ", "))]"
    }
}
