"""Elementwise unary ops: float-only math, any-numeric ops, identity and cast."""

import math

import numpy as np
from scipy import special

from .common import b8, f32, f64, i32, i64

INF, NAN = np.inf, np.nan


def _softplus(x):
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): never overflows.
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


# Float-only unary ops: the oracle (in float64) and the input domain to sample from.
FLOAT_UNARY = {
    "exp": (np.exp, (-4, 4)),
    "log": (np.log, (0.05, 10)),
    "sqrt": (np.sqrt, (0, 10)),
    "rsqrt": (lambda x: 1 / np.sqrt(x), (0.05, 10)),
    "reciprocal": (lambda x: 1 / x, (0.2, 5)),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), (-8, 8)),
    "tanh": (np.tanh, (-4, 4)),
    "softplus": (_softplus, (-10, 10)),
    "erf": (special.erf, (-3, 3)),
    "floor": (np.floor, (-5, 5)),
    "ceil": (np.ceil, (-5, 5)),
}

# Values at the edges of each op's domain (infinities, zeros, huge magnitudes).
SPECIAL = {
    "exp": [-INF, INF, 0.0, 100.0, -100.0],
    "log": [0.0, 1.0, INF, -1.0],
    "sqrt": [0.0, 4.0, INF, -1.0],
    "rsqrt": [0.0, 4.0, INF],
    "reciprocal": [0.0, -0.0, 2.0, INF, -4.0],
    "sigmoid": [-INF, INF, -100.0, 100.0, 0.0],
    "tanh": [-INF, INF, -30.0, 30.0, 0.0],
    "softplus": [-INF, INF, -1000.0, 1000.0, 0.0, 30.0],
    "erf": [-INF, INF, 0.0, 10.0],
    "floor": [-0.5, 0.5, -2.0, 2.0, 1e7 + 0.5, INF, -INF],
    "ceil": [-0.5, 0.5, -2.0, 2.0, -1e7 - 0.5, INF, -INF],
}


def _float(x, fn):
    """Applies `fn` in float64 and rounds once to x's dtype."""
    with np.errstate(all="ignore"):
        return fn(x.astype(f64)).astype(x.dtype)


def add_cases(s):
    s.section("unary")
    for op, (fn, (low, high)) in FLOAT_UNARY.items():
        x = s.uniform(low, high, 2, 3, 4)
        s.add(f"{op}_f32", op, [x], _float(x, fn))
        x = s.uniform(low, high, 5, dtype=f64)
        s.add(f"{op}_f64", op, [x], _float(x, fn))
        x = np.array(SPECIAL[op], dtype=f32)
        s.add(f"{op}_special_f32", op, [x], _float(x, fn))
    x = s.uniform(0.1, 2, 0, 3)
    s.add("exp_empty_f32", "exp", [x], _float(x, np.exp))
    x = np.array(0.5, dtype=f32)
    s.add("tanh_scalar_f32", "tanh", [x], _float(x, np.tanh))
    _gelu(s)
    _alpha_ops(s)
    _numeric(s)
    _clip(s)
    _identity(s)
    _cast(s)


def _gelu(s):
    exact = lambda x: 0.5 * x * (1 + special.erf(x / math.sqrt(2)))
    x = s.uniform(-4, 4, 3, 5)
    s.add("gelu_exact_f32", "gelu", [x], _float(x, exact))
    s.add("gelu_tanh_f32", "gelu", [x], _float(x, _gelu_tanh), {"approximate": "tanh"})
    x = s.uniform(-4, 4, 6, dtype=f64)
    s.add("gelu_exact_f64", "gelu", [x], _float(x, exact), {"approximate": "none"})
    s.add("gelu_tanh_f64", "gelu", [x], _float(x, _gelu_tanh), {"approximate": "tanh"})
    x = np.array([-INF, INF, -20.0, 20.0, 0.0], dtype=f32)
    s.add("gelu_exact_special_f32", "gelu", [x], _float(x, exact))


def _alpha_ops(s):
    def leaky(alpha):
        return lambda x: np.where(x >= 0, x, alpha * x)

    def elu(alpha):
        return lambda x: np.where(x > 0, x, alpha * (np.exp(x) - 1))

    x = s.uniform(-3, 3, 4, 5)
    s.add("leaky_relu_default_f32", "leaky_relu", [x], _float(x, leaky(0.01)))
    s.add("leaky_relu_alpha_f32", "leaky_relu", [x], _float(x, leaky(0.2)), {"alpha": 0.2})
    x = s.uniform(-3, 3, 7, dtype=f64)
    s.add("leaky_relu_alpha_f64", "leaky_relu", [x], _float(x, leaky(1.5)), {"alpha": 1.5})
    x = s.uniform(-3, 3, 4, 5)
    s.add("elu_default_f32", "elu", [x], _float(x, elu(1.0)))
    s.add("elu_alpha_f32", "elu", [x], _float(x, elu(0.5)), {"alpha": 0.5})
    x = s.uniform(-3, 3, 7, dtype=f64)
    s.add("elu_f64", "elu", [x], _float(x, elu(1.0)))


def _numeric(s):
    """neg, abs, relu on every numeric dtype (ints stay away from the minimum value)."""
    for dtype in (f32, f64, i32, i64):
        name = np.dtype(dtype).name.replace("float", "f").replace("int", "i")
        if np.issubdtype(dtype, np.floating):
            x = s.uniform(-5, 5, 3, 4, dtype=dtype)
        else:
            x = s.ints(-100, 100, 3, 4, dtype=dtype)
        s.add(f"neg_{name}", "neg", [x], (-x.astype(f64)).astype(dtype))
        s.add(f"abs_{name}", "abs", [x], np.abs(x.astype(f64)).astype(dtype))
        s.add(f"relu_{name}", "relu", [x], np.maximum(x.astype(f64), 0).astype(dtype))
    x = s.uniform(-1, 1, 2, 0, 3)
    s.add("relu_empty_f32", "relu", [x], np.maximum(x, 0))
    x = np.array([-0.0, 0.0, -INF, INF, -1.5], dtype=f32)
    s.add("abs_special_f32", "abs", [x], np.abs(x))
    x = np.array(-3, dtype=i64)
    s.add("neg_scalar_i64", "neg", [x], np.array(3, dtype=i64))


def _clip(s):
    def clip(x, low=-INF, high=INF):
        return np.minimum(np.maximum(x.astype(f64), low), high).astype(x.dtype)

    x = s.uniform(-8, 8, 3, 5)
    s.add("clip_relu6_f32", "clip", [x], clip(x, 0, 6), {"min": 0.0, "max": 6.0})
    s.add("clip_min_only_f32", "clip", [x], clip(x, -1.5), {"min": -1.5})
    s.add("clip_max_only_f32", "clip", [x], clip(x, high=2.25), {"max": 2.25})
    s.add("clip_defaults_f32", "clip", [x], x.copy())
    x = s.uniform(-8, 8, 6, dtype=f64)
    s.add("clip_f64", "clip", [x], clip(x, -0.5, 0.5), {"min": -0.5, "max": 0.5})
    x = s.ints(-20, 20, 4, 4, dtype=i32)
    s.add("clip_i32", "clip", [x], clip(x, -3, 7), {"min": -3.0, "max": 7.0})
    x = s.ints(-20, 20, 10, dtype=i64)
    s.add("clip_i64", "clip", [x], clip(x, 0, 5), {"min": 0.0, "max": 5.0})
    s.add("clip_max_only_i64", "clip", [x], clip(x, high=4), {"max": 4.0})


def _identity(s):
    x = s.randn(2, 3)
    s.add("identity_f32", "identity", [x], x.copy())
    x = s.ints(-5, 5, 4, dtype=i32)
    s.add("identity_i32", "identity", [x], x.copy())
    x = s.bools(3, 2)
    s.add("identity_bool", "identity", [x], x.copy())
    x = s.randn(0, 2, dtype=f64)
    s.add("identity_empty_f64", "identity", [x], x.copy())


def _cast(s):
    # Floats to ints truncate toward zero; nonzero (including -0.5) to bool is true.
    floats = np.array([-2.7, -1.5, -0.5, -0.0, 0.0, 0.5, 1.5, 2.7, 100.9, -100.9], dtype=f32)
    s.add("cast_f32_to_i32_trunc", "cast", [floats], np.trunc(floats).astype(i32), {"to": "i32"})
    s.add("cast_f32_to_i64_trunc", "cast", [floats], np.trunc(floats).astype(i64), {"to": "i64"})
    s.add("cast_f32_to_bool", "cast", [floats], floats != 0, {"to": "bool"})
    s.add("cast_f32_to_f64", "cast", [floats], floats.astype(f64), {"to": "f64"})
    s.add("cast_f32_to_f32", "cast", [floats], floats.copy(), {"to": "f32"})
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30], dtype=f32)
    s.add("cast_special_f32_to_bool", "cast", [x], x != 0, {"to": "bool"})
    s.add("cast_special_f32_to_f64", "cast", [x], x.astype(f64), {"to": "f64"})
    x = np.array([[0.1, -7.9], [3.3333333333, 1e10]], dtype=f64)
    s.add("cast_f64_to_f32", "cast", [x], x.astype(f32), {"to": "f32"})
    s.add("cast_f64_to_bool", "cast", [x[:, :1]], x[:, :1] != 0, {"to": "bool"})
    x = np.array([-3.99, 3.99, 2147483.5], dtype=f64)
    s.add("cast_f64_to_i32_trunc", "cast", [x], np.trunc(x).astype(i32), {"to": "i32"})
    ints = np.array([-3, 0, 2, 7, 1 << 20], dtype=i32)
    s.add("cast_i32_to_f32", "cast", [ints], ints.astype(f32), {"to": "f32"})
    s.add("cast_i32_to_i64", "cast", [ints], ints.astype(i64), {"to": "i64"})
    s.add("cast_i32_to_bool", "cast", [ints], ints != 0, {"to": "bool"})
    longs = np.array([[-5, 0], [1 << 40, 9]], dtype=i64)
    s.add("cast_i64_to_f64", "cast", [longs], longs.astype(f64), {"to": "f64"})
    # Beyond 2^53 an i64 rounds to the nearest double (ties to even).
    big = np.array([2**53 + 1, -(2**53 + 3), 2**62 + 2**9], dtype=i64)
    s.add("cast_i64_to_f64_rounding", "cast", [big], big.astype(f64), {"to": "f64"})
    s.add("cast_i64_to_f32_rounding", "cast", [big], big.astype(f32), {"to": "f32"})
    x = np.array([1e10, -3e12, 4.5e15], dtype=f32)
    s.add("cast_f32_to_i64_large", "cast", [x], np.trunc(x).astype(i64), {"to": "i64"})
    small = np.array([-5, 0, 123456, -2147483648], dtype=i64)
    s.add("cast_i64_to_i32", "cast", [small], small.astype(i32), {"to": "i32"})
    flags = np.array([True, False, True], dtype=b8)
    s.add("cast_bool_to_f32", "cast", [flags], flags.astype(f32), {"to": "f32"})
    s.add("cast_bool_to_i64", "cast", [flags], flags.astype(i64), {"to": "i64"})
    s.add("cast_bool_to_bool", "cast", [flags], flags.copy(), {"to": "bool"})
    empty = np.zeros((0, 3), dtype=f32)
    s.add("cast_empty_f32_to_i64", "cast", [empty], empty.astype(i64), {"to": "i64"})
