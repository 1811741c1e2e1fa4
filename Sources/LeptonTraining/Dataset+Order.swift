import LeptonTensor

/// Which samples go where, reproducibly: the validation split and each epoch's batch order.
///
/// Both come from SplitMix64 (LeptonTensor's Random.swift), seeded from the run's seed and a
/// purpose, so they never share a stream:
///
///     split:     SplitMix64(seed: mix(seed ^ fnv1a64("split")))
///     epoch e:   SplitMix64(seed: mix(mix(seed ^ fnv1a64("epoch")) &+ UInt64(bitPattern: e)))
///
/// An epoch's order depends only on the seed and the epoch number — not on how many epochs ran
/// before in this process — so a run resumed at epoch k sees the order it would have seen.
extension Dataset {
    /// Splits off a validation set: the indices 0..<n shuffled with the seed, the last
    /// ⌈f·n⌉ to validation, the rest to training, each kept in file order. f·n is rounded to
    /// 1e-9 before ⌈⌉, so 0.7 of 100 samples is 70 (in floating point 0.7·100 is 70.00000000000001).
    /// Throws unless 0 < f < 1 and both parts get at least one sample.
    public func split(validationFraction f: Double, seed: UInt64) throws(TrainingError)
        -> (training: Dataset, validation: Dataset) {
        guard f > 0, f < 1 else {
            throw TrainingError("the validation fraction must be between 0 and 1 (exclusive), got \(f)")
        }
        let validationCount = Int((f * Double(sampleCount) - 1e-9).rounded(.up))
        guard validationCount >= 1, validationCount < sampleCount else {
            let missing = validationCount < 1 ? "validation" : "training"
            throw TrainingError("a validation fraction of \(f) of \(sampleCount) samples leaves no \(missing) samples")
        }
        var indices = Array(0..<sampleCount)
        var generator = SplitMix64(seed: SplitMix64.mix(seed ^ fnv1a64("split")))
        Self.shuffle(&indices, with: &generator)
        let cut = sampleCount - validationCount
        return (subset(indices[..<cut].sorted()), subset(indices[cut...].sorted()))
    }

    /// The order in which epoch `epoch` visits the samples: 0..<n, shuffled (seeded
    /// Fisher–Yates) when `shuffle` is true. The same seed and epoch give the same order on
    /// every run, whatever ran before.
    public func batchOrder(epoch: Int, seed: UInt64, shuffle: Bool) -> [Int] {
        var order = Array(0..<sampleCount)
        guard shuffle else { return order }
        let stream = SplitMix64.mix(seed ^ fnv1a64("epoch"))
        var generator = SplitMix64(seed: SplitMix64.mix(stream &+ UInt64(bitPattern: Int64(epoch))))
        Self.shuffle(&order, with: &generator)
        return order
    }

    /// Fisher–Yates from the back: position i swaps with j drawn from 0...i as the high word
    /// of draw × (i + 1) (Lemire's multiply-shift; its bias, under n / 2^64, is far below
    /// anything a batch order could show, and it needs exactly one draw per position).
    static func shuffle(_ indices: inout [Int], with generator: inout SplitMix64) {
        guard indices.count > 1 else { return }
        for i in stride(from: indices.count - 1, to: 0, by: -1) {
            let j = Int(generator.next().multipliedFullWidth(by: UInt64(i + 1)).high)
            indices.swapAt(i, j)
        }
    }
}
