import Lepton

/// Collects a graph's inputs from `--input` (files and literals) and `--random-inputs`.
struct InputBuilder {
    /// Renders diagnostics (against the model's source when there is one).
    let render: (DiagnosticError) -> String
    let graph: Graph
    /// The subcommand whose options these are, named in error messages.
    let command: String
    private(set) var inputs: [String: Tensor] = [:]

    init(model: Model, graph: Graph, command: String = "run") {
        self.init(graph: graph, command: command, render: model.render)
    }

    /// For a graph without source text (a compiled artifact).
    init(graph: Graph, command: String = "run", render: @escaping (DiagnosticError) -> String) {
        self.render = render
        self.graph = graph
        self.command = command
    }

    private func usage(_ message: String) -> CLIError { .usage(message, command: command) }

    private var declared: [ValueInfo] { graph.inputs.map { graph.values[$0] } }

    /// `NAME=VALUE` arguments: VALUE is a `.npy` path, or an inline literal of the input's dtype.
    mutating func addGiven(_ arguments: [String]) throws(CLIError) {
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "="), equals != argument.startIndex else {
                throw usage("--input expects NAME=VALUE, got '\(argument)'")
            }
            let name = String(argument[..<equals])
            let value = String(argument[argument.index(after: equals)...])
            guard inputs[name] == nil else { throw usage("input '\(name)' given more than once") }
            guard let info = declared.first(where: { $0.name == name }) else {
                let names = declared.map(\.name).joined(separator: ", ")
                throw .failure(render(DiagnosticError(
                    at: graph.location, "graph \(graph.name) has no input '\(name)' (inputs: \(names.isEmpty ? "none" : names))")))
            }
            inputs[name] = try tensor(from: value, for: info)
        }
    }

    private func tensor(from value: String, for info: ValueInfo) throws(CLIError) -> Tensor {
        guard LiteralParser.looksLikeLiteral(value) else {
            do throws(TensorIOError) {
                return try NPY.read(contentsOf: value)
            } catch {
                throw .failure(error.description)
            }
        }
        do throws(LiteralParser.Failure) {
            return try LiteralParser.parse(value, as: info.type.dtype)
        } catch {
            let shown = value.count > 40 ? value.prefix(40) + "…" : value
            throw .failure("lepton \(command): error: --input \(info.name): bad \(info.type.dtype) literal '\(shown)': \(error.message)")
        }
    }

    /// Seeded values for every input not given, in input order, from one SplitMix64 stream.
    /// Symbolic dimensions come from `dims`, else from the given inputs.
    mutating func addRandom(seed: UInt64, dims: [String: Int]) throws(CLIError) {
        let bindings = try symbolBindings(dims)
        var rng = SplitMix64(seed: seed)
        for info in declared where inputs[info.name] == nil {
            var shape: [Int] = []
            for dim in info.type.shape {
                switch dim {
                case .fixed(let n): shape.append(n)
                case .symbol(let symbol):
                    guard let size = bindings[symbol] else {
                        throw usage("input \(info.name): \(info.type) has symbolic dimension \(symbol); give --dim \(symbol)=SIZE")
                    }
                    shape.append(size)
                }
            }
            guard Self.isReasonable(shape) else {
                throw .failure("lepton \(command): error: input \(info.name): shape \(shape) is too large for random inputs")
            }
            inputs[info.name] = Self.random(info.type.dtype, shape: shape, rng: &rng)
        }
    }

    /// `--dim` values (each must name a symbol some input uses), completed from the given inputs.
    private func symbolBindings(_ dims: [String: Int]) throws(CLIError) -> [String: Int] {
        try DimOption.check(dims, against: graph, command: command)
        var bindings = dims
        for info in declared {
            guard let tensor = inputs[info.name] else { continue }
            for (dim, size) in zip(info.type.shape, tensor.shape) {
                if case .symbol(let symbol) = dim, bindings[symbol] == nil { bindings[symbol] = size }
            }
        }
        return bindings
    }

    /// At most 2^28 elements (1 GiB of f32), checked without overflowing.
    private static func isReasonable(_ shape: [Int]) -> Bool {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= 1 << 28 else { return false }
            count = product
        }
        return true
    }

    /// floats uniform in [-1, 1), ints uniform in [0, 10), bools true when unit() < 0.5.
    static func random(_ dtype: DType, shape: [Int], rng: inout SplitMix64) -> Tensor {
        let count = shape.reduce(1, *)
        switch dtype {
        case .f32: return Tensor(shape: shape, storage: .f32((0..<count).map { _ in Float(-1 + 2 * rng.nextUnit()) }))
        case .f64: return Tensor(shape: shape, storage: .f64((0..<count).map { _ in -1 + 2 * rng.nextUnit() }))
        case .i32: return Tensor(shape: shape, storage: .i32((0..<count).map { _ in Int32(rng.nextUnit() * 10) }))
        case .i64: return Tensor(shape: shape, storage: .i64((0..<count).map { _ in Int64(rng.nextUnit() * 10) }))
        case .bool: return Tensor(shape: shape, storage: .bool((0..<count).map { _ in rng.nextUnit() < 0.5 }))
        }
    }

    /// Every declared input must have a value by now.
    func requireAll() throws(CLIError) {
        guard let missing = declared.first(where: { inputs[$0.name] == nil }) else { return }
        throw usage("missing input \(missing.name): \(missing.type) (give --input \(missing.name)=FILE.npy or --random-inputs SEED)")
    }
}
