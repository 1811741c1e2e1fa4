#!/usr/bin/env python3
"""Compares Lepton's f32 GEMM kernel with numpy.matmul (OpenBLAS SGEMM) in one run.

Usage (needs numpy; build first with `swift build -c release`):

    python3 Tools/gemm_sweep.py [--threads 1,2] [--rounds 3] [--lepton .build/release/lepton]

For each thread count T and shape M x N x K (square n = 256, 512, 1024, 2048, then the skinny
64x784x512 and the 1x784x512 GEMV of an MLP layer) it alternates, `--rounds` times,
`lepton bench --gemm M,N,K --threads T --json` (the kernel alone on preallocated row-major
operands, median of about a second of calls) and a numpy timing of A[M,K] @ B[K,N] (float32,
output preallocated via `out=`, OpenBLAS limited to T threads through its C API, median of
about a second of calls), keeps the best median of each side, and prints a markdown table of
GFLOP/s (2*M*N*K flops per call) with the Lepton/numpy ratio (> 1: Lepton is faster).
Alternating keeps both sides exposed to the same machine load; run it with nothing else on
the CPU (`flock /tmp/lepton-cpu.lock python3 Tools/gemm_sweep.py`).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_support import BlasThreads, median_seconds, parse_threads  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHAPES = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048),
          (64, 784, 512), (1, 784, 512)]


def numpy_gflops(m, n, k):
    rng = np.random.default_rng(1)
    a = rng.random((m, k), dtype=np.float32) - 0.5
    b = rng.random((k, n), dtype=np.float32) - 0.5
    out = np.empty((m, n), dtype=np.float32)
    flops = 2.0 * m * n * k
    runs = max(5, min(2000, int(50e9 / flops)))
    return flops / median_seconds(lambda: np.matmul(a, b, out=out), runs, 1) / 1e9


def lepton_gflops(binary, m, n, k, threads):
    command = [binary, "bench", "--gemm", f"{m},{n},{k}", "--threads", str(threads), "--json"]
    return json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)["gflops"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lepton", default=os.path.join(ROOT, ".build", "release", "lepton"))
    parser.add_argument("--threads", type=parse_threads, default=[1, 2], help="comma-separated, default 1,2")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.access(args.lepton, os.X_OK):
        sys.exit(f"gemm_sweep: no lepton binary at {args.lepton}; run `swift build -c release` first")
    blas = BlasThreads()
    if not blas.works:
        print("no OpenBLAS found to limit numpy's threads: numpy uses its default", file=sys.stderr)
    print("| M x N x K | threads | Lepton GFLOP/s | numpy GFLOP/s | Lepton / numpy |")
    print("|---|---:|---:|---:|---:|")
    for threads in args.threads:
        blas.set(threads)
        for m, n, k in SHAPES:
            ours, theirs = 0.0, 0.0
            for _ in range(args.rounds):
                ours = max(ours, lepton_gflops(args.lepton, m, n, k, threads))
                theirs = max(theirs, numpy_gflops(m, n, k))
            print(f"| {m}x{n}x{k} | {threads} | {ours:.1f} | {theirs:.1f} | {ours / theirs:.2f} |", flush=True)
    print(f"\nbest of {args.rounds} alternating rounds per cell; numpy {np.__version__}")


if __name__ == "__main__":
    main()
