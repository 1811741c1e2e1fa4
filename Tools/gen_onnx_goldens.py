#!/usr/bin/env python3
"""Generates the goldens that check Lepton's ONNX importer, op by op, against ONNX Runtime.

The cases are not written here: Tests/LeptonTests/Fixtures/onnx_ops/cases.json is the one list,
read both by this script and by Tests/LeptonTests/ONNXOpTests.swift, which builds the same
models with Lepton's own ONNX encoder (so Python never runs during `swift test`). For each case
this script

  1. draws the case's random inputs, from a numpy RNG seeded with the case name (reruns write
     identical files),
  2. builds the model with onnx.helper and checks it (onnx.checker with full shape inference),
  3. runs it on ONNX Runtime's CPU provider with graph optimizations off (the op definitions,
     not ORT's fused rewrites, are the oracle),
  4. writes <case>.npz beside cases.json: each random input under its own name and the k-th
     graph output under "y<k>".

Cases with an "error" are models Lepton refuses on purpose: they are only checked, and their
.npz holds the inputs alone. Files of cases no longer listed are deleted.

Run from anywhere after editing cases.json (needs numpy, onnx and onnxruntime):

    python3 Tools/gen_onnx_goldens.py

A case (keys beyond these are an error, so a typo cannot silently do nothing):

  name        unique; also the .npz file name
  op          a one-node model: the node reads the listed inputs in order (an input named ""
              is an omitted optional input) and writes outputs y0, y1, ...
  nodes       instead of op, a small graph: [{op, inputs, outputs, attributes}], in order,
              writing the graph outputs y0, y1, ...; inputs then lists graph inputs and
              initializers only
  opset       default-domain opset, 17 when absent
  attributes  {name: {kind: value}}, kind one of int, float, ints, floats, string, strings,
              tensor ({dtype, shape, values})
  inputs      [{name, dtype (default float), shape, ...}] where
                values: [...]    a constant initializer holding these values
                constant: true   a constant initializer of random values (stored in the .npz)
                (neither)        a graph input of random values
                dims: [...]      graph input dim names, null for a fixed dim ("N": symbolic)
                low, high        the random range (floats: [low, high); integers: low..high-1)
  outputs     how many graph outputs (default 1)
  rtol, atol  float tolerance over the default 1e-5 / 1e-6
  error       part of the message Lepton's importer must refuse the model with
  note        why the case exists
"""

import json
import os
import zlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import AttributeProto, TensorProto, helper, numpy_helper

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "Tests", "LeptonTests", "Fixtures", "onnx_ops")
DEFAULT_OPSET = 17

DTYPES = {
    "float": (np.float32, TensorProto.FLOAT),
    "double": (np.float64, TensorProto.DOUBLE),
    "int32": (np.int32, TensorProto.INT32),
    "int64": (np.int64, TensorProto.INT64),
    "bool": (np.bool_, TensorProto.BOOL),
}
CASE_KEYS = {"name", "op", "nodes", "opset", "attributes", "inputs", "outputs", "rtol", "atol", "error", "note"}
INPUT_KEYS = {"name", "dtype", "shape", "values", "constant", "dims", "low", "high"}
NODE_KEYS = {"op", "inputs", "outputs", "attributes"}
ATTRIBUTE_KINDS = {
    "int": AttributeProto.INT, "float": AttributeProto.FLOAT, "ints": AttributeProto.INTS,
    "floats": AttributeProto.FLOATS, "string": AttributeProto.STRING, "strings": AttributeProto.STRINGS,
    "tensor": AttributeProto.TENSOR,
}


def check_keys(what, given, allowed):
    unknown = set(given) - allowed
    if unknown:
        raise SystemExit(f"{what}: unknown keys {sorted(unknown)} (allowed: {sorted(allowed)})")


def array(dtype, shape, values):
    return np.array(values, dtype=DTYPES[dtype][0]).reshape(shape)


def attribute(name, typed):
    (kind, value), = typed.items()
    if kind == "tensor":
        value = numpy_helper.from_array(array(value["dtype"], value["shape"], value["values"]), name)
    return helper.make_attribute(name, value, attr_type=ATTRIBUTE_KINDS[kind])


def random_values(rng, spec):
    dtype, shape = spec.get("dtype", "float"), spec["shape"]
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in ("int32", "int64"):
        return rng.integers(spec.get("low", -10), spec.get("high", 10), size=shape).astype(DTYPES[dtype][0])
    return rng.uniform(spec.get("low", -2), spec.get("high", 2), size=shape).astype(DTYPES[dtype][0])


def build(case, random):
    """The case's ModelProto; `random` holds the random arrays by input name."""
    outputs = [f"y{k}" for k in range(case.get("outputs", 1))]
    if "nodes" in case:
        nodes = []
        for node in case["nodes"]:
            check_keys(f"{case['name']}: node", node, NODE_KEYS)
            attributes = [attribute(k, v) for k, v in node.get("attributes", {}).items()]
            nodes.append(helper.make_node(node["op"], node["inputs"], node["outputs"]))
            nodes[-1].attribute.extend(attributes)
    else:
        nodes = [helper.make_node(case["op"], [i["name"] for i in case["inputs"]], outputs)]
        nodes[0].attribute.extend(attribute(k, v) for k, v in case.get("attributes", {}).items())
    graph_inputs, initializers = [], []
    for spec in case["inputs"]:
        name = spec["name"]
        if not name:
            continue
        dtype = spec.get("dtype", "float")
        if "values" in spec:
            initializers.append(numpy_helper.from_array(array(dtype, spec["shape"], spec["values"]), name))
        elif spec.get("constant"):
            initializers.append(numpy_helper.from_array(random[name], name))
        else:
            dims = [d if d is not None else n for d, n in zip(spec.get("dims", spec["shape"]), spec["shape"])]
            graph_inputs.append(helper.make_tensor_value_info(name, DTYPES[dtype][1], dims))
    graph = helper.make_graph(nodes, case["name"], graph_inputs, [helper.make_empty_tensor_value_info(n) for n in outputs],
                              initializer=initializers)
    opsets = [helper.make_opsetid("", case.get("opset", DEFAULT_OPSET))]
    # The oldest IR that carries the opset, as an exporter would write.
    model = helper.make_model(graph, opset_imports=opsets, ir_version=helper.find_min_ir_version_for(opsets))
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    return model


def run(model, feeds):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.log_severity_level = 3  # errors only: max_pool_ceil_pads's note explains its shape warning
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def generate(case):
    """{array name: array} of the case's .npz."""
    check_keys(case.get("name", "a case"), case, CASE_KEYS)
    name = case["name"]
    if ("op" in case) == ("nodes" in case):
        raise SystemExit(f"{name}: give either op or nodes")
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    random, feeds = {}, {}
    for spec in case["inputs"]:
        check_keys(f"{name}: input {spec.get('name')!r}", spec, INPUT_KEYS)
        if spec["name"] and "values" not in spec:
            random[spec["name"]] = random_values(rng, spec)
            if not spec.get("constant"):
                feeds[spec["name"]] = random[spec["name"]]
    model = build(case, random)
    if "error" in case:
        return random
    results = run(model, feeds)
    return {**random, **{f"y{k}": np.asarray(r) for k, r in enumerate(results)}}


def main():
    with open(os.path.join(ROOT, "cases.json")) as f:
        cases = json.load(f)
    names = [c["name"] for c in cases]
    if len(set(names)) != len(names):
        raise SystemExit("case names must be unique")
    for case in cases:
        try:
            arrays = generate(case)
        except Exception as error:
            raise SystemExit(f"{case['name']}: {error}")
        np.savez(os.path.join(ROOT, case["name"] + ".npz"), **arrays)
    for file in os.listdir(ROOT):
        if file.endswith(".npz") and file[:-4] not in names:
            os.remove(os.path.join(ROOT, file))
    runnable = [c for c in cases if "error" not in c]
    ops = {c["op"] for c in runnable if "op" in c} | {n["op"] for c in runnable for n in c.get("nodes", [])}
    size = sum(os.path.getsize(os.path.join(ROOT, f)) for f in os.listdir(ROOT))
    print(f"wrote {len(runnable)} cases covering {len(ops)} op types and {len(cases) - len(runnable)} refused forms "
          f"({size / 1e6:.2f} MB) to {ROOT}")


if __name__ == "__main__":
    main()
