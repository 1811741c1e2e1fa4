import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import LeptonTraining

/// What an XML parse of the SVG saw: whether it parsed, and the elements and their attributes.
private final class SVGOutline: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String])] = []
    var text = ""

    static func parse(_ svg: String) -> (ok: Bool, outline: SVGOutline) {
        let outline = SVGOutline()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = outline
        return (parser.parse(), outline)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append((name, attributes))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func all(_ name: String) -> [[String: String]] { elements.filter { $0.name == name }.map(\.attributes) }

    /// The polylines' points as (x, y) pairs.
    var polylines: [[(Double, Double)]] {
        all("polyline").map { attributes in
            (attributes["points"] ?? "").split(separator: " ").map { pair in
                let xy = pair.split(separator: ",").compactMap { Double($0) }
                return (xy.first ?? .nan, xy.last ?? .nan)
            }
        }
    }
}

@Suite struct LossPlotTests {
    @Test func drawsOnePolylinePerSeriesWithALegend() {
        let svg = LossPlot.svg(series: [("train_loss", [2.3, 1.1, 0.6, 0.4, 0.35]), ("val_loss", [2.0, 1.2, .nan, 0.5, 0.45])],
                               title: "digits <mlp> & co", yLabel: "loss")
        let (ok, outline) = SVGOutline.parse(svg)
        #expect(ok)
        #expect(outline.elements.first?.name == "svg")
        #expect(outline.polylines.map(\.count) == [5, 4])  // the NaN is skipped
        #expect(outline.text.contains("digits <mlp> & co"))
        #expect(outline.text.contains("train_loss") && outline.text.contains("val_loss") && outline.text.contains("epoch"))
        // Higher loss is higher on the page (smaller y); epochs go left to right.
        let train = outline.polylines[0]
        #expect(train[0].1 < train[4].1 && train[0].0 < train[4].0)
        #expect(outline.all("line").count >= 6)  // grid lines and legend swatches
        let yTicks = outline.all("text").filter { $0["text-anchor"] == "end" }.count
        #expect((3...8).contains(yTicks))
    }

    @Test func onePointAllEqualValuesAndNoValuesStillPlot() {
        for series in [[("loss", [0.5])], [("loss", [1.0, 1.0, 1.0])], [("loss", [Double.nan, .infinity])], [("loss", [0.0, 0.0])]] {
            let (ok, outline) = SVGOutline.parse(LossPlot.svg(series: series, title: "t", yLabel: "loss"))
            #expect(ok)
            #expect(outline.polylines.count == 1)
            let coordinates = outline.polylines.flatMap { $0 }.flatMap { [$0.0, $0.1] }
            #expect(coordinates.allSatisfy { $0.isFinite })
            #expect(coordinates.allSatisfy { (0...640).contains($0) })
        }
        // Beyond what a Double axis can span: no ticks, but no trap and still well-formed.
        let extreme = SVGOutline.parse(LossPlot.svg(series: [("loss", [-1e308, 1e308, .greatestFiniteMagnitude])], title: "t", yLabel: "loss"))
        #expect(extreme.ok && extreme.outline.polylines.count == 1)
        let single = SVGOutline.parse(LossPlot.svg(series: [("loss", [0.5])], title: "t", yLabel: "loss")).outline
        #expect(single.all("circle").count == 1)
        #expect(single.polylines[0].count == 1)
    }

    @Test func writesAPictureToLookAt() throws {
        guard let directory = ProcessInfo.processInfo.environment["LEPTON_PLOT_DIR"] else { return }
        let svg = LossPlot.svg(series: [("train_loss", [2.3, 1.1, 0.6, 0.4, 0.35, 0.3, 0.28]), ("val_loss", [2.0, 1.2, .nan, 0.5, 0.45, 0.44, 0.46])],
                               title: "digits mlp", yLabel: "loss")
        try svg.write(toFile: directory + "/plot.svg", atomically: true, encoding: .utf8)
    }
}
