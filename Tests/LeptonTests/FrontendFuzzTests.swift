import Foundation
import Testing
import LeptonFrontend
import LeptonIR

/// Mangled versions of every round-trip fixture must give diagnostics or a module, never a
/// trap: the front end sees whatever users type.
@Test(arguments: RoundTripFixtures.paths)
func mangledSourcesNeverTrap(path: String) {
    let source = Array(FrontendFixtures.read(URL(fileURLWithPath: path)).unicodeScalars)
    guard !source.isEmpty else { return }
    var random = SplitMix64(seed: fnv1a64(path))
    let alphabet = Array("()[]{},:;=->+*/%#\"\\.0123456789eE_abcxyzN \n\t$".unicodeScalars)
    for _ in 0..<150 {
        var text = source
        for _ in 0..<(1 + Int(random.next() % 3)) {
            let at = Int(random.next() % UInt64(text.count))
            switch random.next() % 4 {
            case 0: text.remove(at: at)
            case 1: text.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
            case 2: text.removeSubrange(at..<text.count)
            default: text.swapAt(at, Int(random.next() % UInt64(text.count)))
            }
            if text.isEmpty { break }
        }
        var mangled = String.UnicodeScalarView()
        mangled.append(contentsOf: text)
        _ = lower(String(mangled), path: "fuzz.graph")
    }
}

@Test func hostileNumbersAndDimensionsAreDiagnosed() {
    let cases = [
        "graph g(x: f32[9223372036854775807 * 2]) -> (y: f32[2]) {\n  y = x\n}\n",
        "graph g(x: f32[2]) -> (y: f32[2]) {\n  y = x * 99999999999999999999\n}\n",
        "graph g(x: f32[2], k: int = -9223372036854775807 - 1) -> (y: f32[2]) {\n  param w: f32[k / -1] = zeros\n  y = x\n}\ngraph m(x: f32[2]) -> (y: f32[2]) {\n  y = g(x)\n}\n",
        "graph g(x: f32[2]) -> (y: f32[2]) {\n  y = reshape(x, shape: [9223372036854775807, 9223372036854775807])\n}\n",
    ]
    for source in cases {
        #expect(firstError(source) != nil, "\(source)")
    }
}
