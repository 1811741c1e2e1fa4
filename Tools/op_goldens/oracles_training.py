"""Oracles of the training ops (gradients and losses), written from their definitions with
numpy and explicit loops, never ported from the Swift kernels.

Layouts are ONNX's: x[N, C, H, W]; pads [top, left, bottom, right]. Losses follow PyTorch's
CrossEntropyLoss (class indices), BCELoss and MSELoss."""

import itertools

import numpy as np

from . import oracles_nn as nn

f64 = np.float64


def scatter_add(data, indices, updates, axis=0):
    """A copy of data with updates[..., k, ...] added at data[..., indices[k], ...] along axis;
    np.add.at accumulates repeated indices (unbuffered)."""
    axis %= data.ndim
    dim = data.shape[axis]
    idx = indices.astype(np.int64).reshape(-1)
    idx = np.where(idx < 0, idx + dim, idx)
    assert np.all((idx >= 0) & (idx < dim))
    out = data.astype(f64)
    # updates is data[:axis] + indices.shape + data[axis+1:]: flatten the indices' dims into one.
    flat = updates.astype(f64).reshape(data.shape[:axis] + (idx.size,) + data.shape[axis + 1:])
    np.add.at(np.moveaxis(out, axis, 0), idx, np.moveaxis(flat, axis, 0))
    return out.astype(data.dtype)


def one_hot(indices, depth, dtype):
    return (indices[..., None] == np.arange(depth)).astype(dtype)


def cross_entropy(logits, labels, reduction="mean"):
    x = logits.astype(f64)
    peak = x.max(axis=-1, keepdims=True)
    lse = peak[..., 0] + np.log(np.exp(x - peak).sum(axis=-1))
    picked = np.take_along_axis(x, labels.astype(np.int64)[..., None], axis=-1)[..., 0]
    return _reduce(lse - picked, reduction, logits.dtype)


def binary_cross_entropy(p, y, reduction="mean"):
    p64, y64 = p.astype(f64), y.astype(f64)
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(p64), -100)
        log_q = np.maximum(np.log1p(-p64), -100)
    return _reduce(-(y64 * log_p + (1 - y64) * log_q), reduction, p.dtype)


def mse(pred, target, reduction="mean"):
    return _reduce((pred.astype(f64) - target.astype(f64)) ** 2, reduction, pred.dtype)


def _reduce(losses, reduction, dtype):
    with np.errstate(invalid="ignore"):
        value = losses.sum() if reduction == "sum" else (losses.sum() / losses.size if losses.size else np.nan)
    return np.array(value, dtype=dtype)


def pool2d_grad(x, dy, kind, kernel, strides=(1, 1), pads=(0, 0, 0, 0), padding="explicit",
                ceil_mode=False, dilations=(1, 1), count_include_pad=False):
    """Gradient of max or avg pooling w.r.t. x. max: dy goes to the window's first maximal
    in-image position in row-major window order (np.argmax; the first NaN if any). avg: dy
    divided by the forward's divisor (in-image taps, plus padded ones with count_include_pad)
    goes to every in-image tap."""
    n_, c_, h_, w_ = x.shape
    eff = [(kernel[0] - 1) * dilations[0] + 1, (kernel[1] - 1) * dilations[1] + 1]
    pads = nn.auto_pads((h_, w_), eff, strides, padding, pads)
    expected = nn.pool2d(x, kind, kernel, strides, pads, "explicit", ceil_mode, dilations).shape
    assert dy.shape == expected, (dy.shape, expected)
    dx = np.zeros(x.shape, dtype=f64)
    for n, c, oh, ow in itertools.product(range(n_), range(c_), range(dy.shape[2]), range(dy.shape[3])):
        taps, padded = [], 0
        for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
            ih = oh * strides[0] - pads[0] + i * dilations[0]
            iw = ow * strides[1] - pads[1] + j * dilations[1]
            if 0 <= ih < h_ and 0 <= iw < w_:
                taps.append((ih, iw))
            elif -pads[0] <= ih < h_ + pads[2] and -pads[1] <= iw < w_ + pads[3]:
                padded += 1
        g = f64(dy[n, c, oh, ow])
        if kind == "max":
            best = taps[int(np.argmax([x[n, c, ih, iw] for ih, iw in taps]))]
            dx[n, c, best[0], best[1]] += g
        else:
            divisor = len(taps) + (padded if count_include_pad else 0)
            for ih, iw in taps:
                dx[n, c, ih, iw] += g / divisor
    return dx.astype(x.dtype)


def conv2d_weight_grad(x, dy, kernel, strides=(1, 1), pads=(0, 0, 0, 0), dilations=(1, 1), group=1):
    """dW[o, c, i, j] = sum over n, y, x of dy[n, o, y, x] * x[n, g*C/group + c, y*s_h + i*d_h - pad_top,
    x*s_w + j*d_w - pad_left] (g = o's group; zero outside the image)."""
    n_, c_, h_, w_ = x.shape
    _, m_, oh_, ow_ = dy.shape
    cg, mg = c_ // group, m_ // group
    dw = np.zeros((m_, cg, kernel[0], kernel[1]), dtype=f64)
    for m, c, i, j in itertools.product(range(m_), range(cg), range(kernel[0]), range(kernel[1])):
        g = m // mg
        acc = 0.0
        for n, oh, ow in itertools.product(range(n_), range(oh_), range(ow_)):
            ih = oh * strides[0] + i * dilations[0] - pads[0]
            iw = ow * strides[1] + j * dilations[1] - pads[1]
            if 0 <= ih < h_ and 0 <= iw < w_:
                acc += f64(dy[n, m, oh, ow]) * f64(x[n, g * cg + c, ih, iw])
        dw[m, c, i, j] = acc
    return dw.astype(x.dtype)
