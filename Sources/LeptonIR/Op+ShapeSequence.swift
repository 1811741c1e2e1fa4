// Shape rules of lstm and gru (ONNX layouts: x[seq, batch, input], weights per direction).

extension Op {
    /// lstm (gates 4) -> y[seq, dirs, batch, H], y_h[dirs, batch, H], y_c[dirs, batch, H];
    /// gru (gates 3) -> y, y_h. Weights: w[dirs, gates*H, input], r[dirs, gates*H, H],
    /// b[dirs, 2*gates*H]; initial states [dirs, batch, H].
    func recurrentTypes(_ inputs: [TensorType], _ attributes: Attributes, gates: Int) throws(ShapeError) -> [TensorType] {
        try requireFloat(inputs, 0)
        try requireRank(inputs, 0, 3, "[seq, batch, input]")
        let hidden = attributes.int("hidden_size")
        guard hidden >= 1, hidden < windowSizeLimit else {
            throw fail("hidden_size must be positive, got \(hidden)")
        }
        let dirs = attributes.choice("direction") == "bidirectional" ? 1 + 1 : 1
        let x = inputs[0].shape
        let (seq, batch, features) = (x[0], x[1], x[2])
        let (d, h, gh) = (Dim.fixed(dirs), Dim.fixed(hidden), Dim.fixed(gates * hidden))
        let g = "\(gates)*hidden_size"
        let expected: [(shape: [Dim], layout: String)] = [
            (x, ""),
            ([d, gh, features], "[dirs, \(g), input_size]"),
            ([d, gh, h], "[dirs, \(g), hidden_size]"),
            ([d, .fixed(2 * gates * hidden)], "[dirs, 2*\(g)]"),
            ([d, batch, h], "[dirs, batch, hidden_size]"),
            ([d, batch, h], "[dirs, batch, hidden_size]"),
        ]
        for i in 1..<inputs.count {
            try requireSameDType(inputs, i, as: 0)
            let (shape, layout) = expected[i]
            guard inputs[i].shape == shape else {
                throw fail("expects \(operandName(i)) of shape \(layout) = \(shapeText(shape)), "
                    + "got \(shapeText(inputs[i].shape)) (hidden_size \(hidden), direction "
                    + "\(attributes.choice("direction")))", operand: i)
            }
        }
        let state = TensorType(inputs[0].dtype, [d, batch, h])
        let y = TensorType(inputs[0].dtype, [seq, d, batch, h])
        return self == .lstm ? [y, state, state] : [y, state]
    }
}
