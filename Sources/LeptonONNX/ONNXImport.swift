import Foundation
import LeptonIR
import LeptonReference

/// An ONNX graph turned into a Lepton graph.
///
/// Nodes are visited in file order (ONNX requires topological order). Each maps to Lepton ops
/// through the table in `ONNXImport+Ops.swift`. What an exporter computes from constants —
/// initializers, `Constant` nodes, and shape arithmetic (`Shape → Gather → Concat →
/// Reshape`) — is evaluated here instead of becoming nodes: constant tensors are folded with
/// the reference kernels, and a shape with symbolic dims is followed as a vector of dims, so a
/// `Reshape` fed by one becomes `reshape` with `0` where a symbolic dim is kept. Constants that
/// a kept node reads become params. Names are made into `.graph` identifiers (`/layer1/Conv`
/// becomes `layer1_Conv`), unique within the graph.
///
/// Every problem is a `DiagnosticError` naming the node (its name, op type and index) and the
/// opset; ops Lepton cannot map are all listed in one error before anything is converted.
struct ONNXImport {
    /// What is known about an ONNX value while importing.
    enum Known {
        /// A constant: folded now, a param if a kept node reads it.
        case tensor(Tensor)
        /// A 1-D int64 shape vector with at least one symbolic entry (from `Shape` of a value
        /// with symbolic dims); all-fixed vectors are plain tensors.
        case dims([Dim])
        /// A symbolic entry of such a vector as an int64 scalar.
        case dim(Dim)

        /// `dims` as a tensor when every entry is fixed.
        static func shape(_ dims: [Dim]) -> Known {
            var ints: [Int64] = []
            for dim in dims {
                guard case .fixed(let n) = dim else { return .dims(dims) }
                ints.append(Int64(n))
            }
            return .tensor(Tensor(shape: [ints.count], scalars: ints))
        }

        /// One entry of a shape vector: a plain scalar when fixed, so arithmetic on it folds.
        static func size(_ dim: Dim) -> Known {
            guard case .fixed(let n) = dim else { return .dim(dim) }
            return .tensor(Tensor(scalar: Int64(n)))
        }
    }

    let path: String
    let directory: String
    /// The model file's bytes (tensor payloads point into them).
    let fileBytes: AlignedBytes
    let opset: Int64
    var graph: Graph
    /// Lepton values of ONNX names that are kept (inputs, params, node results).
    var values: [String: ValueID] = [:]
    var known: [String: Known] = [:]
    /// Identifiers in use, so every sanitized name is unique.
    private var usedNames = UniqueNames()
    /// The node being converted (for locations and messages).
    var node = ONNXNode("", inputs: [], outputs: [])
    var nodeIndex = 0
    /// Intermediate values of multi-op expansions made so far (for unique names).
    var scratchCount = 0
    /// Every ONNX value some node or graph output reads (an optional output nothing reads
    /// can be left unmade).
    var consumed: Set<String> = []
    /// Folded results larger than this many elements are computed at run time instead. Large,
    /// because what folds is mostly weights (old exporters make them with ConstantOfShape)
    /// that must exist anyway; bounded, so a hostile shape cannot exhaust memory here.
    static let foldLimit = Swift.min(1 << 28, Int(clamping: ProcessInfo.processInfo.physicalMemory / 32))

    init(model: ONNXModel, bytes: AlignedBytes, path: String, directory: String) {
        self.path = path
        fileBytes = bytes
        self.directory = directory
        opset = model.opset
        graph = Graph(name: "", location: SourceLocation(file: path, line: 0, column: 0))
    }

    var location: SourceLocation { SourceLocation(file: path, line: 0, column: 0) }

    /// An error about the node being converted.
    func fail(_ message: String) -> DiagnosticError {
        let name = node.name.isEmpty ? "" : " '\(node.name)'"
        return DiagnosticError(at: location, "node \(nodeIndex)\(name) (\(node.opType), opset \(opset)): \(message)")
    }

    // MARK: names

    /// `name` as a `.graph` identifier not used yet.
    mutating func identifier(_ name: String) -> String { usedNames.claim(Self.sanitized(name, prefix: "v")) }

    /// `name` with every character an identifier cannot hold made `_` (runs of them one),
    /// `prefix` in front when it would start with a digit or be empty, and `_` after a keyword.
    static func sanitized(_ name: String, prefix: String) -> String {
        let mapped = String(name.unicodeScalars.map { ($0.properties.isAlphabetic && $0.isASCII) || ("0"..."9").contains($0) ? Character($0) : "_" })
        var text = mapped.split(separator: "_", omittingEmptySubsequences: true).joined(separator: "_")
        if text.first?.isNumber ?? true { text = prefix + text }
        if ["graph", "param", "true", "false", "inf", "nan", "train"].contains(text) { text += "_" }
        return text
    }

    // MARK: operands

    /// The Lepton value of ONNX value `name`, making a param of a known constant.
    mutating func operand(_ name: String) throws(DiagnosticError) -> ValueID {
        if let id = values[name] { return id }
        switch known[name] {
        case .tensor(let tensor):
            let id = graph.addValue(identifier(name), TensorType(tensor.dtype, fixed: tensor.shape), at: location)
            graph.params.append(Param(value: id, initializer: .tensor(tensor), location: location))
            values[name] = id
            return id
        case .dims(let dims):
            throw fail("'\(name)' is a shape with symbolic dims \(shapeText(dims)) used as data; Lepton keeps shapes static or symbolic, not as tensors")
        case .dim(let dim):
            throw fail("'\(name)' is the symbolic size \(dim) used as data; Lepton keeps shapes static or symbolic, not as tensors")
        case nil:
            throw fail("input '\(name)' is not defined by an earlier node, an initializer or a graph input")
        }
    }

    func type(_ name: String) throws(DiagnosticError) -> TensorType {
        if let id = values[name] { return graph.type(of: id) }
        switch known[name] {
        case .tensor(let t): return TensorType(t.dtype, fixed: t.shape)
        case .dims(let d): return TensorType(.i64, fixed: [d.count])
        case .dim: return TensorType(.i64, fixed: [])
        case nil: throw fail("input '\(name)' is not defined by an earlier node, an initializer or a graph input")
        }
    }

    /// Input `i` of the node, or nil when absent or given as "" (ONNX's omitted optional).
    func input(_ i: Int) -> String? {
        i < node.inputs.count && !node.inputs[i].isEmpty ? node.inputs[i] : nil
    }

    func required(_ i: Int) throws(DiagnosticError) -> String {
        guard let name = input(i) else { throw fail("needs input \(i + 1)") }
        return name
    }

    func knownTensor(_ name: String?) -> Tensor? {
        guard let name, case .tensor(let t)? = known[name] else { return nil }
        return t
    }

    /// A constant integer input as Ints (e.g. axes, pads, shapes given as inputs from opset 13).
    func knownInts(_ name: String?, _ what: String) throws(DiagnosticError) -> [Int] {
        guard let name else { throw fail("needs \(what)") }
        if case .dims(let dims)? = known[name] {
            var ints: [Int] = []
            for dim in dims {
                guard case .fixed(let n) = dim else { throw fail("\(what) must be known when importing, got \(shapeText(dims))") }
                ints.append(n)
            }
            return ints
        }
        guard let tensor = knownTensor(name), let ints = tensor.intValues else {
            throw fail("\(what) ('\(name)') must be a constant integer tensor (an initializer or Constant), not computed at run time")
        }
        return ints
    }

    func knownFloat(_ name: String?) -> Double? {
        guard let tensor = knownTensor(name), tensor.count == 1 else { return nil }
        return tensor.doubles.first
    }

    // MARK: emitting

    /// Adds `op` on `inputs` (ONNX names) with `attributes` (over the op's defaults), its
    /// results named after the node's outputs from `firstOutput` on; folded when every input
    /// is a known constant and the results are small.
    @discardableResult
    mutating func emit(_ op: Op, _ inputs: [String], _ attributes: [String: Attribute] = [:], outputs: [String]? = nil) throws(DiagnosticError) -> [ValueID] {
        let outputs = outputs ?? node.outputs
        var attrs = op.schema.defaults
        for (key, value) in attributes { attrs[key] = value }
        let tensors = inputs.compactMap(knownTensor)
        if tensors.count == inputs.count, !inputs.isEmpty, op != .constant {
            let types: [TensorType]
            do throws(ShapeError) {
                types = try op.inferTypes(tensors.map { TensorType($0.dtype, fixed: $0.shape) }, attrs)
            } catch {
                throw fail(error.message)
            }
            if types.allSatisfy({ ($0.fixedShape ?? [Int.max]).reduce(1, { $0 &* max($1, 1) }) <= Self.foldLimit }) {
                do throws(KernelError) {
                    let results = try op.evaluate(tensors, attrs)
                    for (name, tensor) in zip(outputs, results) where !name.isEmpty { known[name] = .tensor(tensor) }
                    return []
                } catch {
                    throw fail(error.message)
                }
            }
        }
        var ids: [ValueID] = []
        for name in inputs { ids.append(try operand(name)) }
        return try addNode(op, ids, attrs, outputs: outputs)
    }

    /// Adds `op` on Lepton values (for multi-node expansions), naming results after `outputs`
    /// ("" or nil: temporaries).
    @discardableResult
    mutating func addNode(_ op: Op, _ inputs: [ValueID], _ attributes: Attributes, outputs: [String?]) throws(DiagnosticError) -> [ValueID] {
        let types: [TensorType]
        do throws(ShapeError) {
            types = try op.inferTypes(inputs.map { graph.type(of: $0) }, attributes)
        } catch {
            throw fail(error.message)
        }
        var ids: [ValueID] = []
        for (k, type) in types.enumerated() {
            let onnxName = k < outputs.count ? outputs[k] : nil
            let name = onnxName.flatMap { $0.isEmpty ? nil : $0 }
            let id = graph.addValue(name.map { identifier($0) } ?? "%?", type, at: location)
            if let name { values[name] = id }
            ids.append(id)
        }
        graph.nodes.append(Node(op: op, inputs: inputs, outputs: ids, attributes: attributes, location: location))
        return ids
    }

    /// `op` on Lepton values with attributes over the defaults, one temporary result.
    mutating func temporary(_ op: Op, _ inputs: [ValueID], _ attributes: [String: Attribute] = [:]) throws(DiagnosticError) -> ValueID {
        var attrs = op.schema.defaults
        for (key, value) in attributes { attrs[key] = value }
        return try addNode(op, inputs, attrs, outputs: [nil])[0]
    }
}

extension Tensor {
    /// The scalars as Ints when integer-typed.
    var intValues: [Int]? {
        switch storage {
        case .i64(let a): return a.map { Int($0) }
        case .i32(let a): return a.map { Int($0) }
        default: return nil
        }
    }
}
