import Foundation
import Testing
@testable import LeptonReference

private let npyFixtures = TestPaths.fixtures("npy").path

/// A graph holding only params; param i is declared at p.graph:(i+2):3.
private func paramGraph(_ params: [(String, TensorType, Initializer)]) -> Graph {
    var graph = Graph(name: "g", location: SourceLocation(file: "p.graph", line: 1, column: 1))
    for (i, (name, type, initializer)) in params.enumerated() {
        let location = SourceLocation(file: "p.graph", line: i + 2, column: 3)
        let value = graph.addValue(name, type, at: location)
        graph.params.append(Param(value: value, initializer: initializer, location: location))
    }
    return graph
}

private func materialize(_ name: String, _ type: TensorType, _ initializer: Initializer) throws -> Tensor {
    try materializeParameters(of: paramGraph([(name, type, initializer)]), baseDirectory: npyFixtures)[0]
}

private func expectClose(_ actual: Tensor, _ expected: [Double], tolerance: Double, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
    let values = Array(actual.doubles.prefix(expected.count))
    #expect(values.count == expected.count, sourceLocation: sourceLocation)
    for (a, e) in zip(values, expected) {
        #expect(abs(a - e) <= tolerance * max(1, abs(e)), "\(a) vs \(e)", sourceLocation: sourceLocation)
    }
}

/// The error message (one diagnostic) thrown by materializing one param.
private func failure(_ name: String, _ type: TensorType, _ initializer: Initializer) -> String? {
    do {
        _ = try materializeParameters(of: paramGraph([(name, type, initializer)]), baseDirectory: npyFixtures)
        return nil
    } catch {
        return error.diagnostics.map(\.description).joined(separator: "\n")
    }
}

@Test func fillsConstantInitializersInEveryDtype() throws {
    #expect(try materialize("a", TensorType(.f32, fixed: [2]), .zeros) == Tensor(shape: [2], scalars: [Float(0), 0]))
    #expect(try materialize("a", TensorType(.i32, fixed: [3]), .ones) == Tensor(shape: [3], scalars: [Int32(1), 1, 1]))
    #expect(try materialize("a", TensorType(.bool, fixed: [1]), .ones) == Tensor(shape: [1], scalars: [true]))
    #expect(try materialize("a", TensorType(.f64, fixed: []), .constant(0.25)) == Tensor(scalar: 0.25))
    #expect(try materialize("a", TensorType(.i64, fixed: [2]), .constant(-3)) == Tensor(shape: [2], scalars: [Int64(-3), -3]))
}

// Expected values: Tools/initializer_values.py, which implements the spec text independently.
@Test func uniformMatchesTheSpec() throws {
    let tensor = try materialize("w", TensorType(.f32, fixed: [2, 3]), .uniform(low: -0.1, high: 0.1, seed: 1))
    #expect(tensor.dtype == .f32 && tensor.shape == [2, 3])
    expectClose(tensor, [-0.04402840882539749, -0.007101096678525209, -0.07950163632631302,
                         -0.007152246776968241, -0.026589293032884598, 0.01482592523097992], tolerance: 1e-7)
}

@Test func normalMatchesTheSpec() throws {
    let tensor = try materialize("layer.w", TensorType(.f64, fixed: [4]), .normal(mean: 0.5, std: 0.02, seed: 7))
    expectClose(tensor, [0.5100866204442439, 0.47909051958350224, 0.4970358690986135, 0.5048461783314977], tolerance: 1e-13)
}

@Test func glorotUsesFansOfEachRank() throws {
    let matrix = try materialize("w1", TensorType(.f32, fixed: [3, 2]), .glorot(seed: 1))
    expectClose(matrix, [0.09485772252082825, -1.0284138917922974, 0.1384451687335968,
                         0.07790488749742508, -0.7678520083427429, 0.8490556478500366], tolerance: 1e-7)
    let conv = try materialize("k", TensorType(.f64, fixed: [4, 2, 3]), .glorot(seed: 0))
    expectClose(conv, [-0.47687324713184565, 0.013030624358380427, 0.4920410409805758, -0.5074702902086057], tolerance: 1e-13)
    let vector = try materialize("b", TensorType(.f64, fixed: [5]), .glorot(seed: 2))
    expectClose(vector, [0.6548708123002862, -0.07603557646693948, -0.7511834604715826,
                         -0.27511000719985856, 0.7407833312368073], tolerance: 1e-13)
}

@Test func heUsesConvFanIn() throws {
    let tensor = try materialize("c.w", TensorType(.f32, fixed: [2, 3, 2, 2]), .he(seed: 3))
    #expect(tensor.count == 24)
    expectClose(tensor, [-0.42698004841804504, 0.44865891337394714, 0.11612414568662643, 0.32859301567077637], tolerance: 1e-7)
}

@Test func theParamNameChangesTheStream() throws {
    let a = try materialize("a.w", TensorType(.f32, fixed: [4]), .uniform(low: 0, high: 1, seed: 5))
    let b = try materialize("b.w", TensorType(.f32, fixed: [4]), .uniform(low: 0, high: 1, seed: 5))
    #expect(a != b)
    #expect(a == (try materialize("a.w", TensorType(.f32, fixed: [4]), .uniform(low: 0, high: 1, seed: 5))))
}

@Test func loadsNpyAndNpzRelativeToTheBaseDirectory() throws {
    let matrix = try materialize("w", TensorType(.f32, fixed: [2, 3]), .load(path: "f4.npy", key: nil))
    #expect(matrix == Tensor(shape: [2, 3], scalars: [Float(0.5), -1.25, 3.0, 1e-3, -0.0, 65504.0]))
    let vector = try materialize("b", TensorType(.i64, fixed: [4]), .load(path: "savez_compressed.npz", key: "b"))
    #expect(vector == Tensor(shape: [4], scalars: [Int64(0), -1, 1 << 62, .min]))
    let absolute = try materialize("w", TensorType(.f32, fixed: [2, 3]), .load(path: "\(npyFixtures)/f4.npy", key: nil))
    #expect(absolute == matrix)
}

@Test(arguments: [
    ("w2", TensorType(.f32, fixed: [2, 3]), Initializer.load(path: "mlp/w2.npy", key: nil),
     "p.graph:2:3: error: param w2: cannot read 'mlp/w2.npy': no such file"),
    ("w2", TensorType(.f32, fixed: [2, 4]), .load(path: "f4.npy", key: nil),
     "p.graph:2:3: error: param w2 is f32[2, 4] but 'f4.npy' holds f32[2, 3]"),
    ("w2", TensorType(.f64, fixed: [2, 3]), .load(path: "f4.npy", key: nil),
     "p.graph:2:3: error: param w2 is f64[2, 3] but 'f4.npy' holds f32[2, 3]"),
    ("b", TensorType(.i64, fixed: [5]), .load(path: "savez.npz", key: "b"),
     "p.graph:2:3: error: param b is i64[5] but 'savez.npz' array 'b' holds i64[4]"),
    ("b", TensorType(.i64, fixed: [4]), .load(path: "savez.npz", key: "zz"),
     "p.graph:2:3: error: param b: 'savez.npz' has no array 'zz' (it holds a, b, c, big, noise)"),
    ("b", TensorType(.i64, fixed: [4]), .load(path: "savez.npz", key: nil),
     "p.graph:2:3: error: param b: loading 'savez.npz' needs key: (it holds a, b, c, big, noise)"),
    ("b", TensorType(.i64, fixed: [4]), .load(path: "f4.npy", key: "x"),
     "p.graph:2:3: error: param b: key 'x' given but 'f4.npy' is not an .npz"),
    ("w", TensorType(.f32, fixed: [2]), .load(path: "corrupt/bad_magic.npy", key: nil),
     "p.graph:2:3: error: param w: cannot read 'corrupt/bad_magic.npy': not a .npy file (bad magic)"),
    ("k", TensorType(.i32, fixed: [3]), .uniform(low: 0, high: 1, seed: 1),
     "p.graph:2:3: error: param k: uniform needs a float param, got i32[3]"),
    ("m", TensorType(.bool, fixed: [3]), .he(seed: 1),
     "p.graph:2:3: error: param m: he needs a float param, got bool[3]"),
    ("s", TensorType(.f32, fixed: []), .glorot(seed: 1),
     "p.graph:2:3: error: param s: glorot needs a param of rank 1 or more, got f32[]"),
    ("w", TensorType(.f32, [.symbol("N"), .fixed(3)]), .zeros,
     "p.graph:2:3: error: param w has type f32[N, 3] with symbolic dimension N; params need fixed shapes"),
    ("w", TensorType(.f32, fixed: [99_999_999_999, 99_999_999_999]), .zeros,
     "p.graph:2:3: error: param w has type f32[99999999999, 99999999999], too large to materialize"),
    ("n", TensorType(.i32, fixed: [2]), .constant(0.5),
     "p.graph:2:3: error: param n: constant(0.5) is not representable as i32"),
    ("n", TensorType(.i64, fixed: [2]), .constant(.infinity),
     "p.graph:2:3: error: param n: constant(inf) is not representable as i64"),
])
func reportsBadParamsAtTheirDeclaration(name: String, type: TensorType, initializer: Initializer, message: String) {
    #expect(failure(name, type, initializer) == message)
}

@Test func materializesParamsInDeclarationOrder() throws {
    let graph = paramGraph([
        ("a", TensorType(.f32, fixed: [1]), .constant(2)),
        ("b", TensorType(.i64, fixed: [4]), .load(path: "savez.npz", key: "b")),
        ("c", TensorType(.bool, fixed: [2, 3]), .load(path: "savez.npz", key: "c")),
    ])
    let tensors = try materializeParameters(of: graph, baseDirectory: npyFixtures)
    #expect(tensors.map(\.dtype) == [.f32, .i64, .bool])
    #expect(tensors[0] == Tensor(shape: [1], scalars: [Float(2)]))
}
