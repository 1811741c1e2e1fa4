/// `train` blocks as `.graph` text that parses back to the same `TrainingSpec`: the loss
/// graph's statements, then the settings with every optimizer argument written out, so the
/// text says exactly what the trainer will do whatever the defaults become.
///
///     train xor(y: f32[N, 1]) {
///       %0: f32[N, 1] = log(p)
///       ...
///       loss: f32[] = neg(%4)
///       optimizer = adam(lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-08, weight_decay: 0.0)
///       trainable = [w1, b1]
///       l2 = 0.0001
///     }
extension Printer {
    public static func print(_ training: TrainingSpec, options: PrintOptions = .full) -> String {
        let loss = training.loss
        let labels = training.labelInputs.map { declaration(of: $0, in: loss) }.joined(separator: ", ")
        var lines = ["train \(training.model)(\(labels)) {"]
        lines += body(of: loss, options: options).map { "  " + $0 }
        // The front end names the loss `loss`; a hand-made spec may not, and still prints as text that parses.
        if let output = loss.outputs.first, loss.values.indices.contains(output), loss.name(of: output) != "loss" {
            lines.append("  loss: \(loss.type(of: output)) = identity(\(loss.name(of: output)))")
        }
        lines.append("  optimizer = \(text(of: training.optimizer))")
        if let trainable = training.trainable {
            lines.append("  trainable = [\(trainable.joined(separator: ", "))]")
        }
        if training.l2 != 0 {
            lines.append("  l2 = \(training.l2)")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `adam(lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-08, weight_decay: 0.0)`: every
    /// argument the kind takes, in `argumentNames` order.
    public static func text(of optimizer: OptimizerSpec) -> String {
        let arguments = optimizer.kind.argumentNames.map { name in
            let value: String = switch name {
            case "lr": "\(optimizer.learningRate)"
            case "momentum": "\(optimizer.momentum)"
            case "nesterov": "\(optimizer.nesterov)"
            case "beta1": "\(optimizer.beta1)"
            case "beta2": "\(optimizer.beta2)"
            case "eps": "\(optimizer.epsilon)"
            default: "\(optimizer.weightDecay)"
            }
            return "\(name): \(value)"
        }
        return "\(optimizer.kind)(\(arguments.joined(separator: ", ")))"
    }
}

extension OptimizerSpec.Kind {
    /// The arguments `kind(...)` takes in a train block, in the order they are printed.
    public var argumentNames: [String] {
        switch self {
        case .sgd: ["lr", "momentum", "nesterov", "weight_decay"]
        case .adam, .adamw: ["lr", "beta1", "beta2", "eps", "weight_decay"]
        }
    }
}
