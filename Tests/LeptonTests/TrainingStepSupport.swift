import Foundation
import Testing
@testable import LeptonFrontend
@testable import LeptonReference
import LeptonPasses
import LeptonTraining

/// An example's training step, as `TrainingProgram` builds it: the model of its train block
/// with the loss attached, differentiated for fixed sizes (loss, outputs, then a gradient per
/// trained param), as differentiated and after the -O2 pipeline, each with its params.
struct TrainingStep {
    var name: String
    var gradient: Graph
    var gradientParameters: [Tensor]
    var optimized: Graph
    var optimizedParameters: [Tensor]
    /// Seeded data and param values (every input is of fixed size).
    var inputs: [String: Tensor]
}

/// The training step of graphs/`file`'s train block for `sizes`. Trained params take their
/// initial values; data inputs are `randomInputs` (labels in 0..<5), those named in
/// `probabilities` mapped into [0, 1] (binary targets).
func trainingStep(_ file: String, sizes: [String: Int], probabilities: Set<String> = []) throws -> TrainingStep {
    let module = try exampleGraph(file, named: nil).module
    let spec = try #require(module.training.first)
    let model = try #require(module.graph(named: spec.model))
    let training = try TrainingGraph(model: model, spec: spec)
    let program = TrainingProgram(training: training, baseDirectory: module.baseDirectory, threads: 1)
    let gradient = try program.gradientGraph(sizes)
    let (optimized, context) = try program.optimize(gradient)
    var optimizedParameters: [Tensor] = []
    for param in optimized.params { optimizedParameters.append(try context.parameters.value(of: param, in: optimized)) }
    // Trained params at their initial values (random ones in [-2, 2) made textclf's LSTM chaotic).
    var inputs = randomInputs(gradient)
    let initial = try materializeParameters(of: model, baseDirectory: module.baseDirectory)
    for (param, value) in zip(model.params, initial) where training.trained.contains(model.name(of: param.value)) {
        inputs[model.name(of: param.value)] = value
    }
    for name in probabilities {
        let tensor = try #require(inputs[name])
        inputs[name] = Tensor(shape: tensor.shape, scalars: tensor.doubles.map { Float(abs($0) / 2) })
    }
    return TrainingStep(name: file, gradient: gradient,
                        gradientParameters: try materializeParameters(of: gradient, baseDirectory: module.baseDirectory),
                        optimized: optimized, optimizedParameters: optimizedParameters, inputs: inputs)
}
