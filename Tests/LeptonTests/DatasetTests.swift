import Foundation
import Testing
import LeptonTensor
import LeptonTraining

/// A fresh empty directory under the system temporary directory.
private func scratchDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "lepton-dataset-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Six samples: x f32[6, 2] (row i is [i, 10 + i]) and y i64[6] (10·i).
private let x = Tensor(shape: [6, 2], scalars: (0..<6).flatMap { [Float($0), Float(10 + $0)] })
private let y = Tensor(shape: [6], scalars: (0..<6).map { Int64(10 * $0) })

/// The error `body` throws, as the CLI prints it; nil when it throws nothing.
private func error(_ body: () throws -> Dataset) -> String? {
    do {
        _ = try body()
        return nil
    } catch {
        return "\(error)"
    }
}

@Suite struct DatasetLoadingTests {
    @Test func loadsNpzAndNpyArraysTogether() throws {
        let directory = try scratchDirectory()
        try NPZ.write([("x", x)], to: "\(directory)/train.npz")
        try NPY.write(y, to: "\(directory)/y.npy")
        let data = try Dataset.load([.npz(path: "\(directory)/train.npz"), DataSource(argument: "y=\(directory)/y.npy")])
        #expect(data.names == ["x", "y"])
        #expect(data.sampleCount == 6)
        #expect(data["x"] == x && data["y"] == y && data["z"] == nil)
    }

    @Test func dataArgumentsNameNpyArraysOrNpzFiles() {
        #expect(DataSource(argument: "tokens=data/t.npy") == .npy(name: "tokens", path: "data/t.npy"))
        #expect(DataSource(argument: "data/train.npz") == .npz(path: "data/train.npz"))
        #expect(DataSource(argument: "runs/a=b/train.npz") == .npz(path: "runs/a=b/train.npz"))
        #expect(DataSource(argument: "=x.npy") == .npz(path: "=x.npy"))
    }

    @Test func errorsNameTheFileAndTheArray() throws {
        let directory = try scratchDirectory()
        let (a, b) = ("\(directory)/a.npz", "\(directory)/b.npy")
        try NPZ.write([("x", x), ("y", y)], to: a)
        try NPY.write(Tensor(shape: [5], scalars: [Int64](repeating: 1, count: 5)), to: b)
        #expect(error { try Dataset.load([.npz(path: "\(directory)/missing.npz")]) }
                == "\(directory)/missing.npz: error: no such file")
        #expect(error { try Dataset.load([.npz(path: a), .npy(name: "y", path: b)]) }
                == "\(b): error: array 'y' is given twice (also in \(a))")
        #expect(error { try Dataset.load([.npz(path: a), .npy(name: "w", path: b)]) }
                == "\(b): error: array 'w' has 5 samples (first dimension), but 'x' in \(a) has 6")
        #expect(error { try Dataset([("x", x), ("y", Tensor(shape: [4], scalars: [Float](repeating: 0, count: 4)))], source: "d.npz") }
                == "d.npz: error: array 'y' has 4 samples (first dimension), but 'x' has 6")
        #expect(error { try Dataset([("x", x), ("s", Tensor(scalar: Float(1)))], source: "d.npz") }
                == "d.npz: error: array 's' is a scalar; every array needs a first dimension indexing the samples")
        #expect(error { try Dataset([("x", Tensor(shape: [0, 64], scalars: [Float]()))], source: "d.npz") }
                == "d.npz: error: the dataset has no samples ('x' is f32[0, 64])")
        try NPZ.write([], to: "\(directory)/empty.npz")
        #expect(error { try Dataset.load([.npz(path: "\(directory)/empty.npz")]) } == "\(directory)/empty.npz: error: holds no arrays")
        #expect(error { try Dataset.load([]) } == "error: the dataset has no arrays")
    }
}

@Suite struct DatasetOrderTests {
    let data: Dataset
    init() throws { data = try Dataset([("x", x), ("y", y)]) }

    @Test func batchesGatherRowsInTheGivenOrder() {
        let batch = data.batch([4, 1, 4][...])
        #expect(batch["x"] == Tensor(shape: [3, 2], scalars: [Float(4), 14, 1, 11, 4, 14]))
        #expect(batch["y"] == Tensor(shape: [3], scalars: [Int64(40), 10, 40]))
    }

    // That a batch of the same size allocates nothing is TrainingAllocationTests' to check.
    @Test func fillBatchOverwritesThePreviousBatch() {
        var tensors: [Tensor] = []
        data.fillBatch([0, 1][...], into: &tensors)
        data.fillBatch([5, 2][...], into: &tensors)
        #expect(tensors == [Tensor(shape: [2, 2], scalars: [Float(5), 15, 2, 12]), Tensor(shape: [2], scalars: [Int64(50), 20])])
        data.fillBatch([3][...], into: &tensors)  // a last, smaller batch
        #expect(tensors == [Tensor(shape: [1, 2], scalars: [Float(3), 13]), Tensor(shape: [1], scalars: [Int64(30)])])
    }

    // Pinned orders: SplitMix64 and the seed derivation in Dataset+Order.swift, written out
    // independently in Python. A change here breaks resuming checkpoints of earlier runs.
    @Test func batchOrderIsSeededPerEpoch() throws {
        let ten = try Dataset([("i", Tensor(shape: [10], scalars: (0..<10).map { Int64($0) }))])
        #expect(ten.batchOrder(epoch: 1, seed: 42, shuffle: true) == [7, 1, 8, 3, 2, 4, 0, 6, 5, 9])
        #expect(ten.batchOrder(epoch: 2, seed: 42, shuffle: true) == [2, 1, 0, 8, 3, 4, 9, 5, 7, 6])
        #expect(ten.batchOrder(epoch: 1, seed: 7, shuffle: true) == [1, 0, 9, 8, 7, 2, 6, 3, 4, 5])
        #expect(ten.batchOrder(epoch: 1, seed: 42, shuffle: false) == Array(0..<10))
        #expect(ten.batchOrder(epoch: 2, seed: 42, shuffle: true) == ten.batchOrder(epoch: 2, seed: 42, shuffle: true))
    }

    @Test func splitIsSeededAndKeepsFileOrder() throws {
        let ten = try Dataset([("i", Tensor(shape: [10], scalars: (0..<10).map { Int64($0) }))])
        let (training, validation) = try ten.split(validationFraction: 0.3, seed: 42)
        #expect(training["i"] == Tensor(shape: [7], scalars: [Int64(1), 2, 3, 4, 6, 8, 9]))
        #expect(validation["i"] == Tensor(shape: [3], scalars: [Int64(0), 5, 7]))
        #expect(training.sampleCount == 7 && validation.sampleCount == 3)
        let other = try ten.split(validationFraction: 0.3, seed: 43)
        #expect(other.validation["i"] != validation["i"])
    }

    @Test func splitRoundsTheValidationSizeUp() throws {
        let hundred = try Dataset([("i", Tensor(shape: [100], scalars: (0..<100).map { Int64($0) }))])
        #expect(try hundred.split(validationFraction: 0.7, seed: 1).validation.sampleCount == 70)
        #expect(try hundred.split(validationFraction: 0.001, seed: 1).validation.sampleCount == 1)
        #expect(try data.split(validationFraction: 0.25, seed: 1).validation.sampleCount == 2)  // ⌈1.5⌉
    }

    @Test func splitNeedsSamplesOnBothSides() throws {
        #expect(throws: TrainingError("the validation fraction must be between 0 and 1 (exclusive), got 1.0")) {
            try data.split(validationFraction: 1, seed: 1)
        }
        #expect(throws: TrainingError("the validation fraction must be between 0 and 1 (exclusive), got 0.0")) {
            try data.split(validationFraction: 0, seed: 1)
        }
        #expect(throws: TrainingError("a validation fraction of 0.9 of 6 samples leaves no training samples")) {
            try data.split(validationFraction: 0.9, seed: 1)
        }
        let one = try Dataset([("x", Tensor(shape: [1], scalars: [Float(1)]))])
        #expect(throws: TrainingError("a validation fraction of 0.5 of 1 samples leaves no training samples")) {
            try one.split(validationFraction: 0.5, seed: 1)
        }
    }
}
