"""Data-movement oracles written from the ONNX definitions (Reshape, Slice, Split, Pad, …)."""

import numpy as np


def reshape(x, shape):
    """0 copies the input dim at that position; one -1 is inferred from the element count."""
    dims = [x.shape[i] if d == 0 else d for i, d in enumerate(shape)]
    if -1 in dims:
        known = int(np.prod([d for d in dims if d != -1]))
        dims[dims.index(-1)] = x.size // known
    assert int(np.prod(dims)) == x.size
    return x.reshape(dims)


def flatten(x, axis):
    axis = axis + x.ndim if axis < 0 else axis
    outer = int(np.prod(x.shape[:axis]))
    inner = int(np.prod(x.shape[axis:]))
    return x.reshape(outer, inner)


def squeeze(x, axes):
    if not axes:
        return x.reshape([d for d in x.shape if d != 1])
    axes = {a % x.ndim for a in axes}
    assert all(x.shape[a] == 1 for a in axes)
    return x.reshape([d for i, d in enumerate(x.shape) if i not in axes])


def unsqueeze(x, axes):
    """axes index the result (rank + len(axes)); negative ones count from its end."""
    rank = x.ndim + len(axes)
    axes = sorted(a % rank for a in axes)
    dims, rest = [], iter(x.shape)
    for i in range(rank):
        dims.append(1 if i in axes else next(rest))
    return x.reshape(dims)


def split(x, axis, sizes=None, parts=None):
    """Explicit sizes, or `parts` equal chunks."""
    dim = x.shape[axis]
    if not sizes:
        assert dim % parts == 0
        sizes = [dim // parts] * parts
    assert sum(sizes) == dim
    out, start = [], 0
    for size in sizes:
        out.append(np.take(x, range(start, start + size), axis=axis))
        start += size
    return out


def slice_(x, starts, ends, axes=None, steps=None):
    """ONNX Slice: negative starts/ends count from the end, then clamp to [0, dim] for positive
    steps and to [0, dim-1] / [-1, dim-1] for negative steps; elements start, start+step, …
    strictly before end."""
    axes = list(range(len(starts))) if not axes else [a % x.ndim for a in axes]
    steps = [1] * len(starts) if not steps else steps
    for start, end, axis, step in zip(starts, ends, axes, steps):
        dim = x.shape[axis]
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
            index = list(range(start, end, step))
        else:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
            index = list(range(start, end, step))
        x = np.take(x, np.array(index, dtype=np.int64), axis=axis)
    return x


def gather(data, indices, axis):
    axis %= data.ndim
    idx = indices.astype(np.int64)
    idx = np.where(idx < 0, idx + data.shape[axis], idx)
    assert np.all((idx >= 0) & (idx < data.shape[axis]))
    # out[i..., j..., k...] = data[i..., idx[j...], k...]
    return np.take(data, idx, axis=axis)


def expand(x, shape):
    """Bidirectional broadcast of x against shape (ONNX Expand)."""
    return np.broadcast_to(x, np.broadcast_shapes(x.shape, tuple(shape))).copy()


def pad(x, pads, mode="constant", value=0.0):
    """pads = [x1_begin, x2_begin, …, x1_end, x2_end, …]; negative pads crop (constant mode)."""
    rank = x.ndim
    begin, end = pads[:rank], pads[rank:]
    crop = tuple(slice(max(-b, 0), x.shape[i] - max(-e, 0)) for i, (b, e) in enumerate(zip(begin, end)))
    x = x[crop]
    widths = [(max(b, 0), max(e, 0)) for b, e in zip(begin, end)]
    if mode == "reflect":
        # numpy would reflect repeatedly; one reflection (pad < dim) is all ONNX defines.
        assert all(b < d and e < d for (b, e), d in zip(widths, x.shape))
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=np.array(value).astype(x.dtype))
    return np.pad(x, widths, mode={"reflect": "reflect", "edge": "edge"}[mode])
