import LeptonTensor

/// Training or evaluation data: named arrays sharing their first dimension, the samples
/// (`x: f32[1438, 64]` and `y: i64[1438]` are 1438 samples). Loaded from `.npz` files and
/// `name=path.npy` pairs, mixed freely; validated once here so the trainer can index any
/// sample of any array without checking again.
public struct Dataset: Sendable {
    /// The arrays in the order they were given (an `.npz`'s in archive order).
    public private(set) var arrays: [(name: String, tensor: Tensor)]
    /// How many samples: every array's first dimension, at least 1.
    public let sampleCount: Int
    /// The file each array came from, for error messages.
    let files: [String]

    /// The arrays' names, in order.
    public var names: [String] { arrays.map(\.name) }

    /// The array called `name`, or nil.
    public subscript(name: String) -> Tensor? {
        arrays.first { $0.name == name }?.tensor
    }

    /// A dataset of arrays already in memory; `source` names them in errors (as a file would).
    /// Throws what `load(_:)` throws for the same arrays.
    public init(_ arrays: [(name: String, tensor: Tensor)], source: String = "dataset") throws(TrainingError) {
        try self.init(arrays.map { ($0.name, $0.tensor, source) })
    }

    /// Validates the arrays: no scalars, no repeated names, the same first dimension, not 0.
    init(_ entries: [(name: String, tensor: Tensor, file: String)]) throws(TrainingError) {
        guard let first = entries.first else { throw TrainingError("the dataset has no arrays") }
        var seen: [String: String] = [:]
        for (name, tensor, file) in entries {
            if let earlier = seen.updateValue(file, forKey: name) {
                throw TrainingError(path: file, "array '\(name)' is given twice (also in \(earlier))")
            }
            guard tensor.rank > 0 else {
                throw TrainingError(path: file, "array '\(name)' is a scalar; every array needs a first dimension indexing the samples")
            }
        }
        try Self.checkSampleCounts(entries)
        guard let samples = first.tensor.shape.first, samples > 0 else {
            throw TrainingError(path: first.file, "the dataset has no samples ('\(first.name)' is \(first.tensor.dtype)\(first.tensor.shape))")
        }
        arrays = entries.map { ($0.name, $0.tensor) }
        files = entries.map(\.file)
        sampleCount = samples
    }

    /// The arrays of an already validated dataset, restricted to other samples.
    init(validated arrays: [(name: String, tensor: Tensor)], files: [String], sampleCount: Int) {
        self.arrays = arrays
        self.files = files
        self.sampleCount = sampleCount
    }

    /// Reads every source (`.npz` files and single `.npy` arrays) into one dataset.
    public static func load(_ sources: [DataSource]) throws(TrainingError) -> Dataset {
        var entries: [(name: String, tensor: Tensor, file: String)] = []
        for source in sources {
            do throws(TensorIOError) {
                switch source {
                case .npz(let path):
                    let arrays = try NPZ.read(contentsOf: path)
                    guard !arrays.isEmpty else { throw TensorIOError(path: path, message: "holds no arrays") }
                    entries += arrays.map { ($0.name, $0.tensor, path) }
                case .npy(let name, let path):
                    entries.append((name, try NPY.read(contentsOf: path), path))
                }
            } catch {
                throw TrainingError(error)
            }
        }
        return try Dataset(entries)
    }
}

private extension Dataset {
    /// Every array's first dimension must be the first array's.
    static func checkSampleCounts(_ entries: [(name: String, tensor: Tensor, file: String)]) throws(TrainingError) {
        guard let first = entries.first, let samples = first.tensor.shape.first else { return }
        for (name, tensor, file) in entries.dropFirst() {
            guard let count = tensor.shape.first, count != samples else { continue }
            let other = file == first.file ? "'\(first.name)'" : "'\(first.name)' in \(first.file)"
            throw TrainingError(path: file, "array '\(name)' has \(count) samples (first dimension), but \(other) has \(samples)")
        }
    }
}

/// Where dataset arrays come from: a whole `.npz` or one named `.npy` array.
public enum DataSource: Hashable, Sendable {
    /// Every array in an `.npz` file, under its own name.
    case npz(path: String)
    /// One `.npy` file as the array `name`.
    case npy(name: String, path: String)

    /// A `--data` argument: `name=path` is one `.npy` array when `name` is not empty and has no
    /// `/` (so a path containing `=` still reads as a file); anything else is an `.npz` path.
    public init(argument: String) {
        if let equals = argument.firstIndex(of: "="), equals != argument.startIndex,
           !argument[..<equals].contains("/") {
            self = .npy(name: String(argument[..<equals]), path: String(argument[argument.index(after: equals)...]))
        } else {
            self = .npz(path: argument)
        }
    }
}
