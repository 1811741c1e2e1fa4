"""Convolution, pooling and normalization oracles, written from the ONNX operator definitions
with explicit loops (slow, obviously correct, independent of the Swift kernels).

Layouts are ONNX's: x[N, C, H, W]; pads [top, left, bottom, right]."""

import itertools
import math

import numpy as np

f64 = np.float64


def auto_pads(in_hw, eff_kernel, strides, padding, pads):
    """pads for `padding` explicit|valid|same|same_lower (ONNX auto_pad NOTSET|VALID|SAME_UPPER|
    SAME_LOWER). SAME keeps out = ceil(in / stride); the odd pixel goes at the end for same
    (SAME_UPPER) and at the beginning for same_lower."""
    if padding == "explicit":
        return list(pads)
    if padding == "valid":
        return [0, 0, 0, 0]
    begin, end = [], []
    for size, k, s in zip(in_hw, eff_kernel, strides):
        out = -(-size // s)
        total = max(0, (out - 1) * s + k - size)
        small, large = total // 2, total - total // 2
        begin.append(small if padding == "same" else large)
        end.append(large if padding == "same" else small)
    return begin + end


def conv2d(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), group=1,
           padding="explicit"):
    n_, c_, h_, w_ = x.shape
    m_, cg, kh, kw = w.shape
    eff = [(kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1]
    pads = auto_pads((h_, w_), eff, strides, padding, pads)
    ho = (h_ + pads[0] + pads[2] - eff[0]) // strides[0] + 1
    wo = (w_ + pads[1] + pads[3] - eff[1]) // strides[1] + 1
    y = np.zeros((n_, m_, ho, wo), dtype=f64)
    per_group = m_ // group
    for n, m, oh, ow in itertools.product(range(n_), range(m_), range(ho), range(wo)):
        g = m // per_group
        acc = 0.0
        for c, i, j in itertools.product(range(cg), range(kh), range(kw)):
            ih = oh * strides[0] - pads[0] + i * dilations[0]
            iw = ow * strides[1] - pads[1] + j * dilations[1]
            if 0 <= ih < h_ and 0 <= iw < w_:
                acc += f64(x[n, g * cg + c, ih, iw]) * f64(w[m, c, i, j])
        y[n, m, oh, ow] = acc + (f64(b[m]) if b is not None else 0.0)
    return y.astype(x.dtype)


def conv_transpose2d(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1),
                     group=1, output_padding=(0, 0), padding="explicit"):
    """Scatter-add: input pixel (ih, iw) adds x * w[c, m, i, j] at output
    (ih * stride + i * dilation - pad_begin, ...)."""
    n_, c_, h_, w_ = x.shape
    _, mg, kh, kw = w.shape
    m_, cg = mg * group, c_ // group
    eff = [(kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1]
    full = [strides[0] * (h_ - 1) + output_padding[0] + eff[0],
            strides[1] * (w_ - 1) + output_padding[1] + eff[1]]
    if padding == "valid":
        pads = [0, 0, 0, 0]
    elif padding in ("same", "same_lower"):
        # Output in * stride; only even totals are used by the cases (see cases_nn.py).
        total = [full[0] - h_ * strides[0], full[1] - w_ * strides[1]]
        assert all(t % 2 == 0 for t in total), "odd same-padding total is ambiguous in ONNX"
        pads = [total[0] // 2, total[1] // 2, total[0] // 2, total[1] // 2]
    ho, wo = full[0] - pads[0] - pads[2], full[1] - pads[1] - pads[3]
    y = np.zeros((n_, m_, ho, wo), dtype=f64)
    for n, c, ih, iw in itertools.product(range(n_), range(c_), range(h_), range(w_)):
        g = c // cg
        for mm, i, j in itertools.product(range(mg), range(kh), range(kw)):
            oh = ih * strides[0] + i * dilations[0] - pads[0]
            ow = iw * strides[1] + j * dilations[1] - pads[1]
            if 0 <= oh < ho and 0 <= ow < wo:
                y[n, g * mg + mm, oh, ow] += f64(x[n, c, ih, iw]) * f64(w[c, mm, i, j])
    if b is not None:
        y += b.astype(f64)[None, :, None, None]
    return y.astype(x.dtype)


def pool2d(x, kind, kernel, strides=(1, 1), pads=(0, 0, 0, 0), padding="explicit",
           ceil_mode=False, dilations=(1, 1), count_include_pad=False):
    """max or avg pooling. Padded positions never win a max; for avg they count toward the
    divisor only with count_include_pad (positions beyond the padded input never count)."""
    n_, c_, h_, w_ = x.shape
    eff = [(kernel[0] - 1) * dilations[0] + 1, (kernel[1] - 1) * dilations[1] + 1]
    pads = auto_pads((h_, w_), eff, strides, padding, pads)
    out = []
    for axis, size in enumerate((h_, w_)):
        span = size + pads[axis] + pads[axis + 2] - eff[axis]
        steps = math.ceil(span / strides[axis]) if ceil_mode else span // strides[axis]
        o = steps + 1
        # The cases keep every window starting inside the input or its begin padding.
        assert (o - 1) * strides[axis] < size + pads[axis]
        out.append(o)
    y = np.zeros((n_, c_, out[0], out[1]), dtype=f64)
    for n, c, oh, ow in itertools.product(range(n_), range(c_), range(out[0]), range(out[1])):
        values, padded = [], 0
        for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
            ih = oh * strides[0] - pads[0] + i * dilations[0]
            iw = ow * strides[1] - pads[1] + j * dilations[1]
            if 0 <= ih < h_ and 0 <= iw < w_:
                values.append(f64(x[n, c, ih, iw]))
            elif -pads[0] <= ih < h_ + pads[2] and -pads[1] <= iw < w_ + pads[3]:
                padded += 1
        if kind == "max":
            y[n, c, oh, ow] = max(values)
        else:
            y[n, c, oh, ow] = sum(values) / (len(values) + (padded if count_include_pad else 0))
    return y.astype(x.dtype)


def batch_norm(x, scale, bias, mean, var, epsilon=1e-5):
    shape = [1, -1] + [1] * (x.ndim - 2)
    p = [a.astype(f64).reshape(shape) for a in (scale, bias, mean, var)]
    y = p[0] * (x.astype(f64) - p[2]) / np.sqrt(p[3] + epsilon) + p[1]
    return y.astype(x.dtype)


def layer_norm(x, scale, bias=None, axis=-1, epsilon=1e-5):
    axis = axis % x.ndim
    axes = tuple(range(axis, x.ndim))
    v = x.astype(f64)
    mean = v.mean(axis=axes, keepdims=True)
    var = ((v - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (v - mean) / np.sqrt(var + epsilon) * scale.astype(f64)
    if bias is not None:
        y = y + bias.astype(f64)
    return y.astype(x.dtype)


def instance_norm(x, scale, bias, epsilon=1e-5):
    axes = tuple(range(2, x.ndim))
    v = x.astype(f64)
    mean = v.mean(axis=axes, keepdims=True)
    var = ((v - mean) ** 2).mean(axis=axes, keepdims=True)
    shape = [1, -1] + [1] * (x.ndim - 2)
    y = (v - mean) / np.sqrt(var + epsilon) * scale.astype(f64).reshape(shape)
    return (y + bias.astype(f64).reshape(shape)).astype(x.dtype)
