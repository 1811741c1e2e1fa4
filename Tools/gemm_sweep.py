#!/usr/bin/env python3
"""Compares Lepton's f32 GEMM kernel with numpy.matmul (OpenBLAS/MKL SGEMM).

Usage (needs numpy; build first with `swift build -c release`):

    python3 Tools/gemm_sweep.py [--lepton .build/release/lepton] [--rounds 3]

For each shape M x N x K (square n = 256, 512, 1024, 2048, then the skinny 64x784x512 and
1x784x512 of an MLP layer) it alternates `lepton bench --gemm M,N,K` and a numpy timing of
A[M,K] @ B[K,N] (float32, output preallocated via `out=`, median of about a second of calls),
`--rounds` times, keeps the best median of each, and prints a markdown table of GFLOP/s
(2*M*N*K flops per call) and the Lepton/numpy ratio. Alternating keeps both sides exposed to
the same machine load. Both use every core unless the environment limits them
(e.g. OPENBLAS_NUM_THREADS=1 and `taskset -c 0` for one thread).
"""
import argparse
import re
import subprocess
import time

import numpy as np

SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
          (64, 784, 512), (1, 784, 512)]


def numpy_gflops(m, n, k):
    rng = np.random.default_rng(1)
    a = rng.random((m, k), dtype=np.float32) - 0.5
    b = rng.random((k, n), dtype=np.float32) - 0.5
    out = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    runs = max(5, min(2000, int(50e9 / flops)))
    np.matmul(a, b, out=out)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        times.append(time.perf_counter() - start)
    times.sort()
    return flops / times[len(times) // 2] / 1e9


def lepton_gflops(binary, m, n, k):
    text = subprocess.run([binary, "bench", "--gemm", f"{m},{n},{k}"], check=True,
                          capture_output=True, text=True).stdout
    return float(re.search(r"([0-9.]+) GFLOP/s", text).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lepton", default=".build/release/lepton")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print("| M x N x K | Lepton GFLOP/s | numpy GFLOP/s | Lepton / numpy |")
    print("|---|---:|---:|---:|")
    for m, n, k in SHAPES:
        ours, theirs = 0.0, 0.0
        for _ in range(args.rounds):
            ours = max(ours, lepton_gflops(args.lepton, m, n, k))
            theirs = max(theirs, numpy_gflops(m, n, k))
        print(f"| {m}x{n}x{k} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f} |", flush=True)


if __name__ == "__main__":
    main()
