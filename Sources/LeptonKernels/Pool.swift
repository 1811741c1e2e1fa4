/// Pooling over NCHW planes (ONNX MaxPool, AveragePool, GlobalAveragePool).

/// A pooling window, pads already resolved (the runtime computes them with the shape helpers).
public struct PoolGeometry: Hashable, Sendable {
    public var planes: Int, height: Int, width: Int, outH: Int, outW: Int
    public var kernel: [Int], strides: [Int], dilations: [Int], padBegin: [Int], padEnd: [Int]

    public init(planes: Int, height: Int, width: Int, outH: Int, outW: Int, kernel: [Int], strides: [Int],
                dilations: [Int], padBegin: [Int], padEnd: [Int]) {
        (self.planes, self.height, self.width, self.outH, self.outW) = (planes, height, width, outH, outW)
        (self.kernel, self.strides, self.dilations, self.padBegin, self.padEnd) = (kernel, strides, dilations, padBegin, padEnd)
    }
}

/// max_pool2d (ignoring padding; NaN wins) or avg_pool2d (divisor: taps inside the input, or
/// with `includePad` also those inside the padding but never past it, as ONNX Runtime does).
/// Planes are independent: they are split over `parallelism`'s threads.
@inlinable public func pool2d<T: KernelScalar>(_ g: PoolGeometry, average: Bool, includePad: Bool,
                                    x: UnsafePointer<T>, out: UnsafeMutablePointer<T>, parallelism: Parallelism = .serial) {
    let shared = Shared((x, out))
    parallelism.forEach(g.planes, cost: g.outH * g.outW * g.kernel.reduce(1, *)) { range, _ in
        pool2d(g, average: average, includePad: includePad, planes: range, x: shared.value.0, out: shared.value.1)
    }
}

@inlinable func pool2d<T: KernelScalar>(_ g: PoolGeometry, average: Bool, includePad: Bool, planes: Range<Int>,
                                                          x: UnsafePointer<T>, out: UnsafeMutablePointer<T>) {
    let (h, w) = (g.height, g.width)
    var target = out + planes.lowerBound * g.outH * g.outW
    for plane in planes {
        let image = x + plane * h * w
        for oy in 0..<g.outH {
            let startY = oy * g.strides[0] - g.padBegin[0]
            let rows = taps(start: startY, kernel: g.kernel[0], dilation: g.dilations[0], count: h, padEnd: g.padEnd[0])
            for ox in 0..<g.outW {
                let startX = ox * g.strides[1] - g.padBegin[1]
                let columns = taps(start: startX, kernel: g.kernel[1], dilation: g.dilations[1], count: w, padEnd: g.padEnd[1])
                var accumulator = average ? T.zero : T.lowest
                for ty in rows.taps {
                    let line = image + (startY + ty * g.dilations[0]) * w + startX
                    for tx in columns.taps {
                        let value = line[tx * g.dilations[1]]
                        accumulator = average ? T.add(accumulator, value) : T.larger(accumulator, value)
                    }
                }
                if average {
                    let divisor = includePad ? rows.padded * columns.padded : rows.taps.count * columns.taps.count
                    accumulator = divide(accumulator, T(count: divisor))
                }
                target.pointee = accumulator
                target += 1
            }
        }
    }
}

/// a / b for floats; truncating division for integers (0 when b is 0, as the reference does).
@inline(__always)
@inlinable func divide<T: KernelScalar>(_ a: T, _ b: T) -> T {
    switch (a, b) {
    case (let x as Float, let y as Float): return (x / y) as! T
    case (let x as Double, let y as Double): return (x / y) as! T
    case (let x as Int32, let y as Int32): return (y == 0 ? 0 : x.dividedReportingOverflow(by: y).partialValue) as! T
    case (let x as Int64, let y as Int64): return (y == 0 ? 0 : x.dividedReportingOverflow(by: y).partialValue) as! T
    default: preconditionFailure("unsupported scalar \(T.self)")
    }
}

/// The taps of a window starting at `start` that land inside the input, and how many land
/// inside the padded input.
@inlinable func taps(start: Int, kernel: Int, dilation: Int, count: Int, padEnd: Int) -> (taps: Range<Int>, padded: Int) {
    let low = Swift.max(0, ceilDiv(-start, dilation))
    let high = Swift.min(kernel, ceilDiv(count - start, dilation))
    let padded = Swift.min(kernel, ceilDiv(count + padEnd - start, dilation))
    return (low..<Swift.max(low, high), Swift.max(0, padded))
}

/// ⌈a / b⌉ for b > 0 and any sign of a.
@inlinable func ceilDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b, r = a % b
    return r > 0 ? q + 1 : q
}

/// global_avg_pool: out[p] = mean of plane p (`planes` planes of `size` elements).
@inlinable public func globalAveragePool<T: KernelScalar>(planes: Int, size: Int, x: UnsafePointer<T>, out: UnsafeMutablePointer<T>,
                                                       parallelism: Parallelism = .serial) {
    if T.self == Float.self {
        return globalAveragePoolFloat(planes: planes, size: size, x: UnsafeRawPointer(x), out: UnsafeMutableRawPointer(out),
                                      parallelism: parallelism)
    }
    let shared = Shared((x, out))
    parallelism.forEach(planes, cost: size) { range, _ in
        let (x, out) = shared.value
        for p in range {
            var sum = T.zero
            let plane = x + p * size
            for i in 0..<size { sum = T.add(sum, plane[i]) }
            out[p] = divide(sum, T(count: size))
        }
    }
}

/// global_avg_pool in f32 (the same sums), split through a C function and a pointer: a
/// capturing closure handed to the workers would allocate on every run.
@usableFromInline func globalAveragePoolFloat(planes: Int, size: Int, x: UnsafeRawPointer, out: UnsafeMutableRawPointer,
                                              parallelism: Parallelism) {
    var state = (size: size, x: x.assumingMemoryBound(to: Float.self), out: out.assumingMemoryBound(to: Float.self))
    withUnsafeMutablePointer(to: &state) { state in
        parallelism.forEach(planes, cost: size, context: UnsafeMutableRawPointer(state)) { context, lower, upper, _ in
            let (size, x, out) = context.assumingMemoryBound(to: (size: Int, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>).self).pointee
            for p in lower..<upper {
                var sum: Float = 0
                let plane = x + p * size
                for i in 0..<size { sum = Float.add(sum, plane[i]) }
                out[p] = divide(sum, Float(count: size))
            }
        }
    }
}

