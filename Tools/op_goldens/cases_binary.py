"""Elementwise binary ops with numpy broadcasting, comparisons, logic and `where`."""

import numpy as np

from .common import b8, f32, f64, i32, i64

ARITH = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "max": np.maximum,
    "min": np.minimum,
}
COMPARE = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
           "gt": np.greater, "ge": np.greater_equal}
LOGIC = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}

# (suffix, shape of x, shape of y): plain, both-ways broadcasting, scalar and empty operands.
SHAPES = [
    ("", (2, 3), (2, 3)),
    ("_bcast", (2, 1, 4), (3, 1)),
    ("_scalar", (), (3, 2)),
    ("_empty", (0, 3), (1, 3)),
]


def _int_div(x, y):
    """Integer division truncating toward zero (C and ONNX semantics, not numpy's floor)."""
    q = np.abs(x) // np.abs(y)
    return (np.sign(x) * np.sign(y) * q).astype(x.dtype)


def _values(s, dtype, shape, nonzero=False):
    if np.issubdtype(dtype, np.floating):
        v = s.uniform(-4, 4, *shape, dtype=dtype)
        return np.where(np.abs(v) < 0.25, dtype(1.5), v).astype(dtype) if nonzero else v
    v = s.ints(-20, 20, *shape, dtype=dtype)
    return np.where(v == 0, dtype(3), v).astype(dtype) if nonzero else v


def _compute(fn, x, y):
    """Applies fn in float64 for floats (rounding once), natively for ints."""
    if np.issubdtype(x.dtype, np.floating):
        with np.errstate(all="ignore"):
            return fn(x.astype(f64), y.astype(f64)).astype(x.dtype)
    return fn(x, y).astype(x.dtype)


def add_cases(s):
    s.section("binary")
    for op, fn in ARITH.items():
        for dtype, tag in ((f32, "f32"), (i64, "i64")):
            for suffix, xs, ys in SHAPES:
                x, y = _values(s, dtype, xs), _values(s, dtype, ys)
                s.add(f"{op}{suffix}_{tag}", op, [x, y], _compute(fn, x, y))
        for dtype, tag in ((f64, "f64"), (i32, "i32")):
            x, y = _values(s, dtype, (3, 1)), _values(s, dtype, (4,))
            s.add(f"{op}_bcast_{tag}", op, [x, y], _compute(fn, x, y))
    _division(s)
    _pow(s)
    _comparisons(s)
    _logic(s)
    _where(s)


def _division(s):
    for dtype, tag in ((f32, "f32"), (f64, "f64")):
        for suffix, xs, ys in SHAPES:
            x, y = _values(s, dtype, xs), _values(s, dtype, ys, nonzero=True)
            s.add(f"div{suffix}_{tag}", "div", [x, y], _compute(np.divide, x, y))
    x = np.array([1.0, -1.0, 0.0, 3.0], dtype=f32)
    y = np.array([0.0, 0.0, 0.0, np.inf], dtype=f32)
    s.add("div_special_f32", "div", [x, y], _compute(np.divide, x, y))
    # Integer division truncates toward zero: -7 / 2 = -3 (numpy's // would give -4).
    x = np.array([7, -7, 7, -7, 6, 0, 1, -1], dtype=i32)
    y = np.array([2, 2, -2, -2, 3, 5, 4, 4], dtype=i32)
    s.add("div_trunc_i32", "div", [x, y], _int_div(x, y))
    x, y = _values(s, i64, (3, 4)), _values(s, i64, (4,), nonzero=True)
    s.add("div_bcast_i64", "div", [x, y], _int_div(x, y))


def _pow(s):
    x, y = s.uniform(0.1, 3, 2, 3), s.uniform(-2, 2, 2, 3)
    s.add("pow_f32", "pow", [x, y], _compute(np.power, x, y))
    x, y = s.uniform(0.1, 3, 3, 1, dtype=f64), s.uniform(-2, 2, 4, dtype=f64)
    s.add("pow_bcast_f64", "pow", [x, y], _compute(np.power, x, y))
    # A negative base with integral exponents is defined; 0^-1 is inf; a scalar exponent.
    x = np.array([-2.0, -2.0, -3.0, 0.0, 0.0, 4.0], dtype=f32)
    y = np.array([3.0, 2.0, -1.0, -1.0, 0.0, 0.5], dtype=f32)
    s.add("pow_special_f32", "pow", [x, y], _compute(np.power, x, y))
    x, y = s.uniform(0.5, 2, 5), np.array(2.0, dtype=f32)
    s.add("pow_scalar_exponent_f32", "pow", [x, y], _compute(np.power, x, y))
    x = np.array([2, -3, 5, 0, 1], dtype=i64)
    y = np.array([10, 3, 0, 4, 7], dtype=i64)
    s.add("pow_i64", "pow", [x, y], np.power(x, y))


def _comparisons(s):
    for op, fn in COMPARE.items():
        # Few distinct values so equal pairs occur.
        x = s.ints(-2, 2, 2, 1, 3).astype(f32)
        y = s.ints(-2, 2, 4, 1).astype(f32)
        s.add(f"{op}_bcast_f32", op, [x, y], fn(x, y))
        x, y = s.ints(-2, 2, 6, dtype=i32), s.ints(-2, 2, 6, dtype=i32)
        s.add(f"{op}_i32", op, [x, y], fn(x, y))
        x, y = s.ints(-2, 2, 3, 2, dtype=i64), np.array(0, dtype=i64)
        s.add(f"{op}_scalar_i64", op, [x, y], fn(x, y))
    x = np.array([0.0, -0.0, np.inf, np.nan, 1.0], dtype=f64)
    y = np.array([-0.0, 0.0, np.inf, np.nan, np.nan], dtype=f64)
    s.add("eq_special_f64", "eq", [x, y], np.equal(x, y))
    s.add("ne_special_f64", "ne", [x, y], np.not_equal(x, y))
    s.add("lt_special_f64", "lt", [x, y], np.less(x, y))
    x, y = s.bools(2, 3), s.bools(3)
    s.add("eq_bool", "eq", [x, y], np.equal(x, y))
    s.add("ne_bool", "ne", [x, y], np.not_equal(x, y))
    x, y = s.randn(0, 2), s.randn(2)
    s.add("gt_empty_f32", "gt", [x, y], np.greater(x, y))


def _logic(s):
    for op, fn in LOGIC.items():
        x, y = s.bools(2, 3), s.bools(2, 3)
        s.add(f"{op}_bool", op, [x, y], fn(x, y))
        x, y = s.bools(3, 1), s.bools(1, 4)
        s.add(f"{op}_bcast_bool", op, [x, y], fn(x, y))
    x = s.bools(2, 4)
    s.add("not_bool", "not", [x], np.logical_not(x))
    x = np.array(True)
    s.add("not_scalar_bool", "not", [x], np.array(False))
    x = np.zeros((0,), dtype=b8)
    s.add("not_empty_bool", "not", [x], x.copy())


def _where(s):
    c, x, y = s.bools(2, 3), s.randn(2, 3), s.randn(2, 3)
    s.add("where_f32", "where", [c, x, y], np.where(c, x, y))
    c, x, y = s.bools(3, 1), s.randn(1, 4, dtype=f64), s.randn(3, 4, dtype=f64)
    s.add("where_bcast_f64", "where", [c, x, y], np.where(c, x, y))
    c, x, y = s.bools(4), s.ints(-9, 9, 2, 4, dtype=i64), np.array(-1, dtype=i64)
    s.add("where_bcast_scalar_i64", "where", [c, x, y], np.where(c, x, y))
    c, x, y = s.bools(2, 2), s.ints(-9, 9, 2, 2, dtype=i32), s.ints(-9, 9, 2, 2, dtype=i32)
    s.add("where_i32", "where", [c, x, y], np.where(c, x, y))
    c, x, y = np.array(True), s.bools(3), s.bools(3)
    s.add("where_scalar_cond_bool", "where", [c, x, y], np.where(c, x, y))
    c, x, y = s.bools(3, 1), s.randn(1, 4), np.array(0.5, dtype=f32)
    s.add("where_bcast_three_ways_f32", "where", [c, x, y], np.where(c, x, y))
    c, x, y = s.bools(0, 2), s.randn(2), s.randn(1, 2)
    s.add("where_empty_f32", "where", [c, x, y], np.where(c, x, y))
