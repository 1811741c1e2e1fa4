"""The example models of graphs/ as ONNX graphs, with the very weights Lepton gives them, and
a float32 numpy evaluator of those graphs: the ONNX Runtime and numpy sides of
Tools/bench_vs_ort.py.

Weights are not re-declared here: each model's function in Tools/gen_model_goldens.py makes
its params through a `Params` (Lepton's seeded initializers, bit-exact, in Tools/numpy_ref.py),
and `weights(name)` runs it once and reads them back by full name. This file only says how
each graph is wired, in ONNX ops ONNX Runtime fuses well (Conv with bias, Gemm, MatMul + Add,
BatchNormalization, LSTM, LayerNormalization, Softmax, Gelu). Where the ONNX formulation
differs from the .graph text it is noted at the model (`FORMULATION`).

Needs numpy, scipy (numpy_ref's erf) and onnx; onnxruntime only to run the models.
"""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_model_goldens  # noqa: E402
import numpy_ref as nr  # noqa: E402

OPSET = 20  # Gelu is an ONNX op from opset 20 on
ROOT = gen_model_goldens.ROOT


def weights(name):
    """{full param name: float32 array} of example model `name`, as Lepton initializes them."""
    params = nr.Params()
    gen_model_goldens.CASES[name](params)
    return params.values


class Builder:
    """Appends ONNX nodes; params become initializers the first time a node uses them."""

    def __init__(self, values):
        self.values, self.nodes, self.initializers, self.count = values, [], {}, 0

    def param(self, name):
        if name not in self.initializers:
            self.initializers[name] = numpy_helper.from_array(self.values[name], name)
        return name

    def const(self, array):
        self.count += 1
        name = f"const{self.count}"
        self.initializers[name] = numpy_helper.from_array(np.asarray(array), name)
        return name

    def op(self, op_type, *inputs, outputs=1, **attributes):
        names = [f"t{self.count + i + 1}" for i in range(outputs)]
        self.count += outputs
        self.nodes.append(helper.make_node(op_type, list(inputs), names, **attributes))
        return names[0] if outputs == 1 else names

    def lstm(self, x, hidden):
        """The LSTM's final hidden state Y_h [1, batch, hidden]; Y is not asked for."""
        self.count += 1
        h = f"t{self.count}"
        inputs = [x] + [self.param(p) for p in ("w", "r", "b")]
        self.nodes.append(helper.make_node("LSTM", inputs, ["", h], hidden_size=hidden))
        return h

    def gemm(self, x, w, b):
        return self.op("Gemm", x, self.param(w), self.param(b))

    def matmul_add(self, x, w, b):
        return self.op("Add", self.op("MatMul", x, self.param(w)), self.param(b))

    def conv(self, x, w, b=None, pads=(0, 0, 0, 0), strides=(1, 1), group=1):
        inputs = [x, self.param(w)] + ([self.param(b)] if b else [])
        return self.op("Conv", *inputs, pads=list(pads), strides=list(strides), group=group)

    def batch_norm(self, x, prefix, suffix=""):
        names = [self.param(f"{prefix}{p}{suffix}") for p in ("gamma", "beta", "mean", "var")]
        return self.op("BatchNormalization", x, *names, epsilon=1e-5)

    def max_pool(self, x):
        return self.op("MaxPool", x, kernel_shape=[2, 2], strides=[2, 2])

    def model(self, name, inputs, output):
        """`inputs`: [(name, TensorProto type, shape with "N" for the batch)]."""
        graph = helper.make_graph(
            self.nodes, name, [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)], list(self.initializers.values()))
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                 producer_name="lepton Tools/onnx_models.py")


# ---------------------------------------------------------------------------------------------
# The models: each wires the graph of graphs/<file> from input `x` and returns its output.

def mlp(g, x):
    h = g.op("Relu", g.gemm(x, "w0", "b0"))
    h = g.op("Relu", g.gemm(h, "w1", "b1"))
    return g.op("Softmax", g.gemm(h, "w2", "b2"), axis=-1)


def lenet(g, x):
    p1 = g.max_pool(g.op("Relu", g.conv(x, "c1w", "c1b", pads=(2, 2, 2, 2))))
    p2 = g.max_pool(g.op("Relu", g.conv(p1, "c2w", "c2b")))
    h = g.op("Relu", g.gemm(g.op("Flatten", p2, axis=1), "f1w", "f1b"))
    h = g.op("Relu", g.gemm(h, "f2w", "f2b"))
    return g.gemm(h, "f3w", "f3b")


def resblock(g, x):
    a1 = g.op("Relu", g.batch_norm(g.conv(x, "w1", pads=(1, 1, 1, 1)), "", "1"))
    b2 = g.batch_norm(g.conv(a1, "w2", pads=(1, 1, 1, 1)), "", "2")
    return g.op("Relu", g.op("Add", b2, x))


def lstm(g, x):
    h = g.lstm(x, 256)
    return g.gemm(g.op("Reshape", h, g.const(np.array([8, 256], np.int64))), "fw", "fb")


def transformer(g, x):
    def heads(t, perm):
        return g.op("Transpose", g.op("Reshape", t, g.const(np.array([0, 128, 4, 64], np.int64))), perm=perm)

    a = g.op("LayerNormalization", x, g.param("ln1_g"), g.param("ln1_b"), axis=-1, epsilon=1e-5)
    q, k, v = (g.matmul_add(a, f"w{c}", f"b{c}") for c in "qkv")
    scores = g.op("Mul", g.op("MatMul", heads(q, [0, 2, 1, 3]), heads(k, [0, 2, 3, 1])), g.const(np.float32(0.125)))
    ctx = g.op("MatMul", g.op("Softmax", scores, axis=-1), heads(v, [0, 2, 1, 3]))
    merged = g.op("Reshape", g.op("Transpose", ctx, perm=[0, 2, 1, 3]), g.const(np.array([0, 128, 256], np.int64)))
    h = g.op("Add", x, g.matmul_add(merged, "wo", "bo"))
    n = g.op("LayerNormalization", h, g.param("ln2_g"), g.param("ln2_b"), axis=-1, epsilon=1e-5)
    f = g.op("Gelu", g.matmul_add(n, "w1", "b1"))
    return g.op("Add", h, g.matmul_add(f, "w2", "b2"))


def textclf(g, tokens):
    e = g.op("Transpose", g.op("Gather", g.param("emb"), tokens, axis=0), perm=[1, 0, 2])
    h = g.lstm(e, 128)
    last = g.op("Squeeze", h, g.const(np.array([0], np.int64)))
    return g.op("Sigmoid", g.gemm(last, "fw", "fb"))


def cifar_cnn(g, x):
    p = g.max_pool(g.op("Relu", g.conv(x, "cw", "cb")))
    return g.op("Softmax", g.gemm(g.op("Flatten", p, axis=1), "fw", "fb"), axis=-1)


def face_cnn(g, x):
    p1 = g.max_pool(g.op("Relu", g.conv(x, "c1w", "c1b", pads=(1, 1, 1, 1))))  # padding: same, k 3, stride 1
    p2 = g.max_pool(g.op("Relu", g.conv(p1, "c2w", "c2b", pads=(1, 1, 1, 1))))
    h = g.op("Relu", g.gemm(g.op("Flatten", p2, axis=1), "f1w", "f1b"))
    return g.op("Softmax", g.gemm(h, "f2w", "f2b"), axis=-1)


def _conv_bn(g, prefix, x, k=1, stride=1, group=1):
    c = g.conv(x, f"{prefix}.w", pads=(k // 2,) * 4, strides=(stride, stride), group=group)
    return g.batch_norm(c, f"{prefix}.")


def _conv_bn_relu6(g, prefix, x, k=1, stride=1, group=1):
    y = _conv_bn(g, f"{prefix}.conv", x, k, stride, group)
    return g.op("Clip", y, g.const(np.float32(0)), g.const(np.float32(6)))


def mobilenet_v2(g, x):
    """The block list and templates of gen_model_goldens (MOBILENET_BLOCKS), wired in ONNX;
    `c` tracks the channel count (the group of each depthwise conv). Output channels come
    from the weights."""
    def inv_res(prefix, h, c, expand, cout=None, stride=1):
        e = _conv_bn_relu6(g, f"{prefix}.e", h)
        d = _conv_bn_relu6(g, f"{prefix}.d", e, k=3, stride=stride, group=c * expand)
        return _conv_bn(g, f"{prefix}.y", d), cout or c

    h, c = _conv_bn_relu6(g, "stem", x, k=3, stride=2), 32
    for name, template, args in gen_model_goldens.MOBILENET_BLOCKS:
        if template == "t1":
            d = _conv_bn_relu6(g, f"{name}.d", h, k=3, group=c)
            h, c = _conv_bn(g, f"{name}.y", d), args["cout"]
        elif template == "res":
            h, c = inv_res(name, h, c, **args)
        else:
            r, _ = inv_res(f"{name}.r", h, c, args["expand"])
            h = g.op("Add", h, r)
    head = _conv_bn_relu6(g, "head", h)
    pool = g.op("Flatten", g.op("GlobalAveragePool", head), axis=1)
    return g.gemm(pool, "fc_w", "fc_b")


# name: (graph file, Lepton --dim options, input name, input dtype, input shape at batch 1, builder)
MODELS = {
    "mlp": ("mlp.graph", ["N=1"], "x", np.float32, (1, 784), mlp),
    "lenet": ("lenet.graph", ["N=1"], "x", np.float32, (1, 1, 28, 28), lenet),
    "resblock": ("resblock.graph", ["N=1"], "x", np.float32, (1, 64, 56, 56), resblock),
    "lstm": ("lstm.graph", [], "x", np.float32, (32, 8, 128), lstm),
    "transformer": ("transformer.graph", ["B=1"], "x", np.float32, (1, 128, 256), transformer),
    "textclf": ("textclf.graph", ["N=1"], "tokens", np.int64, (1, 64), textclf),
    "cifar_cnn": ("cifar_cnn.graph", ["N=1"], "x", np.float32, (1, 3, 32, 32), cifar_cnn),
    "face_cnn": ("face_cnn.graph", ["N=1"], "x", np.float32, (1, 3, 224, 224), face_cnn),
    "mobilenet_v2": ("mobilenet_v2.graph", ["N=1"], "x", np.float32, (1, 3, 224, 224), mobilenet_v2),
}

# Where the ONNX graph is not the .graph text op for op (same function either way).
FORMULATION = {
    "lstm": "LSTM output Y_h instead of slicing the last step of Y (the same values; ORT need not write Y)",
    "mlp": "matmul + add written as Gemm (Lepton's -O2 forms the same)",
}


def build(name):
    """The ONNX ModelProto of example `name` (batch dim symbolic) and its input's name."""
    _, _, input_name, dtype, shape, wire = MODELS[name]
    g = Builder(weights(name))
    elem = TensorProto.INT64 if dtype == np.int64 else TensorProto.FLOAT
    symbolic = ["N" if i == 0 and name != "lstm" else d for i, d in enumerate(shape)]
    output = wire(g, input_name)
    return g.model(name, [(input_name, elem, symbolic)], output), input_name


def sample_input(name, seed=1):
    """A batch-1 input: standard normal floats, or token ids in [0, 10000)."""
    _, _, _, dtype, shape, _ = MODELS[name]
    rng = np.random.default_rng(seed)
    if dtype == np.int64:
        return rng.integers(0, 10000, shape, dtype=np.int64)
    return rng.standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------------------------------------
# numpy: the same ONNX graph evaluated node by node in float32 (the layers of numpy_ref.py,
# which keep float32 when given float32), as one would write the model in plain numpy.

def _gemm(a, b, c=None, **_):
    return a @ b if c is None else a @ b + c


def _conv(x, w, b=None, pads=(0, 0, 0, 0), strides=(1, 1), group=1, **_):
    return nr.conv2d(x, w, b, strides=tuple(strides), pads=tuple(pads), group=group)


def _lstm(x, w, r, b, hidden_size, **_):
    return nr.lstm(x, w, r, b, hidden_size)


def _layer_norm(x, scale, bias, epsilon=1e-5, **_):
    return nr.layer_norm(x, scale, bias, np.float32(epsilon))


def _reshape(x, shape, **_):
    return x.reshape([x.shape[i] if d == 0 else d for i, d in enumerate(shape)])


NUMPY_OPS = {
    "Gemm": _gemm, "MatMul": lambda a, b: a @ b, "Add": np.add, "Mul": np.multiply,
    "Relu": lambda x: np.maximum(x, np.float32(0)), "Sigmoid": lambda x: nr.sigmoid(x),
    "Softmax": lambda x, axis=-1: nr.softmax(x, axis), "Gelu": lambda x: nr.gelu(x),
    "Clip": lambda x, lo, hi: np.clip(x, lo, hi),
    "Conv": _conv, "MaxPool": lambda x, kernel_shape, strides: nr.max_pool2d(x, tuple(kernel_shape), tuple(strides)),
    "BatchNormalization": lambda x, s, b, m, v, epsilon: nr.batch_norm(x, s, b, m, v, np.float32(epsilon)),
    "GlobalAveragePool": lambda x: x.mean(axis=(2, 3), keepdims=True),
    "LayerNormalization": _layer_norm, "LSTM": _lstm,
    "Flatten": lambda x, axis: x.reshape(int(np.prod(x.shape[:axis])), -1), "Reshape": _reshape,
    "Transpose": lambda x, perm: x.transpose(perm), "Squeeze": lambda x, axes: np.squeeze(x, tuple(axes)),
    "Gather": lambda data, indices, axis: np.take(data, indices, axis=axis),
}


class NumpyModel:
    """Runs an ONNX graph built above with NUMPY_OPS; initializers are converted once."""

    def __init__(self, model):
        graph = model.graph
        self.constants = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.output = graph.output[0].name
        self.steps = []
        for node in graph.node:
            attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            attributes = {k: v.decode() if isinstance(v, bytes) else v for k, v in attributes.items()}
            self.steps.append((NUMPY_OPS[node.op_type], list(node.input), list(node.output), attributes))

    def run(self, inputs):
        env = dict(self.constants, **inputs)
        for fn, ins, outs, attributes in self.steps:
            result = fn(*(env[i] for i in ins), **attributes)
            if len(outs) == 1:
                env[outs[0]] = result
            else:  # LSTM: y, y_h, y_c
                for name, value in zip(outs, result):
                    if name:
                        env[name] = value
        return env[self.output]
