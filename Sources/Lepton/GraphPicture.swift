/// What a picture of a graph shows, before any drawing format: boxes with text lines,
/// clusters (fused kernels with their bodies inside) and arrows. `lepton viz` renders it as
/// Mermaid (`GraphPicture+Mermaid.swift`) or Graphviz DOT (`GraphPicture+DOT.swift`); deciding
/// what to draw once keeps the two formats showing the same picture.
///
///     let text = GraphPicture(graph).mermaid
///
/// Params and `constant` values get no boxes of their own: each is a line in the label of every
/// op that reads it (`param w1: f32[784, 512]`, `const f32[] = 0.125`). A box per param would
/// double the box count of a convolutional model (mobilenet_v2 has two or three params per
/// conv), and layout engines line such sources up in a wall above the data path; folded into
/// their ops, the picture is the data path, and each op still says which weights it uses.
public struct GraphPicture: Hashable, Sendable {
    /// How a box is drawn: graph inputs and outputs stand apart from ops.
    enum Kind: Hashable, Sendable {
        case input, output, op
    }

    /// One box: its id (unique in the picture, safe in both formats: letters, digits, `_`)
    /// and its label, a head line and detail lines.
    struct Box: Hashable, Sendable {
        var id: String
        var kind: Kind
        var lines: [String]
    }

    /// A fused kernel: a frame around the ops of its body.
    struct Cluster: Hashable, Sendable {
        var id: String
        var title: String
        var items: [Item]
    }

    indirect enum Item: Hashable, Sendable {
        case box(Box)
        case cluster(Cluster)
    }

    /// An arrow between two boxes; `label` names the value when its producer has several.
    struct Edge: Hashable, Sendable {
        var from: String
        var to: String
        var label: String?
    }

    /// The graph's name.
    var title: String
    /// In graph order: inputs, then ops (a fused node's cluster in its place), then outputs.
    var items: [Item]
    var edges: [Edge]

    /// The picture of `graph`. Any graph draws, even one that does not verify (a dangling
    /// value is left out, never a crash), so a broken pass's output can still be looked at.
    public init(_ graph: Graph) {
        var builder = GraphPictureBuilder()
        self.init(title: graph.name, items: builder.draw(graph), edges: builder.edges)
    }

    init(title: String, items: [Item], edges: [Edge]) {
        self.title = title
        self.items = items
        self.edges = edges
    }

    /// Every cluster, depth first, in drawing order (what the renderers style).
    var clusters: [Cluster] {
        func walk(_ items: [Item]) -> [Cluster] {
            items.flatMap { item -> [Cluster] in
                guard case .cluster(let cluster) = item else { return [] }
                return [cluster] + walk(cluster.items)
            }
        }
        return walk(items)
    }
}
