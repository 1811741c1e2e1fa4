#!/usr/bin/env python3
"""ONNX models through ONNX Runtime and Lepton side by side: outputs and timings.

Usage (build first with `swift build -c release`; needs numpy, onnx, onnxruntime; scipy for
the example models):

    python3 Tools/onnx_compare.py [--threads 2] [--runs 20] [--warmup 3] [--models a,b]
                                  [--lepton .build/release/lepton] [--keep DIR]

Models:
  - examples: the example models of graphs/ written as ONNX by Tools/onnx_models.py (opset
    20, batch dim symbolic `N`), with the very weights Lepton's initializers give them;
  - zoo: the ONNX model zoo's "light" models that ship inside the onnx wheel
    (onnx/backend/test/data/light: AlexNet, DenseNet-121, Inception v1 and v2, ResNet-50,
    ShuffleNet, SqueezeNet, VGG-19, ZFNet-512). They were exported by onnx-caffe2 at opset 9,
    with their weights produced by ConstantOfShape nodes (constant values, which would make
    every output equal and the comparison blind): each such weight becomes a seeded random
    initializer (normal / sqrt(fan-in); 1-D ones uniform in [0.5, 1.5], so batch-norm
    variances stay positive), and onnx.version_converter brings the model to opset 17
    (Lepton imports opsets 13 and later). Exporter forms they exercise: Dropout with a mask
    nobody reads, Sum, LRN, Reshape to a computed shape, Softmax on 4-D.

For each model, on one random input (standard normal, seed 1):
  - outputs: `lepton run MODEL.onnx --input NAME=x.npy --output-dir` against
    `InferenceSession.run`; the table gives the max |difference| over max |reference|;
  - timings: `lepton bench MODEL.onnx --json --skip-reference --threads T` (median of
    --runs executor runs after --warmup; importing and compiling are outside the timed runs)
    against ONNX Runtime (ORT_ENABLE_ALL, intra_op_num_threads = T, sequential; median of
    --runs `session.run` calls after --warmup). Ratio < 1: Lepton is faster. Run it with
    nothing else on the CPU (`flock /tmp/lepton-cpu.lock python3 Tools/onnx_compare.py`).
  - export (when `lepton export` exists): the imported model exported again and run in ONNX
    Runtime, which must give the same outputs (the "export → onnxruntime" round trip).
"""
import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper, version_converter

HERE = os.path.dirname(os.path.abspath(__file__))
ZOO = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "light")
EXAMPLES = ["mlp", "lenet", "resblock", "lstm", "transformer", "textclf", "cifar_cnn", "face_cnn", "mobilenet_v2"]


def example_models(directory):
    sys.path.insert(0, HERE)
    import onnx_models as om  # needs scipy (numpy_ref's erf)

    for name in EXAMPLES:
        model, _ = om.build(name)
        path = os.path.join(directory, f"{name}.onnx")
        onnx.save(model, path)
        yield name, "examples", path


def randomize_weights(model, rng):
    """Replaces ConstantOfShape weights with seeded random initializers of the same shape."""
    initializers = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    kept = []
    for node in model.graph.node:
        if node.op_type == "ConstantOfShape" and node.input[0] in initializers:
            shape = [int(d) for d in initializers[node.input[0]]]
            if len(shape) == 1:
                weight = rng.uniform(0.5, 1.5, shape)
            else:
                weight = rng.standard_normal(shape) / np.sqrt(max(int(np.prod(shape[1:])), 1))
            model.graph.initializer.append(numpy_helper.from_array(weight.astype(np.float32), node.output[0]))
        else:
            kept.append(node)
    del model.graph.node[:]
    model.graph.node.extend(kept)
    return model


def zoo_models(directory):
    for source in sorted(glob.glob(os.path.join(ZOO, "*.onnx"))):
        name = os.path.basename(source)[len("light_"):-len(".onnx")]
        model = version_converter.convert_version(onnx.load(source), 17)
        model = randomize_weights(model, np.random.default_rng(7))
        path = os.path.join(directory, f"zoo_{name}.onnx")
        onnx.save(model, path)
        yield name, "zoo (opset 9 → 17)", path


def graph_input(model):
    """The one real input (older exporters also list initializers as inputs)."""
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    assert len(inputs) == 1, f"expected one input, got {[i.name for i in inputs]}"
    return inputs[0]


def sample(info, rng):
    kind = info.type.tensor_type.elem_type
    dims = [d.dim_value if d.HasField("dim_value") else 1 for d in info.type.tensor_type.shape.dim]
    symbols = [f"{d.dim_param}=1" for d in info.type.tensor_type.shape.dim if d.HasField("dim_param")]
    if kind == onnx.TensorProto.INT64:
        return rng.integers(0, 10000, dims, dtype=np.int64), symbols
    return rng.standard_normal(dims).astype(np.float32), symbols


def ort_session(path, threads):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def median_ms(call, runs, warmup):
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e3


def lepton(binary, *arguments):
    result = subprocess.run([binary, *arguments], capture_output=True, text=True)
    return result.returncode, result.stdout, result.stderr.strip().splitlines()[-1:] or [""]


def relative_error(got, want):
    scale = max(float(np.max(np.abs(want))), 1e-30)
    return float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)))) / scale


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lepton", default=os.path.join(HERE, "..", ".build", "release", "lepton"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--models", default="", help="comma-separated names (default: all)")
    parser.add_argument("--keep", default="", help="write the .onnx files and outputs here")
    args = parser.parse_args()
    wanted = set(filter(None, args.models.split(",")))
    directory = args.keep or tempfile.mkdtemp(prefix="lepton-onnx-")
    os.makedirs(directory, exist_ok=True)
    has_export = lepton(args.lepton, "export", "--help")[0] == 0

    rows = []
    models = list(zoo_models(directory))
    try:
        models = list(example_models(directory)) + models
    except ImportError as error:  # scipy missing: the zoo models still run
        print(f"(examples skipped: {error})", file=sys.stderr)
    for name, source, path in models:
        if wanted and name not in wanted:
            continue
        model = onnx.load(path)
        info = graph_input(model)
        x, symbols = sample(info, np.random.default_rng(1))
        x_path = os.path.join(directory, f"{name}_x.npy")
        np.save(x_path, x)
        session = ort_session(path, args.threads)
        feed = {info.name: x}
        want = session.run(None, feed)[0]
        out_dir = os.path.join(directory, f"{name}_out")
        input_name = "".join(c if c.isalnum() else "_" for c in info.name).strip("_")
        input_name = "_".join(filter(None, input_name.split("_")))
        if input_name[:1].isdigit():
            input_name = "v" + input_name
        status, _, error = lepton(args.lepton, "run", path, "--input", f"{input_name}={x_path}", "--output-dir", out_dir,
                                  "--threads", str(args.threads))
        row = {"model": name, "source": source, "nodes": len(model.graph.node)}
        if status != 0:
            row["error"] = error[0]
            rows.append(row)
            continue
        got = np.load(sorted(glob.glob(os.path.join(out_dir, "*.npy")))[0])
        row["error_rel"] = relative_error(got.reshape(want.shape), want)
        bench = [args.lepton, "bench", path, "--json", "--skip-reference", "--threads", str(args.threads),
                 "--runs", str(args.runs), "--warmup", str(args.warmup)]
        for symbol in symbols:
            bench += ["--dim", symbol]
        result = subprocess.run(bench, capture_output=True, text=True)
        row["lepton_ms"] = json.loads(result.stdout)["executor"]["median_ms"] if result.returncode == 0 else float("nan")
        row["ort_ms"] = median_ms(lambda: session.run(None, feed), args.runs, args.warmup)
        if has_export:
            exported = os.path.join(directory, f"{name}_exported.onnx")
            status, _, error = lepton(args.lepton, "export", path, "-o", exported)
            if status == 0:
                again = ort_session(exported, args.threads).run(None, {input_name: x})[0]
                row["export_rel"] = relative_error(again.reshape(want.shape), want)
            else:
                row["export_rel"] = error[0]
        rows.append(row)
        print(f"{name}: done", file=sys.stderr)

    print(f"\nLepton vs ONNX Runtime {ort.__version__} (onnx {onnx.__version__}), {args.threads} threads, "
          f"median of {args.runs} runs, batch 1\n")
    header = "| model | source | ONNX nodes | max rel. error | Lepton ms | ORT ms | Lepton / ORT |"
    if has_export:
        header += " export → ORT rel. error |"
    print(header)
    print("|" + "|".join(["---"] * (header.count("|") - 1)) + "|")
    for row in rows:
        if "error" in row:
            print(f"| {row['model']} | {row['source']} | {row['nodes']} | not imported: {row['error']} |||||")
            continue
        line = (f"| {row['model']} | {row['source']} | {row['nodes']} | {row['error_rel']:.1e} | {row['lepton_ms']:.2f} | "
                f"{row['ort_ms']:.2f} | {row['lepton_ms'] / row['ort_ms']:.2f} |")
        if has_export:
            value = row.get("export_rel", "")
            line += f" {value:.1e} |" if isinstance(value, float) else f" {value} |"
        print(line)


if __name__ == "__main__":
    main()
