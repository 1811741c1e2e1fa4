#!/usr/bin/env python3
"""Generates the golden cases that check every op's reference kernel (LeptonReference) against
an independent numpy/scipy oracle.

Each oracle is written from the ONNX operator definitions (opset ~17, see CONTRACT.md for
Lepton's few deviations), never ported from the Swift kernels, so that the two implementations
can disagree when one of them is wrong.

Run from the repository root (requires numpy and scipy only):

    python3 Tools/gen_op_goldens.py

It REWRITES Tests/LeptonTests/Fixtures/ops/: one folder per case holding in<i>.npy and
out<i>.npy (plus any attribute files, e.g. a constant's value.npy), and one manifest
cases.json: [{"name", "op", "attributes", "inputs", "outputs", "rtol", "atol"}], where only
non-default attributes appear. Output is deterministic: every module draws from a numpy RNG
seeded with a fixed seed and the module's name. Tests/LeptonTests/OpGoldenTests.swift reads
the manifest; Python never runs during `swift test`.

The oracles live in Tools/op_goldens/ (cases_*.py: cases per op family; oracles_*.py: the
non-trivial reference implementations: convolution, pooling, normalization, slicing, padding,
and the training ops' gradients and losses).
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from op_goldens import (cases_binary, cases_nn, cases_norm, cases_reduce, cases_rnn,  # noqa: E402
                        cases_shape, cases_training, cases_unary)
from op_goldens.common import Suite  # noqa: E402

ROOT = os.path.join(os.path.dirname(HERE), "Tests", "LeptonTests", "Fixtures", "ops")


def main():
    suite = Suite()
    for module in (cases_unary, cases_binary, cases_nn, cases_norm, cases_reduce, cases_shape,
                   cases_rnn, cases_training):
        module.add_cases(suite)
    suite.write(ROOT)
    ops = sorted({c["op"] for c in suite.cases})
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(ROOT) for f in fs)
    print(f"wrote {len(suite.cases)} cases covering {len(ops)} ops ({size / 1e6:.2f} MB) to {ROOT}")


if __name__ == "__main__":
    main()
