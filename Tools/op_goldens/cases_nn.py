"""Linear algebra, convolution and pooling cases."""

import numpy as np

from . import oracles_nn as nn
from .common import LOOSE_F32, f32, f64, i32, i64

L = LOOSE_F32


def _matmul(a, b):
    """numpy matmul in float64 (exact for the small ints used), rounded to a's dtype."""
    return np.matmul(a.astype(f64), b.astype(f64)).astype(a.dtype)


def add_cases(s):
    s.section("nn")
    _matmul_cases(s)
    _gemm_cases(s)
    _linear_cases(s)
    _conv_cases(s)
    _conv_transpose_cases(s)
    _pool_cases(s)


def _matmul_cases(s):
    shapes = {
        "2d": ((3, 4), (4, 5)),
        "vec_mat": ((4,), (4, 3)),
        "mat_vec": ((3, 4), (4,)),
        "vec_vec": ((5,), (5,)),
        "batch": ((2, 3, 4), (2, 4, 2)),
        "batch_bcast": ((2, 1, 3, 4), (3, 4, 5)),
        "batch_bcast_both": ((2, 1, 3, 4), (1, 5, 4, 2)),
        "batch_rhs_2d": ((2, 3, 4), (4, 2)),
        "batch_vec": ((2, 3, 4), (4,)),
        "vec_batch": ((4,), (2, 4, 3)),
        "empty_k": ((2, 0), (0, 3)),
        "empty_m": ((0, 4), (4, 3)),
    }
    for tag, (sa, sb) in shapes.items():
        a, b = s.randn(*sa), s.randn(*sb)
        s.add(f"matmul_{tag}_f32", "matmul", [a, b], _matmul(a, b), tol=L)
    a, b = s.randn(2, 3, dtype=f64), s.randn(3, 2, dtype=f64)
    s.add("matmul_2d_f64", "matmul", [a, b], _matmul(a, b))
    a, b = s.ints(-5, 5, 2, 3, dtype=i64), s.ints(-5, 5, 3, 4, dtype=i64)
    s.add("matmul_2d_i64", "matmul", [a, b], np.matmul(a, b))
    a, b = s.ints(-5, 5, 2, 2, 3, dtype=i32), s.ints(-5, 5, 3, dtype=i32)
    s.add("matmul_batch_vec_i32", "matmul", [a, b], np.matmul(a, b))


def _gemm(a, b, c=None, alpha=1.0, beta=1.0, trans_a=False, trans_b=False):
    a64, b64 = a.astype(f64), b.astype(f64)
    y = alpha * (a64.T if trans_a else a64) @ (b64.T if trans_b else b64)
    if c is not None:
        y = y + beta * c.astype(f64)
    return y.astype(a.dtype)


def _gemm_cases(s):
    m, k, n = 3, 4, 5
    a, b, c = s.randn(m, k), s.randn(k, n), s.randn(m, n)
    s.add("gemm_plain_f32", "gemm", [a, b, c], _gemm(a, b, c), tol=L)
    s.add("gemm_no_c_f32", "gemm", [a, b], _gemm(a, b), tol=L)
    at, bt = np.ascontiguousarray(a.T), np.ascontiguousarray(b.T)
    s.add("gemm_trans_a_f32", "gemm", [at, b, c], _gemm(at, b, c, trans_a=True),
          {"trans_a": True}, tol=L)
    s.add("gemm_trans_b_f32", "gemm", [a, bt, c], _gemm(a, bt, c, trans_b=True),
          {"trans_b": True}, tol=L)
    s.add("gemm_trans_both_alpha_beta_f32", "gemm", [at, bt, c],
          _gemm(at, bt, c, 0.5, -2.0, True, True),
          {"alpha": 0.5, "beta": -2.0, "trans_a": True, "trans_b": True}, tol=L)
    for tag, shape in (("row", (n,)), ("col", (m, 1)), ("scalar", ()), ("row2d", (1, n))):
        cc = s.randn(*shape)
        s.add(f"gemm_c_{tag}_f32", "gemm", [a, b, cc], _gemm(a, b, cc, beta=1.5),
              {"beta": 1.5}, tol=L)
    a, b, c = s.randn(2, 3, dtype=f64), s.randn(3, 4, dtype=f64), s.randn(4, dtype=f64)
    s.add("gemm_alpha_f64", "gemm", [a, b, c], _gemm(a, b, c, alpha=2.0), {"alpha": 2.0})
    a, b = s.randn(2, 0), s.randn(0, 3)
    c = s.randn(3)
    s.add("gemm_empty_k_f32", "gemm", [a, b, c], _gemm(a, b, c))


def _linear_cases(s):
    x, w, b = s.randn(4, 3), s.randn(3, 5), s.randn(5)
    s.add("linear_2d_f32", "linear", [x, w, b], (_matmul(x, w) + b).astype(f32), tol=L)
    s.add("linear_no_bias_f32", "linear", [x, w], _matmul(x, w), tol=L)
    x = s.randn(2, 3, 3)
    s.add("linear_3d_f32", "linear", [x, w, b], (_matmul(x, w).astype(f64) + b).astype(f32), tol=L)
    x = s.randn(3)
    s.add("linear_1d_f32", "linear", [x, w, b], (_matmul(x, w).astype(f64) + b).astype(f32), tol=L)
    x, w, b = s.randn(2, 4, dtype=f64), s.randn(4, 2, dtype=f64), s.randn(2, dtype=f64)
    s.add("linear_f64", "linear", [x, w, b], _matmul(x, w) + b)
    x = s.randn(0, 3)
    w, b = s.randn(3, 2), s.randn(2)
    s.add("linear_empty_batch_f32", "linear", [x, w, b], np.zeros((0, 2), f32))


def _conv_cases(s):
    x, w, b = s.randn(2, 3, 5, 5), s.randn(4, 3, 3, 3), s.randn(4)
    s.add("conv2d_plain_f32", "conv2d", [x, w, b], nn.conv2d(x, w, b), tol=L)
    s.add("conv2d_no_bias_f32", "conv2d", [x, w], nn.conv2d(x, w), tol=L)
    attrs = {"pads": [1, 2, 0, 1]}
    s.add("conv2d_asym_pads_f32", "conv2d", [x, w, b], nn.conv2d(x, w, b, pads=attrs["pads"]),
          attrs, tol=L)
    attrs = {"strides": [2, 1], "dilations": [1, 2], "pads": [1, 1, 1, 1]}
    s.add("conv2d_strides_dilations_f32", "conv2d", [x, w, b], nn.conv2d(x, w, b, **attrs),
          attrs, tol=L)
    x6 = s.randn(1, 3, 6, 7)
    for padding in ("same", "same_lower", "valid"):
        for stride in (1, 2, 4):
            attrs = {"padding": padding, "strides": [stride, stride]}
            s.add(f"conv2d_{padding}_s{stride}_f32", "conv2d", [x6, w, b],
                  nn.conv2d(x6, w, b, **attrs), attrs, tol=L)
    # Explicit pads are ignored when padding is not explicit (ONNX auto_pad).
    attrs = {"padding": "same", "pads": [3, 3, 3, 3]}
    s.add("conv2d_same_ignores_pads_f32", "conv2d", [x6, w, b],
          nn.conv2d(x6, w, b, padding="same"), attrs, tol=L)
    w2 = s.randn(4, 3, 2, 2)
    attrs = {"padding": "same_lower", "dilations": [2, 1]}
    s.add("conv2d_same_lower_dilated_even_kernel_f32", "conv2d", [x6, w2, b],
          nn.conv2d(x6, w2, b, **attrs), attrs, tol=L)
    x, w, b = s.randn(1, 4, 4, 4), s.randn(6, 2, 3, 3), s.randn(6)
    attrs = {"group": 2, "pads": [1, 1, 1, 1]}
    s.add("conv2d_groups_f32", "conv2d", [x, w, b], nn.conv2d(x, w, b, **attrs), attrs, tol=L)
    x, w, b = s.randn(2, 3, 5, 4), s.randn(3, 1, 3, 3), s.randn(3)
    attrs = {"group": 3, "strides": [2, 2], "padding": "same"}
    s.add("conv2d_depthwise_f32", "conv2d", [x, w, b], nn.conv2d(x, w, b, **attrs), attrs, tol=L)
    x, w = s.randn(1, 2, 3, 3, dtype=f64), s.randn(2, 2, 1, 1, dtype=f64)
    s.add("conv2d_pointwise_f64", "conv2d", [x, w], nn.conv2d(x, w))
    x, w, b = s.randn(1, 1, 4, 4), s.randn(2, 1, 4, 4), s.randn(2)
    s.add("conv2d_kernel_equals_input_f32", "conv2d", [x, w, b], nn.conv2d(x, w, b), tol=L)
    # Pads wider than the kernel: border outputs see only padding and equal the bias.
    x, w, b = s.randn(1, 2, 3, 3), s.randn(2, 2, 2, 2), s.randn(2)
    attrs = {"pads": [3, 2, 2, 3], "strides": [2, 1]}
    s.add("conv2d_pads_wider_than_kernel_f32", "conv2d", [x, w, b], nn.conv2d(x, w, b, **attrs),
          attrs, tol=L)
    x, w, b = s.randn(0, 3, 4, 4), s.randn(2, 3, 3, 3), s.randn(2)
    s.add("conv2d_empty_batch_f32", "conv2d", [x, w, b], nn.conv2d(x, w, b), tol=L)


def _conv_transpose_cases(s):
    x, w, b = s.randn(1, 2, 3, 3), s.randn(2, 3, 3, 3), s.randn(3)
    s.add("conv_transpose2d_plain_f32", "conv_transpose2d", [x, w, b],
          nn.conv_transpose2d(x, w, b), tol=L)
    s.add("conv_transpose2d_no_bias_f32", "conv_transpose2d", [x, w],
          nn.conv_transpose2d(x, w), tol=L)
    cases = {
        "strides": {"strides": [2, 2]},
        "strides_pads": {"strides": [2, 3], "pads": [1, 0, 1, 2]},
        "output_padding": {"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 0]},
        "dilations": {"dilations": [2, 1], "pads": [0, 1, 1, 0]},
        "valid": {"padding": "valid", "strides": [2, 1]},
    }
    for tag, attrs in cases.items():
        s.add(f"conv_transpose2d_{tag}_f32", "conv_transpose2d", [x, w, b],
              nn.conv_transpose2d(x, w, b, **attrs), attrs, tol=L)
    # Even total padding only: which side gets an odd pixel is ambiguous across ONNX versions.
    w4 = s.randn(2, 3, 4, 4)
    attrs = {"padding": "same", "strides": [2, 2]}
    s.add("conv_transpose2d_same_s2_k4_f32", "conv_transpose2d", [x, w4, b],
          nn.conv_transpose2d(x, w4, b, **attrs), attrs, tol=L)
    attrs = {"padding": "same_lower"}
    s.add("conv_transpose2d_same_lower_k3_f32", "conv_transpose2d", [x, w, b],
          nn.conv_transpose2d(x, w, b, **attrs), attrs, tol=L)
    x, w, b = s.randn(2, 4, 2, 3), s.randn(4, 1, 3, 2), s.randn(2)
    attrs = {"group": 2, "strides": [2, 1]}
    s.add("conv_transpose2d_groups_f32", "conv_transpose2d", [x, w, b],
          nn.conv_transpose2d(x, w, b, **attrs), attrs, tol=L)
    x, w, b = s.randn(1, 4, 3, 2), s.randn(4, 3, 2, 3), s.randn(6)
    attrs = {"group": 2, "strides": [3, 2], "dilations": [2, 2], "pads": [1, 2, 0, 1],
             "output_padding": [2, 1]}
    s.add("conv_transpose2d_everything_f32", "conv_transpose2d", [x, w, b],
          nn.conv_transpose2d(x, w, b, **attrs), attrs, tol=L)
    x, w = s.randn(1, 2, 2, 2, dtype=f64), s.randn(2, 2, 2, 2, dtype=f64)
    attrs = {"strides": [2, 2]}
    s.add("conv_transpose2d_f64", "conv_transpose2d", [x, w],
          nn.conv_transpose2d(x, w, **attrs), attrs)


def _pool_cases(s):
    x = s.randn(2, 2, 5, 6)
    cases = {
        "plain": {"kernel": [2, 2]},
        "strides": {"kernel": [2, 3], "strides": [2, 3]},
        "pads": {"kernel": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]},
        "asym_pads": {"kernel": [2, 2], "pads": [0, 1, 1, 0]},
        "ceil": {"kernel": [2, 2], "strides": [2, 2], "ceil_mode": True},
        "ceil_pads": {"kernel": [3, 2], "strides": [2, 2], "pads": [1, 0, 0, 0], "ceil_mode": True},
        "same": {"kernel": [3, 3], "strides": [2, 2], "padding": "same"},
        "same_lower": {"kernel": [2, 2], "padding": "same_lower"},
        "valid": {"kernel": [3, 3], "strides": [2, 2], "padding": "valid", "pads": [1, 1, 1, 1]},
    }
    for kind in ("max", "avg"):
        for tag, attrs in cases.items():
            op = f"{kind}_pool2d"
            s.add(f"{op}_{tag}_f32", op, [x], nn.pool2d(x, kind, **attrs), attrs)
    for tag, attrs in {
        "dilations": {"kernel": [2, 2], "dilations": [2, 2]},
        "dilations_strides_pads": {"kernel": [2, 3], "dilations": [2, 1], "strides": [1, 2],
                                   "pads": [1, 1, 0, 1]},
        "dilations_ceil": {"kernel": [2, 3], "dilations": [2, 1], "strides": [3, 2],
                           "ceil_mode": True},
    }.items():
        s.add(f"max_pool2d_{tag}_f32", "max_pool2d", [x], nn.pool2d(x, "max", **attrs), attrs)
    neg = -np.abs(s.randn(1, 1, 3, 3)) - 1
    attrs = {"kernel": [2, 2], "pads": [1, 1, 1, 1]}
    s.add("max_pool2d_pads_negative_values_f32", "max_pool2d", [neg],
          nn.pool2d(neg, "max", **attrs), attrs)
    for tag, attrs in {
        "include_pad": {"kernel": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": True},
        "include_pad_asym": {"kernel": [2, 3], "strides": [2, 1], "pads": [1, 2, 0, 1],
                             "count_include_pad": True},
        "include_pad_same": {"kernel": [3, 3], "padding": "same", "count_include_pad": True},
    }.items():
        s.add(f"avg_pool2d_{tag}_f32", "avg_pool2d", [x], nn.pool2d(x, "avg", **attrs), attrs)
    x = s.randn(1, 2, 4, 4, dtype=f64)
    attrs = {"kernel": [2, 2], "strides": [2, 2]}
    s.add("max_pool2d_f64", "max_pool2d", [x], nn.pool2d(x, "max", **attrs), attrs)
    s.add("avg_pool2d_f64", "avg_pool2d", [x], nn.pool2d(x, "avg", **attrs), attrs)
    x = s.randn(2, 3, 4, 5)
    s.add("global_avg_pool_f32", "global_avg_pool", [x],
          x.astype(f64).mean(axis=(2, 3), keepdims=True).astype(f32))
    x = s.randn(1, 2, 3, 1, dtype=f64)
    s.add("global_avg_pool_f64", "global_avg_pool", [x], x.mean(axis=(2, 3), keepdims=True))
    x = s.randn(0, 2, 3, 3)
    s.add("global_avg_pool_empty_batch_f32", "global_avg_pool", [x], np.zeros((0, 2, 1, 1), f32))
