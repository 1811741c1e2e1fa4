#!/usr/bin/env python3
"""Whole-model goldens for the example models in graphs/.

For each model this script builds the same network as graphs/<model>.graph in plain numpy
(layers in Tools/numpy_ref.py, independent of the Swift code), with every parameter created
exactly as Lepton's seeded initializers do (CONTRACT.md: seed XOR fnv1a64(full param name),
SplitMix64, Box-Muller, fan rules), runs it on fixed seeded inputs, and writes

    Tests/LeptonTests/Fixtures/models/<case>/inputs/<graph input name>.npy
    Tests/LeptonTests/Fixtures/models/<case>/outputs/<graph output name>.npy

which Tests/LeptonTests/ModelGoldenTests.swift compares against the Swift interpreter.

Each model below mirrors its .graph text by hand: full param names (inlined template params
are `<prefix>.<param>`, nested calls `<prefix>.<inner prefix>.<param>`), shapes and
initializers. A mismatch with the .graph file is meant to show up as a failing Swift test.

Run from anywhere (needs numpy and scipy; all cases take a few seconds, writing ~3.6 MB):
    python3 Tools/gen_model_goldens.py            # every case
    python3 Tools/gen_model_goldens.py lenet mlp  # only these cases
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_ref as nr  # noqa: E402
from numpy_ref import Params  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "LeptonTests", "Fixtures", "models")


def images(seed, shape):
    """Standard-normal float32 inputs (normalized images / features)."""
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def f64(a):
    return a.astype(np.float64)


# ---------------------------------------------------------------------------------------------
# Models: each takes a Params (which records every weight it makes, by full name: what
# Tools/onnx_models.py reads back) and returns ({input name: array}, {output name: float64 array}).

def mlp(P):
    x = np.random.default_rng(1).uniform(0, 1, (2, 784)).astype(np.float32)  # pixel values
    w2 = np.load(os.path.join(ROOT, "graphs", "mlp", "w2.npy"))
    h0 = nr.relu(f64(x) @ P("w0", (784, 512), ("glorot", 1)) + P("b0", (512,), ("zeros",)))
    h1 = nr.relu(h0 @ P("w1", (512, 512), ("glorot", 2)) + P("b1", (512,), ("constant", 0.01)))
    logits = h1 @ P("w2", (512, 10), ("array", w2)) + P("b2", (10,), ("zeros",))
    return {"x": x}, {"probs": nr.softmax(logits)}


def lenet(P):
    x = images(2, (2, 1, 28, 28))
    c1 = nr.relu(nr.conv2d(f64(x), P("c1w", (6, 1, 5, 5), ("he", 1)), P("c1b", (6,), ("zeros",)),
                           pads=(2, 2, 2, 2)))
    p1 = nr.max_pool2d(c1, (2, 2), (2, 2))
    c2 = nr.relu(nr.conv2d(p1, P("c2w", (16, 6, 5, 5), ("he", 2)), P("c2b", (16,), ("constant", 0.05))))
    f = nr.max_pool2d(c2, (2, 2), (2, 2)).reshape(2, 400)
    h1 = nr.relu(f @ P("f1w", (400, 120), ("glorot", 3)) + P("f1b", (120,), ("zeros",)))
    h2 = nr.relu(h1 @ P("f2w", (120, 84), ("glorot", 4)) + P("f2b", (84,), ("zeros",)))
    logits = h2 @ P("f3w", (84, 10), ("glorot", 5)) + P("f3b", (10,), ("uniform", -0.1, 0.1, 6))
    return {"x": x}, {"logits": logits}


def _bn(P, suffix, channels, mean_seed, var_seed, prefix=""):
    """The four batch_norm params as resblock.graph / conv_bn declare them."""
    return (P(f"{prefix}gamma{suffix}", (channels,), ("ones",)),
            P(f"{prefix}beta{suffix}", (channels,), ("zeros",)),
            P(f"{prefix}mean{suffix}", (channels,), ("normal", 0.0, 0.1, mean_seed)),
            P(f"{prefix}var{suffix}", (channels,), ("uniform", 0.5, 1.5, var_seed)))


def resblock(P):
    x = images(3, (1, 64, 56, 56))
    c1 = nr.conv2d(f64(x), P("w1", (64, 64, 3, 3), ("he", 1)), pads=(1, 1, 1, 1))
    a1 = nr.relu(nr.batch_norm(c1, *_bn(P, "1", 64, 2, 3)))
    c2 = nr.conv2d(a1, P("w2", (64, 64, 3, 3), ("he", 4)), pads=(1, 1, 1, 1))
    b2 = nr.batch_norm(c2, *_bn(P, "2", 64, 5, 6))
    return {"x": x}, {"y": nr.relu(b2 + f64(x))}


def lstm(P):
    x = images(4, (32, 8, 128))
    u = 0.0625
    y, _, _ = nr.lstm(f64(x), P("w", (1, 1024, 128), ("uniform", -u, u, 1)),
                      P("r", (1, 1024, 256), ("uniform", -u, u, 2)),
                      P("b", (1, 2048), ("uniform", -u, u, 3)), 256)
    h = y[-1].reshape(8, 256)
    logits = h @ P("fw", (256, 10), ("glorot", 4)) + P("fb", (10,), ("zeros",))
    return {"x": x}, {"logits": logits}


def transformer(P):
    x = images(5, (2, 128, 256))
    xb = f64(x)

    def dense(h, w, b, n_in, n_out, seed):
        return h @ P(w, (n_in, n_out), ("glorot", seed)) + P(b, (n_out,), ("normal", 0.0, 0.02, seed + 1))

    def heads(t):  # [B, 128, 256] -> [B, 4, 128, 64]
        return t.reshape(2, 128, 4, 64).transpose(0, 2, 1, 3)

    a = nr.layer_norm(xb, P("ln1_g", (256,), ("normal", 1.0, 0.1, 1)), P("ln1_b", (256,), ("normal", 0.0, 0.02, 2)))
    q, k, v = dense(a, "wq", "bq", 256, 256, 3), dense(a, "wk", "bk", 256, 256, 5), dense(a, "wv", "bv", 256, 256, 7)
    scores = heads(q) @ heads(k).transpose(0, 1, 3, 2) * 0.125
    ctx = nr.softmax(scores) @ heads(v)
    merged = ctx.transpose(0, 2, 1, 3).reshape(2, 128, 256)
    h = xb + dense(merged, "wo", "bo", 256, 256, 9)
    n = nr.layer_norm(h, P("ln2_g", (256,), ("normal", 1.0, 0.1, 11)), P("ln2_b", (256,), ("normal", 0.0, 0.02, 12)))
    f = nr.gelu(dense(n, "w1", "b1", 256, 1024, 13))
    return {"x": x}, {"y": h + dense(f, "w2", "b2", 1024, 256, 15)}


def textclf(P):
    tokens = np.random.default_rng(6).integers(0, 10000, (2, 64), dtype=np.int64)
    tokens[0, 0], tokens[1, -1] = 0, 9999  # both ends of the vocabulary
    u = 0.088
    e = P("emb", (10000, 64), ("normal", 0.0, 0.1, 1))[tokens]  # [N, 64, 64]
    _, h, _ = nr.lstm(e.transpose(1, 0, 2), P("w", (1, 512, 64), ("uniform", -u, u, 2)),
                      P("r", (1, 512, 128), ("uniform", -u, u, 3)),
                      P("b", (1, 1024), ("uniform", -u, u, 4)), 128)
    logit = h[0] @ P("fw", (128, 1), ("glorot", 5)) + P("fb", (1,), ("constant", 0.1))
    return {"tokens": tokens}, {"prob": nr.sigmoid(logit)}


def cifar_cnn(P):
    x = images(7, (2, 3, 32, 32))
    c = nr.relu(nr.conv2d(f64(x), P("cw", (32, 3, 3, 3), ("he", 1)), P("cb", (32,), ("normal", 0.0, 0.05, 2))))
    f = nr.max_pool2d(c, (2, 2), (2, 2)).reshape(2, 7200)
    logits = f @ P("fw", (7200, 10), ("glorot", 3)) + P("fb", (10,), ("zeros",))
    return {"x": x}, {"probs": nr.softmax(logits)}


def face_cnn(P):
    x = images(8, (1, 3, 224, 224))
    begin, end = nr.same_upper_pads(224, 3, 1)  # padding: same, stride 1: (1, 1) at any size
    pads = (begin, begin, end, end)
    c1 = nr.relu(nr.conv2d(f64(x), P("c1w", (32, 3, 3, 3), ("he", 1)), P("c1b", (32,), ("zeros",)), pads=pads))
    p1 = nr.max_pool2d(c1, (2, 2), (2, 2))
    c2 = nr.relu(nr.conv2d(p1, P("c2w", (64, 32, 3, 3), ("he", 2)), P("c2b", (64,), ("zeros",)), pads=pads))
    f = nr.max_pool2d(c2, (2, 2), (2, 2)).reshape(1, 200704)
    h = nr.relu(f @ P("f1w", (200704, 128), ("glorot", 3)) + P("f1b", (128,), ("zeros",)))
    logits = h @ P("f2w", (128, 2), ("glorot", 4)) + P("f2b", (2,), ("zeros",))
    return {"x": x}, {"probs": nr.softmax(logits)}


# ---------------------------------------------------------------------------------------------
# MobileNetV2: one Python function per template graph of mobilenet_v2.graph; `prefix` is the
# inlining prefix, so param names come out as the frontend names them (`b3.r.e.conv.w`).

def conv_bn(P, prefix, x, cout, k=1, stride=1, group=1):
    c = x.shape[1]
    w = P(f"{prefix}.w", (cout, c // group, k, k), ("he", 1))
    conv = nr.conv2d(x, w, strides=(stride, stride), pads=(k // 2,) * 4, group=group)
    return nr.batch_norm(conv, *_bn(P, "", cout, 2, 3, prefix=f"{prefix}."))


def conv_bn_relu6(P, prefix, x, cout, k=1, stride=1, group=1):
    return np.clip(conv_bn(P, f"{prefix}.conv", x, cout, k, stride, group), 0.0, 6.0)


def inv_res_t1(P, prefix, x, cout):
    c = x.shape[1]
    d = conv_bn_relu6(P, f"{prefix}.d", x, c, k=3, group=c)
    return conv_bn(P, f"{prefix}.y", d, cout)


def inv_res(P, prefix, x, expand, cout, stride=1):
    hidden = x.shape[1] * expand
    e = conv_bn_relu6(P, f"{prefix}.e", x, hidden)
    d = conv_bn_relu6(P, f"{prefix}.d", e, hidden, k=3, stride=stride, group=hidden)
    return conv_bn(P, f"{prefix}.y", d, cout)


def inv_res_skip(P, prefix, x, expand):
    return x + inv_res(P, f"{prefix}.r", x, expand, x.shape[1])


# (name, template, args) in the order of the mobilenet_v2 graph body.
MOBILENET_BLOCKS = [("b1", "t1", dict(cout=16)),
                    ("b2", "res", dict(expand=6, cout=24, stride=2)), ("b3", "skip", dict(expand=6)),
                    ("b4", "res", dict(expand=6, cout=32, stride=2))] + \
                   [(f"b{i}", "skip", dict(expand=6)) for i in (5, 6)] + \
                   [("b7", "res", dict(expand=6, cout=64, stride=2))] + \
                   [(f"b{i}", "skip", dict(expand=6)) for i in (8, 9, 10)] + \
                   [("b11", "res", dict(expand=6, cout=96))] + \
                   [(f"b{i}", "skip", dict(expand=6)) for i in (12, 13)] + \
                   [("b14", "res", dict(expand=6, cout=160, stride=2))] + \
                   [(f"b{i}", "skip", dict(expand=6)) for i in (15, 16)] + \
                   [("b17", "res", dict(expand=6, cout=320))]
TEMPLATES = {"t1": inv_res_t1, "res": inv_res, "skip": inv_res_skip}


def mobilenet_trunk(P, x, blocks):
    h = conv_bn_relu6(P, "stem", x, 32, k=3, stride=2)
    for name, template, args in blocks:
        h = TEMPLATES[template](P, name, h, **args)
    return h


def mobilenet_v2_blocks(P):
    """The graph mobilenet_v2_blocks: stem + b1..b5 on a 64x64 input."""
    x = images(9, (1, 3, 64, 64))
    y = mobilenet_trunk(P, f64(x), MOBILENET_BLOCKS[:5])
    assert y.shape == (1, 32, 8, 8)
    return {"x": x}, {"y": y}


def mobilenet_v2(P):
    x = images(10, (1, 3, 224, 224))
    h = conv_bn_relu6(P, "head", mobilenet_trunk(P, f64(x), MOBILENET_BLOCKS), 1280)
    pool = h.mean(axis=(2, 3))
    logits = pool @ P("fc_w", (1280, 1000), ("glorot", 1)) + P("fc_b", (1000,), ("zeros",))
    return {"x": x}, {"logits": logits}


CASES = {f.__name__: f for f in (mlp, lenet, resblock, lstm, transformer, textclf, cifar_cnn,
                                  face_cnn, mobilenet_v2_blocks, mobilenet_v2)}


def write_case(name):
    start = time.time()
    inputs, outputs = CASES[name](Params())
    for kind, arrays in (("inputs", inputs), ("outputs", outputs)):
        folder = os.path.join(FIXTURES, name, kind)
        os.makedirs(folder, exist_ok=True)
        for key, value in arrays.items():
            value = value if value.dtype == np.int64 else value.astype(np.float32)
            np.save(os.path.join(folder, f"{key}.npy"), value)
    summary = ", ".join(f"{k} {list(v.shape)} max|.| {np.abs(v).max():.4g}" for k, v in outputs.items())
    print(f"{name}: {summary} ({time.time() - start:.1f} s)")


def main(argv):
    for name in argv or CASES:
        if name not in CASES:
            sys.exit(f"unknown case {name}; cases: {', '.join(CASES)}")
        write_case(name)


if __name__ == "__main__":
    main(sys.argv[1:])
