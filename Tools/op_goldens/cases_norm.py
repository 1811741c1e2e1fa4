"""Normalization (batch, layer, instance) and softmax / log_softmax cases."""

import numpy as np

from . import oracles_nn as nn
from .common import LOOSE_F32, f32, f64

L = LOOSE_F32


def add_cases(s):
    s.section("norm")
    _norm_cases(s)
    _softmax_cases(s)


def _norm_cases(s):
    for tag, shape in (("4d", (2, 3, 2, 2)), ("2d", (4, 3)), ("3d", (2, 3, 4)), ("5d", (1, 3, 2, 2, 2))):
        x = s.randn(*shape)
        scale, bias, mean = s.randn(3), s.randn(3), s.randn(3)
        var = s.uniform(0.5, 2, 3)
        s.add(f"batch_norm_{tag}_f32", "batch_norm", [x, scale, bias, mean, var],
              nn.batch_norm(x, scale, bias, mean, var))
    x = s.randn(2, 2, 3, dtype=f64)
    p = [s.randn(2, dtype=f64) for _ in range(3)] + [s.uniform(0.01, 0.1, 2, dtype=f64)]
    s.add("batch_norm_epsilon_f64", "batch_norm", [x] + p, nn.batch_norm(x, *p, epsilon=0.1),
          {"epsilon": 0.1})

    x = s.randn(2, 3, 4)
    scale, bias = s.randn(4), s.randn(4)
    s.add("layer_norm_last_f32", "layer_norm", [x, scale, bias], nn.layer_norm(x, scale, bias), tol=L)
    s.add("layer_norm_no_bias_f32", "layer_norm", [x, scale], nn.layer_norm(x, scale), tol=L)
    scale, bias = s.randn(3, 4), s.randn(3, 4)
    s.add("layer_norm_axis1_f32", "layer_norm", [x, scale, bias],
          nn.layer_norm(x, scale, bias, axis=1), {"axis": 1}, tol=L)
    s.add("layer_norm_axis_neg2_f32", "layer_norm", [x, scale, bias],
          nn.layer_norm(x, scale, bias, axis=-2), {"axis": -2}, tol=L)
    scale, bias = s.randn(2, 3, 4), s.randn(2, 3, 4)
    s.add("layer_norm_axis0_eps_f32", "layer_norm", [x, scale, bias],
          nn.layer_norm(x, scale, bias, axis=0, epsilon=0.5), {"axis": 0, "epsilon": 0.5}, tol=L)
    x, scale, bias = s.randn(3, 5, dtype=f64), s.randn(5, dtype=f64), s.randn(5, dtype=f64)
    s.add("layer_norm_f64", "layer_norm", [x, scale, bias], nn.layer_norm(x, scale, bias))
    x = np.full((2, 4), 3.0, dtype=f32)
    scale, bias = s.randn(4), s.randn(4)
    s.add("layer_norm_constant_rows_f32", "layer_norm", [x, scale, bias],
          nn.layer_norm(x, scale, bias), tol=L)

    x, scale, bias = s.randn(2, 3, 3, 4), s.randn(3), s.randn(3)
    s.add("instance_norm_f32", "instance_norm", [x, scale, bias],
          nn.instance_norm(x, scale, bias), tol=L)
    x, scale, bias = s.randn(1, 2, 2, 3, dtype=f64), s.randn(2, dtype=f64), s.randn(2, dtype=f64)
    s.add("instance_norm_eps_f64", "instance_norm", [x, scale, bias],
          nn.instance_norm(x, scale, bias, epsilon=0.01), {"epsilon": 0.01})
    x = np.concatenate([np.full((1, 1, 2, 2), 1.5, f32), s.randn(1, 1, 2, 2)], axis=1)
    scale, bias = s.randn(2), s.randn(2)
    s.add("instance_norm_constant_plane_f32", "instance_norm", [x, scale, bias],
          nn.instance_norm(x, scale, bias), tol=L)
    # ONNX InstanceNormalization normalizes over every spatial dim, so rank 3 [N, C, L] works.
    x, scale, bias = s.randn(2, 2, 5), s.randn(2), s.randn(2)
    s.add("instance_norm_3d_f32", "instance_norm", [x, scale, bias],
          nn.instance_norm(x, scale, bias), tol=L)


def _softmax(x, axis, log=False):
    v = x.astype(f64)
    shifted = v - v.max(axis=axis, keepdims=True)
    lse = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return (shifted - lse if log else np.exp(shifted - lse)).astype(x.dtype)


def _softmax_cases(s):
    for op, log in (("softmax", False), ("log_softmax", True)):
        x = s.randn(2, 3, 4, scale=2.0)
        s.add(f"{op}_last_f32", op, [x], _softmax(x, -1, log))
        s.add(f"{op}_axis0_f32", op, [x], _softmax(x, 0, log), {"axis": 0})
        s.add(f"{op}_axis1_f32", op, [x], _softmax(x, 1, log), {"axis": 1})
        s.add(f"{op}_axis_neg2_f32", op, [x], _softmax(x, -2, log), {"axis": -2})
        # Huge logits: a naive exp overflows.
        big = np.array([[1000.0, 999.0, -1000.0], [-50.0, -50.0, -50.0]], dtype=f32)
        s.add(f"{op}_stable_f32", op, [big], _softmax(big, -1, log))
        x = s.randn(3, 5, dtype=f64)
        s.add(f"{op}_f64", op, [x], _softmax(x, -1, log))
        x = s.randn(0, 4)
        s.add(f"{op}_empty_f32", op, [x], _softmax(x, -1, log))
        x = s.randn(3, 1)
        s.add(f"{op}_unit_axis_f32", op, [x], _softmax(x, -1, log))
        # A -inf logit gets probability 0 (log-probability -inf); the rest are unaffected.
        x = np.array([[-np.inf, 0.0, 1.0], [2.0, -np.inf, -np.inf]], dtype=f32)
        with np.errstate(invalid="ignore"):
            s.add(f"{op}_neg_inf_f32", op, [x], _softmax(x, -1, log))
