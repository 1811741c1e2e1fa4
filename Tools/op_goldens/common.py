"""Case collection and fixture writing shared by every cases_*.py module.

A `Suite` gathers cases (name, op, attributes, input and output arrays, tolerances) and writes
them as `<root>/<case>/in<i>.npy`, `out<i>.npy` plus one `cases.json` manifest.
"""

import json
import os
import shutil
import zlib

import numpy as np

SEED = 20240611

# The dtypes Lepton tensors can hold, by their `.graph` spelling.
DTYPE_NAMES = {
    np.dtype(np.float32): "f32",
    np.dtype(np.float64): "f64",
    np.dtype(np.int32): "i32",
    np.dtype(np.int64): "i64",
    np.dtype(np.bool_): "bool",
}

f32, f64, i32, i64, b8 = np.float32, np.float64, np.int32, np.int64, np.bool_

# Default tolerances by output dtype. Oracles compute in float64 and round once, so an f32
# kernel that rounds at every step may differ by some ulps; accumulating ops pass looser ones.
TOLERANCE = {"f32": (1e-5, 1e-6), "f64": (1e-10, 1e-12), "i32": (0, 0), "i64": (0, 0), "bool": (0, 0)}
LOOSE_F32 = (1e-4, 1e-5)


def dtype_name(array):
    name = DTYPE_NAMES.get(array.dtype)
    if name is None:
        raise TypeError(f"unsupported dtype {array.dtype}")
    return name


class Suite:
    """Collects golden cases; `section` reseeds so each module's data is independent of others."""

    def __init__(self):
        self.cases = []
        self.rng = np.random.default_rng(SEED)

    def section(self, name):
        self.rng = np.random.default_rng([SEED, zlib.crc32(name.encode())])

    # Random data helpers (all draw from the current section's stream).
    def randn(self, *shape, dtype=f32, scale=1.0):
        return (self.rng.standard_normal(shape) * scale).astype(dtype)

    def uniform(self, low, high, *shape, dtype=f32):
        return self.rng.uniform(low, high, shape).astype(dtype)

    def ints(self, low, high, *shape, dtype=i64):
        return self.rng.integers(low, high, shape, endpoint=True).astype(dtype)

    def bools(self, *shape):
        return self.rng.random(shape) < 0.5

    def add(self, name, op, inputs, outputs, attrs=None, tol=None, files=None):
        """Records one case. `tol` is (rtol, atol) for floating outputs; `files` maps extra
        fixture file names (attribute values such as a constant's tensor) to arrays."""
        if any(c["name"] == name for c in self.cases):
            raise ValueError(f"duplicate case {name}")
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        inputs = [np.asarray(a) for a in inputs]
        outputs = [np.asarray(a) for a in outputs]
        for a in inputs + outputs:
            dtype_name(a)
        names = {dtype_name(o) for o in outputs}
        floating = sorted(n for n in names if n in ("f32", "f64"))
        rtol, atol = tol or (TOLERANCE[floating[0]] if floating else (0, 0))
        self.cases.append({
            "name": name, "op": op, "attributes": attrs or {},
            "inputs": inputs, "outputs": outputs, "rtol": rtol, "atol": atol,
            "files": files or {},
        })

    def write(self, root):
        """Replaces `root` with the fixtures of every recorded case."""
        if os.path.isdir(root):
            shutil.rmtree(root)
        os.makedirs(root)
        manifest = []
        for case in self.cases:
            folder = os.path.join(root, case["name"])
            os.makedirs(folder)
            arrays = {f"in{i}.npy": a for i, a in enumerate(case["inputs"])}
            arrays.update({f"out{i}.npy": a for i, a in enumerate(case["outputs"])})
            arrays.update(case["files"])
            for file, array in arrays.items():
                # C order, little-endian, never pickled: what the Swift reader accepts.
                array = np.array(array, order="C", copy=True)
                np.save(os.path.join(folder, file), array, allow_pickle=False)
            manifest.append({
                "name": case["name"], "op": case["op"], "attributes": case["attributes"],
                "inputs": len(case["inputs"]), "outputs": len(case["outputs"]),
                "rtol": case["rtol"], "atol": case["atol"],
            })
        with open(os.path.join(root, "cases.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
