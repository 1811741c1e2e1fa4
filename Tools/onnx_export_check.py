#!/usr/bin/env python3
"""Checks `lepton export` against onnxruntime: for each graph, export it, run the .onnx with
onnxruntime and the graph with `lepton run` on the same inputs, and print a table of the
largest differences.

    Tools/onnx_export_check.py                      # every example in graphs/ and the export fixtures
    Tools/onnx_export_check.py graphs/mlp.graph     # just these
    Tools/onnx_export_check.py --lepton .build/debug/lepton --dim 1 --levels O0
    Tools/onnx_export_check.py --opset 20 Tests/LeptonTests/Fixtures/onnx_export/every_op.graph

Inputs are seeded: floats uniform in [-2, 2), ints in [0, 5) (valid token ids and gather
indices for every example), bools by a coin flip; every symbolic dim takes --dim (default 2).
Lepton runs at each of --levels (default O0, the reference interpreter, and O2, the optimized
executor). Per graph the table gives the worst output's max |lepton - ort| divided by the
largest |ort| of that output ("rel"), the same without the division ("abs"), and whether
integer and bool outputs agree exactly. A graph that cannot be exported at --opset is skipped
with lepton's reason.

Needs numpy, onnx and onnxruntime, and a built lepton (default .build/release/lepton: build it
with `swift build -c release`). Exits 1 when any relative difference exceeds --tolerance.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMPY_TYPES = {
    onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.DOUBLE: np.float64,
    onnx.TensorProto.INT32: np.int32, onnx.TensorProto.INT64: np.int64, onnx.TensorProto.BOOL: np.bool_,
}


def default_graphs():
    examples = sorted(glob.glob(os.path.join(ROOT, "graphs", "*.graph")))
    fixtures = sorted(glob.glob(os.path.join(ROOT, "Tests", "LeptonTests", "Fixtures", "onnx_export", "*.graph")))
    return examples + fixtures


def make_inputs(model, dim, seed):
    """One seeded array per graph input, shaped and typed as the exported model declares."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for info in model.graph.input:
        tensor = info.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else dim for d in tensor.shape.dim]
        dtype = NUMPY_TYPES[tensor.elem_type]
        if dtype in (np.float32, np.float64):
            arrays[info.name] = rng.uniform(-2, 2, shape).astype(dtype)
        elif dtype == np.bool_:
            arrays[info.name] = rng.integers(0, 2, shape).astype(np.bool_)
        else:
            arrays[info.name] = rng.integers(0, 5, shape).astype(dtype)
    return arrays


def run_lepton(lepton, graph, inputs, level, directory):
    out = os.path.join(directory, "out_" + level)
    arguments = [lepton, "run", graph, "-" + level, "--output-dir", out]
    for name, array in inputs.items():
        path = os.path.join(directory, name + ".npy")
        np.save(path, array)
        arguments += ["--input", f"{name}={path}"]
    subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)
    return out


def compare(onnx_outputs, names, lepton_dir):
    """The worst (rel, abs) float difference over the outputs, and whether the rest are exact."""
    worst_rel, worst_abs, exact = 0.0, 0.0, True
    for name, expected in zip(names, onnx_outputs):
        actual = np.load(os.path.join(lepton_dir, name + ".npy"))
        if actual.shape != expected.shape:
            raise SystemExit(f"{name}: lepton shape {actual.shape}, onnxruntime {expected.shape}")
        if expected.dtype.kind == "f":
            diff = float(np.max(np.abs(actual.astype(np.float64) - expected), initial=0))
            scale = float(np.max(np.abs(expected), initial=0))
            worst_abs = max(worst_abs, diff)
            worst_rel = max(worst_rel, diff / scale if scale > 0 else diff)
        else:
            exact = exact and bool(np.array_equal(actual, expected))
    return worst_rel, worst_abs, exact


def check(graph, arguments, directory):
    model_path = os.path.join(directory, "model.onnx")
    opset = ["--opset", str(arguments.opset)] if arguments.opset else []
    export = subprocess.run([arguments.lepton, "export", graph, "-o", model_path] + opset, capture_output=True, text=True)
    if export.returncode != 0:  # e.g. gelu at --opset 17: skipped, with lepton's reason
        return [os.path.relpath(graph, ROOT), "skipped: " + export.stderr.split("\n")[0].split("error: ")[-1]], None
    model = onnx.load(model_path)
    onnx.checker.check_model(model, full_check=True)
    inputs = make_inputs(model, arguments.dim, arguments.seed)
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    expected = session.run(names, inputs)
    row = [os.path.relpath(graph, ROOT), str(model.opset_import[0].version), str(len(model.graph.node))]
    failed = False
    for level in arguments.levels.split(","):
        rel, abs_, exact = compare(expected, names, run_lepton(arguments.lepton, graph, inputs, level, directory))
        row += [f"{rel:.2e}", f"{abs_:.2e}", "yes" if exact else "NO"]
        failed = failed or rel > arguments.tolerance or not exact
    return row, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graphs", nargs="*", help="graph files (default: the examples and the export fixtures)")
    parser.add_argument("--lepton", default=os.path.join(ROOT, ".build", "release", "lepton"))
    parser.add_argument("--dim", type=int, default=2, help="size of every symbolic dim (default 2)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--opset", type=int, help="export at this opset (default: lepton's choice)")
    parser.add_argument("--levels", default="O0,O2", help="lepton -O levels to compare (default O0,O2)")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest acceptable rel (default 1e-4)")
    arguments = parser.parse_args()
    levels = arguments.levels.split(",")
    header = ["graph", "opset", "nodes"] + [f"{h} -{level}" for level in levels for h in ("rel", "abs", "exact")]
    rows, failures, skipped = [], 0, 0
    for graph in arguments.graphs or default_graphs():
        with tempfile.TemporaryDirectory() as directory:
            row, failed = check(os.path.abspath(graph), arguments, directory)
        rows.append(row)
        failures += bool(failed)
        skipped += failed is None
        print("  ".join(row), file=sys.stderr, flush=True)
    widths = [max(len(r[k]) for r in [header] + rows if k < len(r)) for k in range(len(header))]
    for r in [header, ["-" * w for w in widths]] + rows:
        cells = [cell.ljust(w) for cell, w in zip(r, widths)] if len(r) == len(header) else [r[0].ljust(widths[0]), r[1]]
        print("| " + " | ".join(cells) + " |")
    print(f"{len(rows) - failures - skipped} passed, {failures} failed, {skipped} skipped")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
