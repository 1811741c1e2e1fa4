import Foundation
import Testing
@testable import LeptonFrontend
import LeptonIR
import LeptonReference

/// Inputs found by the fuzzers in Tools/Fuzz (or the limits they led to), kept so the fixes
/// stay fixed. Inputs that must fail live in Fixtures/diagnostics with their `# ERROR:` line.
struct FuzzRegressionTests {
    /// The deepest nesting the parser accepts must get through lowering, printing and
    /// re-parsing in a debug build without exhausting the stack.
    @Test(arguments: ["-(", "relu(", "(", "[", "x + ("])
    func deepestAcceptedNestingLowers(opening: String) throws {
        let depth = opening == "[" ? 190 : 95
        let closing = String(repeating: opening == "[" ? "]" : ")", count: depth)
        let leaf = opening == "[" ? "1" : "x"
        let expression = String(repeating: opening, count: depth) + leaf + closing
        let source = "graph g(x: f32[1]) -> (y) {\n  y = x * \(expression)\n}\n"
        let module = try Frontend.parse(source: source, path: "deep.graph")
        let printed = Printer.print(module)
        #expect(Printer.print(try Frontend.parse(source: printed, path: "deep.graph")) == printed)
    }

    /// Statements are ordered by a depth-first walk; written last-to-first, a long chain
    /// used to recurse once per statement and overflow the stack.
    @Test func longReversedStatementChainLowers() throws {
        let count = 60_000
        var lines = ["graph g(x: f32[2]) -> (y: f32[2]) {", "  y = a0"]
        for i in 0..<count { lines.append("  a\(i) = a\(i + 1)") }
        lines.append("  a\(count) = x\n}\n")
        let module = try Frontend.parse(source: lines.joined(separator: "\n"), path: "chain.graph")
        #expect(module.graphs[0].nodes.count == count + 2)
    }

    /// Each graph calling the one before twice asks for 2^20 nodes from 20 lines: lowering
    /// stops at its value budget (made small here: 100k values take seconds in debug builds).
    @Test func exponentialInliningIsStopped() {
        var source = "graph g0(x: f32[2]) -> (y: f32[2]) {\n  y = x\n}\n"
        for i in 1..<20 {
            source += "graph g\(i)(x: f32[2]) -> (y: f32[2]) {\n  y = g\(i - 1)(g\(i - 1)(x))\n}\n"
        }
        let (file, syntaxErrors) = Parser.parse(source, file: "calls.graph")
        #expect(syntaxErrors.isEmpty)
        do {
            _ = try Lowering.lower(file, baseDirectory: ".", valueBudget: 1_000)
            Issue.record("lowered 2^20 nodes without complaint")
        } catch {
            #expect(error.diagnostics[0].description
                == "calls.graph:17:7: error: too many values after inlining graph calls (more than 1000 in this file)")
        }
    }

    /// Just under the call-depth limit still inlines.
    @Test func deepestAcceptedCallChainLowers() throws {
        let depth = Lowering.maxCallDepth
        var source = "graph g0(x: f32[2], k: int) -> (y: f32[2]) {\n  y = -x\n}\n"
        for i in 1..<depth {
            source += "graph g\(i)(x: f32[2], k: int) -> (y: f32[2]) {\n  y = -g\(i - 1)(x, k: k)\n}\n"
        }
        source += "graph main(x: f32[2]) -> (y: f32[2]) {\n  y = g\(depth - 1)(x, k: 1)\n}\n"
        let module = try Frontend.parse(source: source, path: "calls.graph")
        #expect(module.graphs.count == 1)
    }

    /// Huge result types are legal IR, but running one used to trap allocating its memory:
    /// the interpreter now refuses before the kernel runs.
    @Test(arguments: [
        ("tile(x, repeats: [3037000500, 3037000500])",
         "run.graph:2:7: error: tile result 'y' of type f32[3037000500, 9111001500] is too large to compute (more than 2147483648 elements)"),
        ("expand(x, shape: [65536, 65536, 1])",
         "run.graph:2:7: error: expand result 'y' of type f32[65536, 65536, 3] is too large to compute (more than 2147483648 elements)"),
    ])
    func hugeResultIsDiagnosedAtRunTime(expression: String, message: String) throws {
        let source = "graph g(x: f32[1, 3]) -> (y) {\n  y = \(expression)\n}\n"
        let graph = try #require(try Frontend.parse(source: source, path: "run.graph").entry)
        let interpreter = Interpreter(graph: graph, parameters: [])
        do {
            _ = try interpreter.run(["x": Tensor(shape: [1, 3], scalars: [Float](repeating: 1, count: 3))])
            Issue.record("ran a result of more than 2^31 elements")
        } catch {
            #expect(error.diagnostics.map(\.description) == [message])
        }
    }
}
