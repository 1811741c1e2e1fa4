import Foundation

/// Latency statistics over the timed runs of `lepton bench`: median, fastest and slowest run.
/// The median is the figure to compare; min and max show how noisy the machine was.
struct Latency: Codable {
    /// Seconds.
    let median: Double
    let min: Double
    let max: Double

    /// `samples` must not be empty.
    init(samples: [Double]) {
        let sorted = samples.sorted()
        median = sorted[sorted.count / 2]
        min = sorted[0]
        max = sorted[sorted.count - 1]
    }

    /// Billions of floating-point operations per second at the median latency.
    func gigaflops(_ flops: Int) -> Double { median > 0 ? Double(flops) / median / 1e9 : 0 }

    /// Times `runs` calls of `body` after `warmup` untimed ones. The sample buffer is reserved
    /// first, so the timed loop allocates nothing of its own (the heap figure stays the graph's).
    static func measure<E: Error>(runs: Int, warmup: Int, _ body: () throws(E) -> Void) throws(E) -> Latency {
        for _ in 0..<warmup { try body() }
        var samples: [Double] = []
        samples.reserveCapacity(runs)
        let clock = ContinuousClock()
        for _ in 0..<runs {
            let start = clock.now
            try body()
            samples.append(seconds(clock.now - start))
        }
        return Latency(samples: samples)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
