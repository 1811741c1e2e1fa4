"""LSTM and GRU, written from the ONNX equations (default activations, no peepholes, no
sequence_lens). Weights: w[dirs, G*H, in], r[dirs, G*H, H], b[dirs, 2*G*H] = [Wb, Rb]."""

import numpy as np

from .common import LOOSE_F32, f32, f64



def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _directions(direction):
    return {"forward": [False], "reverse": [True], "bidirectional": [False, True]}[direction]


def lstm(x, w, r, b=None, h0=None, c0=None, direction="forward"):
    """Gates i, o, f, c: i = σ(xWiᵀ + hRiᵀ + Wbi + Rbi), likewise o and f; c̃ = tanh(…);
    C = f⊙C + i⊙c̃; H = o⊙tanh(C). Returns y[seq, dirs, batch, H], y_h, y_c."""
    seq, batch, _ = x.shape
    dirs, hidden = w.shape[0], r.shape[2]
    y = np.zeros((seq, dirs, batch, hidden))
    y_h, y_c = np.zeros((dirs, batch, hidden)), np.zeros((dirs, batch, hidden))
    for d, backwards in enumerate(_directions(direction)):
        W, R = w[d].astype(f64), r[d].astype(f64)
        bias = b[d].astype(f64) if b is not None else np.zeros(8 * hidden)
        h = h0[d].astype(f64) if h0 is not None else np.zeros((batch, hidden))
        c = c0[d].astype(f64) if c0 is not None else np.zeros((batch, hidden))
        steps = range(seq - 1, -1, -1) if backwards else range(seq)
        for t in steps:
            gates = x[t].astype(f64) @ W.T + h @ R.T + bias[:4 * hidden] + bias[4 * hidden:]
            i, o, f, g = (gates[:, k * hidden:(k + 1) * hidden] for k in range(4))
            c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
            h = _sigmoid(o) * np.tanh(c)
            y[t, d] = h
        y_h[d], y_c[d] = h, c
    return [a.astype(x.dtype) for a in (y, y_h, y_c)]


def gru(x, w, r, b=None, h0=None, direction="forward", linear_before_reset=False):
    """Gates z, r, h: z = σ(xWzᵀ + hRzᵀ + Wbz + Rbz), r likewise;
    h̃ = tanh(xWhᵀ + (r⊙h)Rhᵀ + Rbh + Wbh), or with linear_before_reset
    h̃ = tanh(xWhᵀ + r⊙(hRhᵀ + Rbh) + Wbh); H = (1−z)⊙h̃ + z⊙H."""
    seq, batch, _ = x.shape
    dirs, hidden = w.shape[0], r.shape[2]
    y = np.zeros((seq, dirs, batch, hidden))
    y_h = np.zeros((dirs, batch, hidden))
    for d, backwards in enumerate(_directions(direction)):
        W, R = w[d].astype(f64), r[d].astype(f64)
        bias = b[d].astype(f64) if b is not None else np.zeros(6 * hidden)
        wb, rb = bias[:3 * hidden], bias[3 * hidden:]
        h = h0[d].astype(f64) if h0 is not None else np.zeros((batch, hidden))
        part = lambda a, k: a[..., k * hidden:(k + 1) * hidden]
        steps = range(seq - 1, -1, -1) if backwards else range(seq)
        for t in steps:
            xt = x[t].astype(f64)
            rows = lambda m, k: m[k * hidden:(k + 1) * hidden]  # gate k's rows of W or R
            z = _sigmoid(xt @ rows(W, 0).T + h @ rows(R, 0).T + part(wb, 0) + part(rb, 0))
            rr = _sigmoid(xt @ rows(W, 1).T + h @ rows(R, 1).T + part(wb, 1) + part(rb, 1))
            Wh, Rh = rows(W, 2), rows(R, 2)
            if linear_before_reset:
                cand = np.tanh(xt @ Wh.T + rr * (h @ Rh.T + part(rb, 2)) + part(wb, 2))
            else:
                cand = np.tanh(xt @ Wh.T + (rr * h) @ Rh.T + part(rb, 2) + part(wb, 2))
            h = (1 - z) * cand + z * h
            y[t, d] = h
        y_h[d] = h
    return [a.astype(x.dtype) for a in (y, y_h)]


def _weights(s, dirs, gates, hidden, inp, dtype=f32):
    scale = 0.6
    w = s.randn(dirs, gates * hidden, inp, dtype=dtype, scale=scale)
    r = s.randn(dirs, gates * hidden, hidden, dtype=dtype, scale=scale)
    b = s.randn(dirs, 2 * gates * hidden, dtype=dtype, scale=scale)
    return w, r, b


def add_cases(s):
    s.section("rnn")
    seq, batch, inp, hidden = 3, 2, 4, 3
    for direction in ("forward", "reverse", "bidirectional"):
        dirs = 2 if direction == "bidirectional" else 1
        x = s.randn(seq, batch, inp)
        w, r, b = _weights(s, dirs, 4, hidden, inp)
        h0, c0 = s.randn(dirs, batch, hidden), s.randn(dirs, batch, hidden)
        attrs = {"hidden_size": hidden}
        if direction != "forward":
            attrs["direction"] = direction
        s.add(f"lstm_{direction}_f32", "lstm", [x, w, r, b],
              lstm(x, w, r, b, direction=direction), attrs, tol=LOOSE_F32)
        s.add(f"lstm_{direction}_initial_states_f32", "lstm", [x, w, r, b, h0, c0],
              lstm(x, w, r, b, h0, c0, direction), attrs, tol=LOOSE_F32)
        w, r, b = _weights(s, dirs, 3, hidden, inp)
        h0 = s.randn(dirs, batch, hidden)
        for lbr in (False, True):
            a = dict(attrs, **({"linear_before_reset": True} if lbr else {}))
            tag = f"{direction}_lbr{int(lbr)}"
            s.add(f"gru_{tag}_f32", "gru", [x, w, r, b],
                  gru(x, w, r, b, None, direction, lbr), a, tol=LOOSE_F32)
            s.add(f"gru_{tag}_initial_h_f32", "gru", [x, w, r, b, h0],
                  gru(x, w, r, b, h0, direction, lbr), a, tol=LOOSE_F32)
    x = s.randn(2, 1, 2)
    w, r, _ = _weights(s, 1, 4, 2, 2)
    s.add("lstm_no_bias_f32", "lstm", [x, w, r], lstm(x, w, r), {"hidden_size": 2}, tol=LOOSE_F32)
    w, r, _ = _weights(s, 1, 3, 2, 2)
    s.add("gru_no_bias_f32", "gru", [x, w, r], gru(x, w, r), {"hidden_size": 2}, tol=LOOSE_F32)
    x = s.randn(4, 3, 2, dtype=f64)
    w, r, b = _weights(s, 2, 4, 2, 2, dtype=f64)
    h0, c0 = s.randn(2, 3, 2, dtype=f64), s.randn(2, 3, 2, dtype=f64)
    s.add("lstm_bidirectional_f64", "lstm", [x, w, r, b, h0, c0],
          lstm(x, w, r, b, h0, c0, "bidirectional"),
          {"hidden_size": 2, "direction": "bidirectional"})
    w, r, b = _weights(s, 2, 3, 2, 2, dtype=f64)
    s.add("gru_bidirectional_lbr1_f64", "gru", [x, w, r, b, h0],
          gru(x, w, r, b, h0, "bidirectional", True),
          {"hidden_size": 2, "direction": "bidirectional", "linear_before_reset": True})
    x = s.randn(5, 1, 1)
    w, r, b = _weights(s, 2, 4, 1, 1)
    s.add("lstm_hidden1_batch1_reverse_f32", "lstm", [x, w[1:], r[1:], b[1:]],
          lstm(x, w[1:], r[1:], b[1:], direction="reverse"),
          {"hidden_size": 1, "direction": "reverse"}, tol=LOOSE_F32)
    w, r, b = _weights(s, 2, 3, 1, 1)
    s.add("gru_hidden1_bidirectional_f32", "gru", [x, w, r, b],
          gru(x, w, r, b, direction="bidirectional"),
          {"hidden_size": 1, "direction": "bidirectional"}, tol=LOOSE_F32)
    x = s.randn(1, 2, 3)
    w, r, b = _weights(s, 1, 4, 2, 3)
    s.add("lstm_single_step_f32", "lstm", [x, w, r, b], lstm(x, w, r, b), {"hidden_size": 2},
          tol=LOOSE_F32)
