#!/usr/bin/env python3
"""Writes graphs/mlp/w2.npy: the output-layer weights of graphs/mlp.graph, loaded with
`load("mlp/w2.npy")` so that the example model exercises weight files.

The values are arbitrary but reproducible: Glorot-uniform draws from numpy's PCG64 with a
fixed seed (this is NOT the Lepton initializer RNG; it is any fixed array, stored in the repo).

Run from the repository root (needs numpy):
    python3 Tools/gen_mlp_weights.py
The file is committed; re-running rewrites identical bytes.
"""
import os

import numpy as np

FAN_IN, FAN_OUT = 512, 10
SEED = 20240501


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, "graphs", "mlp", "w2.npy")
    limit = np.sqrt(6.0 / (FAN_IN + FAN_OUT))
    rng = np.random.default_rng(SEED)
    w2 = rng.uniform(-limit, limit, size=(FAN_IN, FAN_OUT)).astype("<f4")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    np.save(out, w2)
    print(f"wrote {out}: {w2.dtype} {list(w2.shape)}")


if __name__ == "__main__":
    main()
