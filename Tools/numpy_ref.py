"""Plain-numpy building blocks for Tools/gen_model_goldens.py: Lepton's parameter
initializers (bit-exact, per CONTRACT.md "Parameter initializers") and the layers the example
models use (conv, pooling, norms, LSTM, ...).

Written independently of the Swift code on purpose: the goldens check the Swift frontend,
initializers and interpreter against a second implementation. Layers compute in float64 from
the float32 params/inputs, so a golden is the exact answer rounded once to float32; given
float32 arrays they compute in float32 (Tools/onnx_models.py times them that way).
Needs numpy and scipy (for erf).
"""
import math

import numpy as np
from scipy.special import erf

# ---------------------------------------------------------------------------------------------
# Seeded initializers: SplitMix64 + fnv1a64, exactly as Sources/LeptonTensor/Random.swift.

_MASK64 = (1 << 64) - 1
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_CHUNK = 1 << 22  # draws per vectorized step; keeps the 25.7M-weight layer of face_cnn cheap


def fnv1a64(text):
    """FNV-1a 64-bit over the UTF-8 bytes of `text` (a full parameter name)."""
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h ^= byte
        h = (h * 0x100000001B3) & _MASK64
    return h


def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def splitmix_units(seed, count):
    """The first `count` draws of SplitMix64(seed) as doubles in [0, 1): draw i (from 0) is
    mix(seed + (i + 1) * gamma) mod 2^64, and unit = (draw >> 11) * 2^-53."""
    out = np.empty(count, dtype=np.float64)
    seed = np.uint64(seed)
    with np.errstate(over="ignore"):  # uint64 arithmetic wraps around, as Swift's &+ and &*
        for start in range(0, count, _CHUNK):
            i = np.arange(start + 1, min(start + _CHUNK, count) + 1, dtype=np.uint64)
            z = _mix(seed + i * _GAMMA)
            out[start:start + len(i)] = (z >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return out


def _fans(shape):
    """fan_in, fan_out per CONTRACT: rank 1 both shape[0]; rank 2 [in, out];
    rank >= 3 [out, in, k...] times the receptive field."""
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def _uniform(seed, count, low, high):
    return low + (high - low) * splitmix_units(seed, count)


def _normal(seed, count, mean, std):
    """Box-Muller, cosine branch only: value k uses draws 2k (u1 = 1 - unit) and 2k+1 (u2)."""
    u = splitmix_units(seed, 2 * count)
    u1, u2 = 1.0 - u[0::2], u[1::2]
    return mean + std * np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def initialize(name, shape, init):
    """The float32 value Lepton gives param `name` (its FULL, inlined name) of `shape`.

    `init` is a tuple mirroring the .graph initializer: ("zeros",), ("ones",), ("constant", v),
    ("uniform", low, high, seed), ("normal", mean, std, seed), ("glorot", seed), ("he", seed),
    or ("array", ndarray) for load(...)."""
    shape = tuple(shape)
    count = int(np.prod(shape)) if shape else 1
    kind = init[0]
    if kind == "zeros":
        values = np.zeros(count)
    elif kind == "ones":
        values = np.ones(count)
    elif kind == "constant":
        values = np.full(count, float(init[1]))
    elif kind == "array":
        assert init[1].shape == shape and init[1].dtype == np.float32, name
        return init[1]
    else:
        seed = init[-1] ^ fnv1a64(name)
        if kind == "uniform":
            values = _uniform(seed, count, init[1], init[2])
        elif kind == "normal":
            values = _normal(seed, count, init[1], init[2])
        elif kind == "glorot":
            fan_in, fan_out = _fans(shape)
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            values = _uniform(seed, count, -limit, limit)
        elif kind == "he":
            fan_in, _ = _fans(shape)
            values = _normal(seed, count, 0.0, np.sqrt(2.0 / fan_in))
        else:
            raise ValueError(f"unknown initializer {init!r}")
    return values.astype(np.float32).reshape(shape)


class Params:
    """Materializes params by full name on first use and records them (name -> float32 array).
    Layers get float64 copies of the float32 values, so they compute in double precision."""

    def __init__(self):
        self.values = {}

    def __call__(self, name, shape, init):
        if name not in self.values:
            self.values[name] = initialize(name, shape, init)
        value = self.values[name]
        assert value.shape == tuple(shape), f"{name}: {value.shape} vs {shape}"
        return value.astype(np.float64)


# ---------------------------------------------------------------------------------------------
# Layers (NCHW, ONNX semantics), float64.

def same_upper_pads(size, kernel, stride):
    """ONNX SAME_UPPER: output ceil(size / stride), the odd pixel of padding at the end."""
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv2d(x, w, b=None, strides=(1, 1), pads=(0, 0, 0, 0), group=1):
    """x[N, C, H, W] * w[M, C/group, kH, kW] (+ b[M]); pads [top, left, bottom, right]."""
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    assert c == cg * group and m % group == 0
    sh, sw = strides
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    ho = (h + pads[0] + pads[2] - kh) // sh + 1
    wo = (wd + pads[1] + pads[3] - kw) // sw + 1
    xg = xp.reshape(n, group, cg, xp.shape[2], xp.shape[3])
    wg = w.reshape(group, m // group, cg, kh, kw)
    out = np.zeros((n, group, m // group, ho * wo), dtype=np.result_type(x, w))
    for i in range(kh):
        for j in range(kw):
            patch = xg[:, :, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw]
            out += np.matmul(wg[None, :, :, :, i, j], patch.reshape(n, group, cg, ho * wo))
    out = out.reshape(n, m, ho, wo)
    if b is not None:
        out += b.reshape(1, m, 1, 1)
    return out


def max_pool2d(x, kernel, strides):
    """Max over kernel windows, no padding, floor mode."""
    (kh, kw), (sh, sw) = kernel, strides
    ho = (x.shape[2] - kh) // sh + 1
    wo = (x.shape[3] - kw) // sw + 1
    out = np.full(x.shape[:2] + (ho, wo), -np.inf, dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            out = np.maximum(out, x[:, :, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw])
    return out


def batch_norm(x, scale, bias, mean, var, eps=1e-5):
    """Inference batch norm over channel axis 1."""
    shape = (1, -1) + (1,) * (x.ndim - 2)
    inv = scale / np.sqrt(var + eps)
    return (x - mean.reshape(shape)) * inv.reshape(shape) + bias.reshape(shape)


def layer_norm(x, scale, bias, eps=1e-5):
    """Normalizes over the last axis (biased variance)."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * scale + bias


def relu(x):
    return np.maximum(x, 0.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gelu(x):
    """Exact GELU: 0.5 x (1 + erf(x / sqrt 2))."""
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))  # a Python float keeps float32 float32


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def lstm(x, w, r, b, hidden):
    """ONNX LSTM, one forward direction, zero initial state: x[seq, batch, in],
    w[1, 4H, in], r[1, 4H, H], b[1, 8H] (Wb then Rb); gates i, o, f, c.
    Returns y[seq, 1, batch, H], y_h[1, batch, H], y_c[1, batch, H]."""
    seq, batch, _ = x.shape
    wt, rt, bias = w[0].T, r[0].T, b[0, :4 * hidden] + b[0, 4 * hidden:]
    h = np.zeros((batch, hidden), dtype=x.dtype)
    c = np.zeros((batch, hidden), dtype=x.dtype)
    ys = []
    for t in range(seq):
        g = x[t] @ wt + h @ rt + bias
        i = sigmoid(g[:, 0:hidden])
        o = sigmoid(g[:, hidden:2 * hidden])
        f = sigmoid(g[:, 2 * hidden:3 * hidden])
        cand = np.tanh(g[:, 3 * hidden:])
        c = f * c + i * cand
        h = o * np.tanh(c)
        ys.append(h)
    return np.stack(ys)[:, None], h[None], c[None]
