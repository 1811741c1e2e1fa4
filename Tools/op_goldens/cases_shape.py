"""Shape and data-movement cases: reshape … tile, and constant."""

import numpy as np

from . import oracles_shape as sh
from .common import b8, f32, f64, i32, i64

INT32_MAX, INT32_MIN = 2**31 - 1, -(2**31)


def add_cases(s):
    s.section("shape")
    _reshape_family(s)
    _transpose(s)
    _concat_split(s)
    _slice(s)
    _gather(s)
    _expand_tile(s)
    _pad(s)
    _constant(s)


def _reshape_family(s):
    x = s.randn(2, 3, 4)
    for tag, shape in (("plain", [4, 6]), ("infer", [-1, 4]), ("copy_dim", [0, -1]),
                       ("copy_two", [0, 0, 2, 2]), ("flat", [-1]), ("unit_dims", [1, 24, 1])):
        s.add(f"reshape_{tag}_f32", "reshape", [x], sh.reshape(x, shape), {"shape": shape})
    x = s.ints(0, 9, 1, 1, dtype=i64)
    s.add("reshape_to_scalar_i64", "reshape", [x], sh.reshape(x, []), {"shape": []})
    x = np.array(True)
    s.add("reshape_from_scalar_bool", "reshape", [x], sh.reshape(x, [1, 1]), {"shape": [1, 1]})
    # 0 copies the input dim (ONNX allowzero=0), so a literal 0-size dim comes from a copy.
    x = s.randn(2, 0, 3)
    s.add("reshape_empty_f32", "reshape", [x], sh.reshape(x, [0, 0]), {"shape": [0, 0]})
    s.add("reshape_empty_copy_dim_f32", "reshape", [x], sh.reshape(x, [3, 0, 2]),
          {"shape": [3, 0, 2]})

    x = s.randn(2, 3, 4, 5)
    for axis in (0, 1, 2, 4, -1, -3):
        s.add(f"flatten_axis{axis}_f32".replace("-", "neg"), "flatten", [x], sh.flatten(x, axis),
              {} if axis == 1 else {"axis": axis})
    x = s.ints(0, 5, 3, 2, dtype=i32)
    s.add("flatten_i32", "flatten", [x], sh.flatten(x, 1))
    x = s.randn(2, 0, 3)
    s.add("flatten_empty_f32", "flatten", [x], sh.flatten(x, 2), {"axis": 2})

    x = s.randn(1, 3, 1, 2, 1)
    s.add("squeeze_all_f32", "squeeze", [x], sh.squeeze(x, []))
    s.add("squeeze_axis0_f32", "squeeze", [x], sh.squeeze(x, [0]), {"axes": [0]})
    s.add("squeeze_neg_axes_f32", "squeeze", [x], sh.squeeze(x, [-1, 2]), {"axes": [-1, 2]})
    x = s.bools(1, 1)
    s.add("squeeze_to_scalar_bool", "squeeze", [x], sh.squeeze(x, []))
    x = s.randn(0, 1)
    s.add("squeeze_empty_f32", "squeeze", [x], sh.squeeze(x, [1]), {"axes": [1]})

    x = s.randn(3, 4)
    for tag, axes in (("front", [0]), ("back", [-1]), ("middle", [1]), ("two", [0, 3]),
                      ("two_neg", [-1, 1]), ("unsorted", [3, 0])):
        s.add(f"unsqueeze_{tag}_f32", "unsqueeze", [x], sh.unsqueeze(x, axes), {"axes": axes})
    x = np.array(7, dtype=i64)
    s.add("unsqueeze_scalar_i64", "unsqueeze", [x], sh.unsqueeze(x, [0]), {"axes": [0]})
    s.add("unsqueeze_scalar_two_neg_i64", "unsqueeze", [x], sh.unsqueeze(x, [-1, -2]),
          {"axes": [-1, -2]})


def _transpose(s):
    x = s.randn(2, 3, 4)
    s.add("transpose_reverse_f32", "transpose", [x], np.transpose(x))
    s.add("transpose_perm_f32", "transpose", [x], np.transpose(x, (1, 2, 0)), {"perm": [1, 2, 0]})
    x = s.randn(2, 3)
    s.add("transpose_2d_f32", "transpose", [x], x.T, {"perm": [1, 0]})
    x = s.randn(2, 1, 3, 2, dtype=f64)
    s.add("transpose_nchw_nhwc_f64", "transpose", [x], np.transpose(x, (0, 2, 3, 1)),
          {"perm": [0, 2, 3, 1]})
    x = s.bools(2, 3)
    s.add("transpose_bool", "transpose", [x], x.T)
    x = s.ints(0, 9, 3, 0, 2, dtype=i64)
    s.add("transpose_empty_i64", "transpose", [x], np.transpose(x, (2, 0, 1)), {"perm": [2, 0, 1]})


def _concat_split(s):
    a, b, c = s.randn(2, 3), s.randn(1, 3), s.randn(3, 3)
    s.add("concat_axis0_f32", "concat", [a, b, c], np.concatenate([a, b, c], 0), {"axis": 0})
    a, b = s.randn(2, 3, 1), s.randn(2, 3, 2)
    s.add("concat_neg_axis_f32", "concat", [a, b], np.concatenate([a, b], -1), {"axis": -1})
    a, b = s.ints(0, 9, 2, 2, dtype=i64), s.ints(0, 9, 2, 1, dtype=i64)
    s.add("concat_axis1_i64", "concat", [a, b], np.concatenate([a, b], 1), {"axis": 1})
    a, b = s.bools(1, 2), s.bools(2, 2)
    s.add("concat_bool", "concat", [a, b], np.concatenate([a, b], 0), {"axis": 0})
    a, b = s.randn(2, 0), s.randn(2, 3)
    s.add("concat_empty_part_f32", "concat", [a, b], np.concatenate([a, b], 1), {"axis": 1})
    a = s.randn(4, dtype=f64)
    s.add("concat_single_f64", "concat", [a], a.copy(), {"axis": 0})

    x = s.randn(6, 4)
    s.add("split_sizes_f32", "split", [x], sh.split(x, 0, sizes=[1, 2, 3]), {"sizes": [1, 2, 3]})
    s.add("split_parts_f32", "split", [x], sh.split(x, 0, parts=3), {"parts": 3})
    s.add("split_parts_neg_axis_f32", "split", [x], sh.split(x, 1, parts=2),
          {"axis": -1, "parts": 2})
    s.add("split_sizes_with_zero_f32", "split", [x], sh.split(x, 1, sizes=[3, 0, 1]),
          {"axis": 1, "sizes": [3, 0, 1]})
    # `parts` are equal pieces (ONNX Split-13 style); Split-18's smaller last chunk is not Lepton's.
    x = s.ints(0, 9, 2, 6, dtype=i32)
    s.add("split_parts_i32", "split", [x], sh.split(x, 1, parts=3), {"axis": 1, "parts": 3})
    x = s.randn(3, 2)
    s.add("split_default_one_per_element_f32", "split", [x], sh.split(x, 0, sizes=[1, 1, 1]))
    x = s.bools(4)
    s.add("split_parts1_bool", "split", [x], sh.split(x, 0, parts=1), {"parts": 1})


def _slice(s):
    x = s.randn(5, 6)
    cases = {
        "plain": dict(starts=[1, 2], ends=[4, 5]),
        "axes_subset": dict(starts=[2], ends=[5], axes=[1]),
        "neg_axis": dict(starts=[1], ends=[-1], axes=[-2]),
        "neg_indices": dict(starts=[-3, -4], ends=[-1, 6]),
        "clamp_ends": dict(starts=[2, -100], ends=[1000, 100], axes=[0, 1]),
        "int32_max_end": dict(starts=[1], ends=[INT32_MAX], axes=[1]),
        "steps": dict(starts=[0, 1], ends=[5, 6], axes=[0, 1], steps=[2, 3]),
        "neg_step": dict(starts=[4], ends=[0], axes=[0], steps=[-1]),
        "neg_step_to_start": dict(starts=[-1], ends=[-1000], axes=[1], steps=[-2]),
        "neg_step_int32_min": dict(starts=[INT32_MAX], ends=[INT32_MIN], axes=[0], steps=[-3]),
        "empty_result": dict(starts=[3], ends=[2], axes=[0]),
        "empty_neg_step": dict(starts=[1], ends=[4], axes=[1], steps=[-1]),
        "unordered_axes": dict(starts=[1, 0], ends=[3, 2], axes=[1, 0]),
    }
    for tag, kw in cases.items():
        attrs = {k: v for k, v in kw.items()}
        s.add(f"slice_{tag}_f32", "slice", [x], sh.slice_(x, **kw), attrs)
    x = s.ints(0, 9, 2, 3, 4, dtype=i64)
    kw = dict(starts=[-1, 0], ends=[-5, 4], axes=[-1, 0], steps=[-2, 1])
    s.add("slice_3d_i64", "slice", [x], sh.slice_(x, **kw), kw)
    x = s.bools(4)
    s.add("slice_bool", "slice", [x], sh.slice_(x, [1], [3]), {"starts": [1], "ends": [3]})
    x = s.randn(0, 3)
    kw = dict(starts=[0], ends=[2], axes=[1])
    s.add("slice_empty_input_f32", "slice", [x], sh.slice_(x, **kw), kw)


def _gather(s):
    table = s.randn(5, 3)
    idx = np.array([[0, 4], [2, 2], [1, 0]], dtype=i64)
    s.add("gather_embedding_i64", "gather", [table, idx], sh.gather(table, idx, 0))
    idx = np.array([3, -1, -5, 0], dtype=i32)
    s.add("gather_neg_indices_i32", "gather", [table, idx], sh.gather(table, idx, 0))
    data = s.randn(2, 4, 3, dtype=f64)
    idx = np.array([[3, 1]], dtype=i64)
    s.add("gather_axis1_f64", "gather", [data, idx], sh.gather(data, idx, 1), {"axis": 1})
    idx = np.array([2, 0], dtype=i32)
    s.add("gather_axis_neg1_f64", "gather", [data, idx], sh.gather(data, idx, -1), {"axis": -1})
    idx = np.array(2, dtype=i64)
    s.add("gather_scalar_index_f32", "gather", [table, idx], sh.gather(table, idx, 0))
    idx = np.array(-1, dtype=i64)
    s.add("gather_scalar_index_axis1_f32", "gather", [table, idx], sh.gather(table, idx, 1),
          {"axis": 1})
    idx = np.zeros((0,), dtype=i64)
    s.add("gather_empty_indices_f32", "gather", [table, idx], sh.gather(table, idx, 0))
    data = s.ints(0, 100, 4, dtype=i32)
    idx = np.array([[1, 1], [3, 0]], dtype=i64)
    s.add("gather_i32_data", "gather", [data, idx], sh.gather(data, idx, 0))
    data = s.bools(3, 2)
    idx = np.array([1], dtype=i64)
    s.add("gather_bool_data", "gather", [data, idx], sh.gather(data, idx, 1), {"axis": 1})


def _expand_tile(s):
    x = s.randn(3, 1)
    s.add("expand_grow_rank_f32", "expand", [x], sh.expand(x, [2, 3, 4]), {"shape": [2, 3, 4]})
    s.add("expand_shape_smaller_f32", "expand", [x], sh.expand(x, [1]), {"shape": [1]})
    s.add("expand_both_ways_f32", "expand", [x], sh.expand(x, [1, 5]), {"shape": [1, 5]})
    x = s.ints(0, 9, 1, 3, dtype=i64)
    s.add("expand_ones_in_shape_i64", "expand", [x], sh.expand(x, [4, 1]), {"shape": [4, 1]})
    x = np.array(1.5, dtype=f64)
    s.add("expand_scalar_f64", "expand", [x], sh.expand(x, [2, 2]), {"shape": [2, 2]})
    x = s.bools(2, 1)
    s.add("expand_bool", "expand", [x], sh.expand(x, [2, 3]), {"shape": [2, 3]})
    x = s.randn(1, 2)
    s.add("expand_to_empty_f32", "expand", [x], sh.expand(x, [0, 1]), {"shape": [0, 1]})

    x = s.randn(2, 3)
    for tag, reps in (("2d", [2, 3]), ("ones", [1, 1]), ("rows", [3, 1]), ("zero", [0, 2])):
        s.add(f"tile_{tag}_f32", "tile", [x], np.tile(x, reps), {"repeats": reps})
    x = s.randn(0, 2)
    s.add("tile_empty_input_f32", "tile", [x], np.tile(x, [3, 2]), {"repeats": [3, 2]})
    x = s.ints(0, 9, 2, dtype=i32)
    s.add("tile_1d_i32", "tile", [x], np.tile(x, [3]), {"repeats": [3]})
    x = s.bools(1, 2, 1)
    s.add("tile_3d_bool", "tile", [x], np.tile(x, [2, 1, 2]), {"repeats": [2, 1, 2]})


def _pad(s):
    x = s.randn(3, 4)
    cases = {
        "constant": dict(pads=[1, 2, 0, 1]),
        "constant_value": dict(pads=[0, 1, 2, 0], value=-2.5),
        "reflect": dict(pads=[2, 1, 1, 3], mode="reflect"),
        "edge": dict(pads=[2, 0, 1, 3], mode="edge"),
        "zero": dict(pads=[0, 0, 0, 0], mode="reflect"),
        "negative_crop": dict(pads=[-1, 1, 0, -2]),
    }
    for tag, kw in cases.items():
        s.add(f"pad_{tag}_f32", "pad", [x], sh.pad(x, **kw), kw)
    kw = dict(pads=[2, 3, 2, 3], mode="reflect")
    s.add("pad_reflect_max_width_f32", "pad", [x], sh.pad(x, **kw), kw)
    x = s.randn(1, 2, 3, 3, dtype=f64)
    kw = dict(pads=[0, 0, 1, 2, 0, 0, 2, 1], mode="reflect")
    s.add("pad_reflect_nchw_f64", "pad", [x], sh.pad(x, **kw), kw)
    kw = dict(pads=[0, 1, 1, 1, 0, 0, 1, 0], mode="edge")
    s.add("pad_edge_nchw_f64", "pad", [x], sh.pad(x, **kw), kw)
    x = s.ints(0, 9, 2, 3, dtype=i64)
    kw = dict(pads=[1, 1, 1, 1], value=7.0)
    s.add("pad_constant_i64", "pad", [x], sh.pad(x, **kw), kw)
    x = s.ints(0, 9, 3, dtype=i32)
    kw = dict(pads=[2, 2], mode="edge")
    s.add("pad_edge_i32", "pad", [x], sh.pad(x, **kw), kw)
    x = s.bools(2)
    kw = dict(pads=[1, 0])
    s.add("pad_constant_bool", "pad", [x], sh.pad(x, **kw), kw)
    x = s.randn(0, 2)
    kw = dict(pads=[1, 0, 1, 1], value=1.0)
    s.add("pad_empty_input_f32", "pad", [x], sh.pad(x, **kw), kw)


def _constant(s):
    for tag, value in (("f32", s.randn(2, 3)), ("scalar_f64", np.array(0.25, dtype=f64)),
                       ("i64", s.ints(-5, 5, 4, dtype=i64)), ("bool", s.bools(2, 2)),
                       ("i32_empty", np.zeros((0, 2), dtype=i32))):
        dtype = {f32: "f32", f64: "f64", i32: "i32", i64: "i64", b8: "bool"}[value.dtype.type]
        s.add(f"constant_{tag}", "constant", [], value.copy(),
              {"value": "value.npy", "dtype": dtype}, files={"value.npy": value})
