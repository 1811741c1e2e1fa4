"""Training op cases: scatter_add, one_hot, the pooling and conv weight gradients, and the
losses (cross_entropy, binary_cross_entropy, mse)."""

import numpy as np

from . import oracles_nn as nn
from . import oracles_training as tr
from .common import LOOSE_F32, b8, f32, f64, i32, i64

L = LOOSE_F32


def add_cases(s):
    s.section("training")
    _scatter_add(s)
    _one_hot(s)
    _pool_grad(s)
    _conv_weight_grad(s)
    _cross_entropy(s)
    _binary_cross_entropy(s)
    _mse(s)


def _scatter_add(s):
    def case(name, data, idx, axis=0, dtype=None):
        gathered_shape = data.shape[:axis % data.ndim] + idx.shape + data.shape[axis % data.ndim + 1:]
        updates = s.randn(*gathered_shape, dtype=data.dtype)
        attrs = {"axis": axis} if axis != 0 else {}
        s.add(name, "scatter_add", [data, idx, updates], tr.scatter_add(data, idx, updates, axis), attrs)

    # An embedding's gradient: zeros plus one row per looked-up id, repeated ids accumulating.
    case("scatter_add_embedding_f32", np.zeros((5, 3), f32), np.array([[0, 4], [2, 2], [1, 0]], i64))
    case("scatter_add_neg_indices_i32", s.randn(5, 3), np.array([3, -1, -5, 0, 3], i32))
    case("scatter_add_axis1_f64", s.randn(2, 4, 3, dtype=f64), np.array([[3, 1], [1, 1]], i64), axis=1)
    case("scatter_add_axis_neg1_f64", s.randn(2, 4, 3, dtype=f64), np.array([2, 0, 2], i32), axis=-1)
    case("scatter_add_scalar_index_f32", s.randn(4, 3), np.array(2, i64))
    case("scatter_add_empty_indices_f32", s.randn(4, 3), np.zeros((0,), i64))


def _one_hot(s):
    labels = s.ints(0, 4, 2, 3, dtype=i64)
    s.add("one_hot_f32", "one_hot", [labels], tr.one_hot(labels, 5, f32), {"depth": 5})
    label = np.array(2, i32)
    s.add("one_hot_scalar_f64", "one_hot", [label], tr.one_hot(label, 3, f64), {"depth": 3, "dtype": "f64"})
    labels = s.ints(0, 3, 4, dtype=i32)
    s.add("one_hot_i64", "one_hot", [labels], tr.one_hot(labels, 4, i64), {"depth": 4, "dtype": "i64"})
    s.add("one_hot_bool", "one_hot", [labels], tr.one_hot(labels, 4, b8), {"depth": 4, "dtype": "bool"})
    labels = np.zeros((0,), i64)
    s.add("one_hot_empty_f32", "one_hot", [labels], tr.one_hot(labels, 4, f32), {"depth": 4})


def _pool_grad(s):
    x = s.randn(2, 2, 5, 6)
    shared = {
        "plain": {"kernel": [2, 2]},
        "overlap_pads": {"kernel": [3, 3], "pads": [1, 1, 1, 1]},
        "ceil_pads": {"kernel": [3, 2], "strides": [2, 2], "pads": [1, 1, 0, 0], "ceil_mode": True},
        "same": {"kernel": [3, 3], "strides": [2, 2], "padding": "same"},
        "same_lower": {"kernel": [2, 2], "padding": "same_lower"},
    }
    for kind in ("max", "avg"):
        for tag, attrs in shared.items():
            _pool_grad_case(s, f"{kind}_pool2d_grad_{tag}_f32", kind, x, attrs)
    _pool_grad_case(s, "max_pool2d_grad_dilations_f32", "max", x,
                    {"kernel": [2, 3], "dilations": [2, 1], "strides": [1, 2], "pads": [1, 1, 0, 1]})
    # Small integers make many ties: the first maximal position takes the gradient.
    ties = s.ints(0, 2, 1, 2, 4, 5).astype(f32)
    _pool_grad_case(s, "max_pool2d_grad_ties_f32", "max", ties, {"kernel": [3, 3], "pads": [1, 1, 1, 1]})
    for tag, attrs in {
        "include_pad": {"kernel": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": True},
        "include_pad_ceil": {"kernel": [3, 2], "strides": [2, 2], "pads": [1, 1, 0, 0], "ceil_mode": True,
                             "count_include_pad": True},
        "include_pad_same": {"kernel": [3, 3], "padding": "same", "count_include_pad": True},
    }.items():
        _pool_grad_case(s, f"avg_pool2d_grad_{tag}_f32", "avg", x, attrs)
    x = s.randn(1, 2, 4, 4, dtype=f64)
    attrs = {"kernel": [2, 2], "strides": [2, 2]}
    _pool_grad_case(s, "max_pool2d_grad_f64", "max", x, attrs)
    _pool_grad_case(s, "avg_pool2d_grad_f64", "avg", x, attrs)


def _pool_grad_case(s, name, kind, x, attrs):
    dy = s.randn(*nn.pool2d(x, kind, **attrs).shape, dtype=x.dtype)
    s.add(name, f"{kind}_pool2d_grad", [x, dy], tr.pool2d_grad(x, dy, kind, **attrs), attrs)


def _conv_weight_grad(s):
    for tag, x_shape, out_channels, attrs in (
        ("plain", (2, 3, 5, 5), 4, {"kernel": [3, 3]}),
        ("strided_padded_dilated_grouped", (1, 4, 7, 7), 6,
         {"kernel": [2, 2], "strides": [2, 2], "pads": [1, 1, 1, 1], "dilations": [2, 2], "group": 2}),
        ("asymmetric", (2, 2, 6, 5), 4,
         {"kernel": [3, 2], "strides": [1, 2], "pads": [0, 1, 2, 0], "dilations": [1, 2], "group": 2}),
        ("depthwise", (1, 3, 4, 4), 3, {"kernel": [3, 3], "pads": [1, 1, 1, 1], "group": 3}),
    ):
        x = s.randn(*x_shape)
        dy = s.randn(x_shape[0], out_channels, *_conv_output(x_shape, attrs))
        s.add(f"conv2d_weight_grad_{tag}_f32", "conv2d_weight_grad", [x, dy], tr.conv2d_weight_grad(x, dy, **attrs),
              attrs, tol=L)
    x = s.randn(1, 2, 4, 4, dtype=f64)
    attrs = {"kernel": [2, 2], "strides": [2, 1]}
    dy = s.randn(1, 2, *_conv_output(x.shape, attrs), dtype=f64)
    s.add("conv2d_weight_grad_f64", "conv2d_weight_grad", [x, dy], tr.conv2d_weight_grad(x, dy, **attrs), attrs)


def _conv_output(x_shape, attrs):
    strides, pads = attrs.get("strides", [1, 1]), attrs.get("pads", [0, 0, 0, 0])
    dilations, kernel = attrs.get("dilations", [1, 1]), attrs["kernel"]
    return [(x_shape[2 + a] + pads[a] + pads[a + 2] - ((kernel[a] - 1) * dilations[a] + 1)) // strides[a] + 1
            for a in range(2)]


def _cross_entropy(s):
    logits, labels = s.randn(4, 5), s.ints(0, 4, 4, dtype=i64)
    s.add("cross_entropy_f32", "cross_entropy", [logits, labels], tr.cross_entropy(logits, labels), tol=L)
    logits, labels = s.randn(2, 3, 4, dtype=f64), s.ints(0, 3, 2, 3, dtype=i32)
    s.add("cross_entropy_sum_rank3_f64", "cross_entropy", [logits, labels],
          tr.cross_entropy(logits, labels, "sum"), {"reduction": "sum"})
    logits, label = s.randn(6), np.array(5, i64)
    s.add("cross_entropy_one_position_f32", "cross_entropy", [logits, label], tr.cross_entropy(logits, label), tol=L)
    # e^x overflows f32 far below these: only a max-subtracted log-sum-exp gets them right.
    logits, labels = s.randn(3, 4, scale=300), s.ints(0, 3, 3, dtype=i64)
    s.add("cross_entropy_large_logits_f32", "cross_entropy", [logits, labels], tr.cross_entropy(logits, labels), tol=L)
    logits, labels = np.zeros((0, 5), f32), np.zeros((0,), i64)
    s.add("cross_entropy_empty_mean_f32", "cross_entropy", [logits, labels], tr.cross_entropy(logits, labels))
    s.add("cross_entropy_empty_sum_f32", "cross_entropy", [logits, labels], tr.cross_entropy(logits, labels, "sum"),
          {"reduction": "sum"})


def _binary_cross_entropy(s):
    p, y = s.uniform(0.01, 0.99, 3, 4), s.bools(3, 4).astype(f32)
    s.add("binary_cross_entropy_f32", "binary_cross_entropy", [p, y], tr.binary_cross_entropy(p, y), tol=L)
    # p of exactly 0 and 1 (both logs clamped to -100) and soft targets.
    p, y = np.array([0, 1, 0, 1, 0.5, 0.25], f64), np.array([0, 1, 1, 0, 0.3, 1], f64)
    s.add("binary_cross_entropy_edges_sum_f64", "binary_cross_entropy", [p, y],
          tr.binary_cross_entropy(p, y, "sum"), {"reduction": "sum"})
    p, y = s.uniform(0, 1, 2, 2, 2, dtype=f64), s.uniform(0, 1, 2, 2, 2, dtype=f64)
    s.add("binary_cross_entropy_soft_f64", "binary_cross_entropy", [p, y], tr.binary_cross_entropy(p, y))


def _mse(s):
    a, b = s.randn(3, 4), s.randn(3, 4)
    s.add("mse_f32", "mse", [a, b], tr.mse(a, b), tol=L)
    a, b = s.randn(2, 3, 2, dtype=f64), s.randn(2, 3, 2, dtype=f64)
    s.add("mse_sum_f64", "mse", [a, b], tr.mse(a, b, "sum"), {"reduction": "sum"})
    a, b = np.array(1.5, f32), np.array(-0.5, f32)
    s.add("mse_scalar_f32", "mse", [a, b], tr.mse(a, b))
