import LeptonKernels

/// Normalizations, softmax, reductions and arg-reductions.

struct NormKernel {
    let context: StepContext

    var step: StepBody {
        switch context.inputTypes[0] {
        case .f32: make(Float.self)
        case .f64: make(Double.self)
        default: preconditionFailure("\(context.op) takes floats")
        }
    }

    func make<T: KernelFloat>(_: T.Type) -> StepBody {
        let shape = context.inputShapes[0]
        let (x, out) = (context.input(0, T.self), context.output(0, T.self))
        let attributes = context.attributes
        let parallelism = context.parallelism
        switch context.op {
        case .batch_norm:
            let (batch, channels) = (shape[0], shape[1]), plane = shape.dropFirst(2).reduce(1, *)
            let (s, b, m, v) = (context.input(1, T.self), context.input(2, T.self), context.input(3, T.self), context.input(4, T.self))
            let epsilon = attributes.float("epsilon")
            return { batchNorm(x: x, out: out, batch: batch, channels: channels, plane: plane, scale: s, bias: b, mean: m, variance: v, epsilon: epsilon,
                                parallelism: parallelism) }
        case .layer_norm:
            let axis = context.axis("axis", rank: shape.count)
            let row = shape[axis...].reduce(1, *), rows = shape[..<axis].reduce(1, *)
            let (s, b) = (context.input(1, T.self), context.optionalInput(2, T.self))
            let epsilon = attributes.float("epsilon")
            return { layerNorm(x: x, out: out, rows: rows, row: row, scale: s, bias: b, epsilon: epsilon, parallelism: parallelism) }
        case .instance_norm:
            let (batch, channels) = (shape[0], shape[1]), plane = shape.dropFirst(2).reduce(1, *)
            let (s, b) = (context.input(1, T.self), context.input(2, T.self))
            let epsilon = attributes.float("epsilon")
            return { instanceNorm(x: x, out: out, batch: batch, channels: channels, plane: plane, scale: s, bias: b, epsilon: epsilon,
                                  parallelism: parallelism) }
        case .softmax, .log_softmax:
            let axis = shape.isEmpty ? 0 : context.axis("axis", rank: shape.count)
            let dim = shape.isEmpty ? 1 : shape[axis]
            let outer = shape.isEmpty ? 1 : shape[..<axis].reduce(1, *), inner = shape.isEmpty ? 1 : shape[(axis + 1)...].reduce(1, *)
            let log = context.op == .log_softmax
            return { softmax(x: x, out: out, outer: outer, dim: dim, inner: inner, log: log, parallelism: parallelism) }
        default:
            preconditionFailure("\(context.op) is not a normalization")
        }
    }
}

struct ReduceKernel {
    let context: StepContext

    var step: StepBody {
        switch NumericType(context.inputTypes[0]) {
        case .f32: make(Float.self)
        case .f64: make(Double.self)
        case .i32: make(Int32.self)
        case .i64: make(Int64.self)
        }
    }

    func make<T: KernelScalar>(_: T.Type) -> StepBody {
        let shape = context.inputShapes[0]
        let (x, out) = (context.input(0, T.self), context.output(0, T.self))
        let parallelism = context.parallelism
        switch context.op {
        case .argmax, .argmin:
            let axis = context.axis("axis", rank: shape.count)
            let (outer, dim, inner) = (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
            let (largest, last) = (context.op == .argmax, context.attributes.bool("select_last_index"))
            let indices = context.output(0, Int64.self)
            return { () throws(KernelFailure) in
                if dim == 0 && outer * inner > 0 { throw KernelFailure("\(largest ? "argmax" : "argmin") of an empty axis \(axis) has no result") }
                argExtreme(x: x, out: indices, outer: outer, dim: dim, inner: inner, largest: largest, last: last)
            }
        default:
            let requested = context.attributes.ints("axes").map { $0 < 0 ? $0 + shape.count : $0 }
            let reduced = requested.isEmpty ? Set(shape.indices) : Set(requested)
            let kept = shape.indices.map { reduced.contains($0) ? 1 : shape[$0] }
            let keptStrides = contiguousStrides(kept)
            let outStrides = shape.indices.map { reduced.contains($0) ? 0 : keptStrides[$0] }
            let reducedCount = reduced.map { shape[$0] }.reduce(1, *)
            let kind: ReduceKind = switch context.op {
            case .reduce_sum: .sum
            case .reduce_mean: .mean
            case .reduce_max: .max
            case .reduce_min: .min
            default: .prod
            }
            let outCount = context.count(output: 0)
            return { reduce(kind, x: x, shape: shape, outStrides: outStrides, out: out, outCount: outCount, reducedCount: reducedCount,
                            parallelism: parallelism) }
        }
    }
}
