import Foundation
import Testing
import LeptonFrontend
import LeptonIR

@Test func printerWritesCanonicalText() throws {
    let source = """
        graph g(x: f32[N, 4]) -> (y: f32[N, 4], s: f64[2]) {
          param w: f32[4] = uniform(high: 0.1, seed: 3)
          param v: f32[4] = load("dir/w.npz", key: "w\\n1")
          y = softmax(leaky_relu(x * w + v, alpha: 0.01), axis: 0)
          s = cast([1, 2], to: f64)
        }
        """
    let module = try Frontend.parse(source: source, path: "g.graph")
    #expect(Printer.print(module) == """
        graph g(x: f32[N, 4]) -> (y: f32[N, 4], s: f64[2]) {
          param w: f32[4] = uniform(low: 0.0, high: 0.1, seed: 3)
          param v: f32[4] = load("dir/w.npz", key: "w\\n1")
          %0: f32[N, 4] = mul(x, w)
          %1: f32[N, 4] = add(%0, v)
          %2: f32[N, 4] = leaky_relu(%1)
          y: f32[N, 4] = softmax(%2, axis: 0)
          %3: i64[2] = constant(value: [1, 2], dtype: i64)
          s: f64[2] = cast(%3, to: f64)
        }

        """)
}

@Test func printerKeepsFloatsExactAndFloatKindsFloat() {
    let values: [Float] = [1, 0.1, -0.0, 1e-5, 3.4028235e38, .infinity, -.infinity, 1.0000001]
    let tensor = Tensor(shape: [2, 4], scalars: values)
    #expect(Printer.text(of: tensor) == "[[1.0, 0.1, -0.0, 1e-05], [3.4028235e+38, inf, -inf, 1.0000001]]")
    #expect(Printer.text(of: .float(1)) == "1.0")
    #expect(Printer.text(of: .floats([0.5, 2])) == "[0.5, 2.0]")
    #expect(Printer.text(of: Tensor(shape: [], scalars: [true])) == "true")
    #expect(Printer.text(of: Tensor(shape: [2, 0], scalars: [Int64]())) == "[[], []]")
}

@Test func printerQuotesStrings() {
    #expect(Printer.quoted("a\"b\\c\n\t\u{1}") == "\"a\\\"b\\\\c\\n\\t\\u{1}\"")
}

@Test func extremeFloatsSurviveARoundTrip() throws {
    let source = """
        graph g(x: f32[4]) -> (y: f32[4], z: f64[3]) {
          y = x * [1.4e-45, 3.4028235e+38, -0.0, 1.0000001]
          z = [5e-324, 1.7976931348623157e+308, 0.30000000000000004]
        }
        """
    let module = try Frontend.parse(source: source, path: "g.graph")
    let printed = Printer.print(module)
    let again = try Frontend.parse(source: printed, path: "g.graph")
    #expect(again.graphs[0].withoutLocations() == module.graphs[0].withoutLocations())
    #expect(printed.contains("[1e-45, 3.4028235e+38, -0.0, 1.0000001]"))
    #expect(printed.contains("[5e-324, 1.7976931348623157e+308, 0.30000000000000004]"))
}
