#!/usr/bin/env python3
"""The expected values in Tests/LeptonTests/OptimizerTests.swift: PyTorch's SGD, Adam and AdamW
update formulas (torch/optim/sgd.py and adam.py, single-tensor path) written out in numpy, every
tensor op in the param's dtype and every hyperparameter converted to it as PyTorch converts a
Python float. Prints the params after each of three steps, per case. Needs numpy only:
    python3 Tools/optimizer_expected_values.py
"""
import numpy as np
f = np.float32
W0 = np.array([0.5, -1.0, 2.0, -1.0], dtype=f)
G = [np.array(g, dtype=f) for g in ([0.1, -0.2, 0.3, 0.35], [-0.4, 0.5, 0.05, -0.95], [0.2, 0.2, -0.1, 0.25])]

def sgd(lr, momentum=0.0, nesterov=False, wd=0.0):
    w = W0.copy(); buf = None; out = []
    for g in G:
        g = g.copy()
        if wd != 0: g = g + f(wd) * w
        if momentum != 0:
            if buf is None: buf = g.copy()
            else: buf = buf * f(momentum) + g
            g = g + f(momentum) * buf if nesterov else buf
        w = w + f(-lr) * g
        out.append(w.copy())
    return out

def adam(lr, wd=0.0, decoupled=False, b1=0.9, b2=0.999, eps=1e-8):
    w = W0.copy(); m = np.zeros(4, f); v = np.zeros(4, f); out = []
    for t, g in enumerate(G, start=1):
        g = g.copy()
        if wd != 0:
            if decoupled: w = w * f(1 - lr * wd)
            else: g = g + f(wd) * w
        wt = f(1 - b1)
        assert abs(wt) < 0.5
        m = m + wt * (g - m)
        v = v * f(b2) + (f(1 - b2) * g) * g
        bc1 = 1 - b1 ** t; bc2 = 1 - b2 ** t
        step_size = lr / bc1
        d = np.sqrt(v) / f(bc2 ** 0.5) + f(eps)
        w = w + (f(-step_size) * m) / d
        out.append(w.copy())
    return out

cases = {
  "sgd": sgd(0.1),
  "sgdMomentum": sgd(0.1, momentum=0.9),
  "sgdNesterov": sgd(0.1, momentum=0.9, nesterov=True),
  "sgdWeightDecay": sgd(0.1, wd=0.5),
  "adam": adam(0.01),
  "adamWeightDecay": adam(0.01, wd=0.5),
  "adamw": adam(0.01, wd=0.5, decoupled=True),
}
for name, steps in cases.items():
    print(name)
    for s in steps:
        print("   [" + ", ".join(np.format_float_positional(x, unique=True) for x in s) + "],")

# f64 params: the same formulas in float64.
f = np.float64
W0 = W0.astype(f); G = [np.array(g, dtype=f) for g in ([0.1, -0.2, 0.3, 0.35], [-0.4, 0.5, 0.05, -0.95], [0.2, 0.2, -0.1, 0.25])]
print("adamw f64")
for s in adam(0.01, wd=0.5, decoupled=True):
    print("   [" + ", ".join(repr(float(x)) for x in s) + "],")
print("sgdNesterov f64")
for s in sgd(0.1, momentum=0.9, nesterov=True, wd=0.5):
    print("   [" + ", ".join(repr(float(x)) for x in s) + "],")
