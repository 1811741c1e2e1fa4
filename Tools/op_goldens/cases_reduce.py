"""Reductions (axes, keepdims, empty inputs) and argmax/argmin (ties, select_last_index)."""

import numpy as np

from .common import LOOSE_F32, f32, f64, i32, i64

REDUCE = {
    "reduce_sum": np.sum,
    "reduce_mean": np.mean,
    "reduce_max": np.max,
    "reduce_min": np.min,
    "reduce_prod": np.prod,
}


def _reduce(fn, x, axes, keepdims):
    """ONNX Reduce*: axes [] means every axis; negative axes count from the end."""
    axes = tuple(range(x.ndim)) if not axes else tuple(a % x.ndim for a in axes)
    v = x.astype(f64) if x.dtype.kind == "f" else x
    return np.asarray(fn(v, axis=axes, keepdims=keepdims)).astype(x.dtype)


def add_cases(s):
    s.section("reduce")
    variants = [
        ("all", [], True),
        ("all_nokeep", [], False),
        ("axis0", [0], True),
        ("axis_neg1_nokeep", [-1], False),
        ("axes02", [0, 2], True),
        ("axes_neg_nokeep", [-3, -1], False),
    ]
    for op, fn in REDUCE.items():
        for tag, axes, keep in variants:
            # reduce_prod of many values drifts in magnitude; stay near 1.
            x = s.uniform(0.5, 1.5, 2, 3, 4) if op == "reduce_prod" else s.randn(2, 3, 4)
            attrs = {}
            if axes:
                attrs["axes"] = axes
            if not keep:
                attrs["keepdims"] = False
            s.add(f"{op}_{tag}_f32", op, [x], _reduce(fn, x, axes, keep), attrs, tol=LOOSE_F32)
        x = s.randn(3, 4, dtype=f64)
        s.add(f"{op}_axis1_f64", op, [x], _reduce(fn, x, [1], True), {"axes": [1]})
        x = np.array(2.5, dtype=f32)
        s.add(f"{op}_scalar_f32", op, [x], _reduce(fn, x, [], True))
        if op != "reduce_mean":
            x = s.ints(-4, 4, 3, 4, dtype=i32)
            s.add(f"{op}_axis0_i32", op, [x], _reduce(fn, x, [0], False),
                  {"axes": [0], "keepdims": False})
            x = s.ints(-4, 4, 2, 3, dtype=i64)
            s.add(f"{op}_all_i64", op, [x], _reduce(fn, x, [], False), {"keepdims": False})
    # Empty inputs: reducing a 0-size axis gives the identity element, sum 0 and prod 1; max and
    # min of nothing (−inf/+inf only since ONNX opset 18) are rejected by Lepton's shape rule, so
    # they get no case. Reducing another axis keeps the 0-size dim.
    x = np.zeros((2, 0), dtype=f32)
    s.add("reduce_sum_empty_axis_f32", "reduce_sum", [x], np.zeros((2, 1), f32), {"axes": [1]})
    s.add("reduce_prod_empty_axis_f32", "reduce_prod", [x], np.ones((2,), f32),
          {"axes": [1], "keepdims": False})
    s.add("reduce_sum_empty_all_f32", "reduce_sum", [x], np.array(0, f32), {"keepdims": False})
    s.add("reduce_max_keep_empty_dim_f32", "reduce_max", [x], np.zeros((1, 0), f32), {"axes": [0]})
    s.add("reduce_mean_keep_empty_dim_f32", "reduce_mean", [x], np.zeros((0,), f32),
          {"axes": [0], "keepdims": False})
    _arg_cases(s)


def _arg(x, axis, keepdims, select_last, largest):
    """Index of the first (or last, with select_last) extreme element along axis, as i64."""
    axis %= x.ndim
    moved = np.moveaxis(x, axis, -1)
    best = moved.max(axis=-1, keepdims=True) if largest else moved.min(axis=-1, keepdims=True)
    hits = moved == best
    n = moved.shape[-1]
    if select_last:
        idx = n - 1 - np.argmax(hits[..., ::-1], axis=-1)
    else:
        idx = np.argmax(hits, axis=-1)  # argmax of a bool array: first True
    idx = idx.astype(i64)
    return np.expand_dims(idx, axis) if keepdims else idx


def _arg_cases(s):
    for op, largest in (("argmax", True), ("argmin", False)):
        x = s.randn(3, 4, 5)
        s.add(f"{op}_default_f32", op, [x], _arg(x, 0, True, False, largest))
        s.add(f"{op}_axis1_nokeep_f32", op, [x], _arg(x, 1, False, False, largest),
              {"axis": 1, "keepdims": False})
        s.add(f"{op}_axis_neg1_f32", op, [x], _arg(x, -1, True, False, largest), {"axis": -1})
        # Ties everywhere: first vs last occurrence.
        t = s.ints(0, 2, 4, 6, dtype=i32)
        s.add(f"{op}_ties_first_i32", op, [t], _arg(t, 1, True, False, largest), {"axis": 1})
        s.add(f"{op}_ties_last_i32", op, [t], _arg(t, 1, True, True, largest),
              {"axis": 1, "select_last_index": True})
        t = s.ints(0, 1, 5, 3, dtype=i64)
        s.add(f"{op}_ties_last_axis0_nokeep_i64", op, [t], _arg(t, 0, False, True, largest),
              {"axis": 0, "keepdims": False, "select_last_index": True})
        t = s.ints(-1, 1, 2, 5).astype(f64)
        s.add(f"{op}_ties_last_f64", op, [t], _arg(t, -1, False, True, largest),
              {"axis": -1, "keepdims": False, "select_last_index": True})
        x = s.randn(0, 3)
        s.add(f"{op}_empty_other_axis_f32", op, [x], _arg(x, 1, True, False, largest), {"axis": 1})
        x = s.randn(7)
        s.add(f"{op}_1d_nokeep_f32", op, [x], np.asarray(_arg(x, 0, False, False, largest)),
              {"keepdims": False})
