import Testing
import LeptonFrontend
import LeptonIR

/// Tensor values in `.graph` text: base64 coding, literal vs base64 vs elided forms.
@Suite struct TensorTextTests {
    @Test func base64MatchesRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(Base64.decode(encoded) == Array(plain.utf8))
        }
        let all = (0...255).map(UInt8.init)
        #expect(Base64.decode(Base64.encode(all)) == all)
    }

    @Test func base64RejectsNonCanonicalText() {
        for bad in ["A", "AAA", "AA=A", "A===", "AB==", "AAB=", "AA AA", "AA\n=", "Zm9v\n", "Zg==Zg==", "Zm9*"] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test func tensorBytesRoundTripEveryDType() throws {
        let tensors = [
            Tensor(shape: [2, 2], scalars: [Float(1.5), -0.0, .infinity, Float(nan: 3, signaling: true)]),
            Tensor(shape: [3], scalars: [Double.pi, -1e300, .leastNonzeroMagnitude]),
            Tensor(shape: [2], scalars: [Int32.min, 7]),
            Tensor(shape: [2], scalars: [Int64.max, -2]),
            Tensor(shape: [3], scalars: [true, false, true]),
            Tensor(shape: [0, 4], scalars: [Float]()),
        ]
        for tensor in tensors {
            let again = try Tensor(dtype: tensor.dtype, shape: tensor.shape, littleEndianBytes: tensor.littleEndianBytes)
            #expect(again == tensor)
        }
        #expect(Tensor(shape: [], scalars: [Float(1)]).littleEndianBytes == [0, 0, 0x80, 0x3F])
        #expect(throws: TensorBytesError.self) { try Tensor(dtype: .f32, shape: [2], littleEndianBytes: [0, 0, 0]) }
        #expect(throws: TensorBytesError.self) { try Tensor(dtype: .bool, shape: [1], littleEndianBytes: [2]) }
        #expect(throws: TensorBytesError.self) { try Tensor(dtype: .i64, shape: [-1], littleEndianBytes: []) }
        #expect(throws: TensorBytesError.self) { try Tensor(dtype: .i64, shape: [Int.max, 4], littleEndianBytes: []) }
    }

    func graph(param tensor: Tensor) -> Graph {
        var graph = Graph(name: "g", location: .unknown)
        let type = TensorType(tensor.dtype, fixed: tensor.shape)
        let w = graph.addValue("w", type, at: .unknown)
        let y = graph.addValue("y", type, at: .unknown)
        let c = graph.addValue("c", type, at: .unknown)
        graph.params = [Param(value: w, initializer: .tensor(tensor), location: .unknown)]
        graph.nodes = [
            Node(op: .identity, inputs: [w], outputs: [y], attributes: Op.identity.schema.defaults, location: .unknown),
            Node(op: .constant, inputs: [], outputs: [c], attributes: Attributes(["value": .tensor(tensor), "dtype": .dtype(tensor.dtype)]),
                 location: .unknown),
        ]
        graph.outputs = [y, c]
        return graph
    }

    func roundTrip(_ graph: Graph, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> String {
        let text = Printer.print(graph)
        let again = try #require(try Frontend.parse(source: text, path: "t.graph").graphs.first)
        #expect(again.withoutLocations() == graph.withoutLocations(), "\(text)", sourceLocation: sourceLocation)
        #expect(Printer.print(again) == text, sourceLocation: sourceLocation)
        return text
    }

    @Test func smallTensorsPrintAsLiterals() throws {
        let text = try roundTrip(graph(param: Tensor(shape: [2, 8], scalars: (0..<16).map { Int32($0) })))
        #expect(text.contains("param w: i32[2, 8] = tensor(value: [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15]], dtype: i32)"))
        #expect(text.contains("c: i32[2, 8] = constant(value: [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15]], dtype: i32)"))
        _ = try roundTrip(graph(param: Tensor(shape: [2], scalars: [Float.nan, -Float.nan])))
    }

    @Test func largeTensorsPrintAsBase64() throws {
        let tensor = Tensor(shape: [17], scalars: (0..<17).map { Float($0) })
        let text = try roundTrip(graph(param: tensor))
        let payload = Printer.quoted(Base64.encode(tensor.littleEndianBytes))
        #expect(text.contains("param w: f32[17] = tensor(dtype: f32, shape: [17], base64: \(payload))"))
        #expect(text.contains("c: f32[17] = constant(dtype: f32, shape: [17], base64: \(payload))"))
    }

    @Test func literalsThatWouldNotRoundTripUseBase64() throws {
        let payload = Tensor(shape: [2], scalars: [Float(nan: 5, signaling: false), 1])
        #expect(try roundTrip(graph(param: payload)).contains("base64"))
        let empty = Tensor(shape: [0, 3], scalars: [Double]())
        #expect(try roundTrip(graph(param: empty)).contains("tensor(dtype: f64, shape: [0, 3], base64: \"\")"))
        #expect(!(try roundTrip(graph(param: Tensor(shape: [3, 0], scalars: [Bool]())))).contains("base64"))
    }

    @Test func elidedTensorsPrintButDoNotParse() throws {
        let tensor = Tensor(shape: [4, 5], scalars: (0..<20).map { Double($0) })
        let text = Printer.print(graph(param: tensor), options: PrintOptions(elideTensorsLargerThan: 16))
        #expect(text.contains("param w: f64[4, 5] = tensor(dtype: f64, shape: [4, 5], elided)"))
        #expect(text.contains("c: f64[4, 5] = constant(dtype: f64, shape: [4, 5], elided)"))
        #expect(firstError(text) == "test.graph:2:58: error: elided tensor values cannot be parsed; dump with --full-tensors")
        let small = Printer.print(graph(param: Tensor(shape: [3], scalars: [Int64(1), 2, 3])), options: PrintOptions(elideTensorsLargerThan: 2))
        #expect(small.contains("tensor(dtype: i64, shape: [3], elided)"))
        let kept = Printer.print(graph(param: tensor), options: PrintOptions(elideTensorsLargerThan: 20))
        #expect(kept == Printer.print(graph(param: tensor)))
    }
}
