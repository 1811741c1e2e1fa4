#!/usr/bin/env python3
"""Training speed: `lepton train` against the plain numpy implementation of the same digits MLP
training step (Tools/train_numpy_baseline.py: same model, loss, Adam, batch 32, shuffled), in
one run, alternating the two so that both see the same machine phases.

For each thread count and round, each side trains --epochs epochs on graphs/data/digits_train.npz
and reports its steady samples/s (epochs after the first; Lepton's first epoch also compiles
the step graph). Prints the medians and the ratio Lepton / numpy (above 1: Lepton is faster).

Run from the repository root after `swift build -c release` (needs numpy):
    python3 Tools/bench_training.py --threads 1,2 --rounds 3
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

from bench_support import parse_threads

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LEPTON = os.path.join(ROOT, ".build", "release", "lepton")


def lepton_rate(epochs, threads):
    output = subprocess.run([LEPTON, "train", "graphs/digits_mlp.graph", "--data", "graphs/data/digits_train.npz",
                             "--epochs", str(epochs), "--batch", "32", "--shuffle", "--threads", str(threads)],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    rates = [float(m) for m in re.findall(r"([0-9.]+) samples/s", output)]
    return statistics.mean(rates[1:])


def numpy_rate(epochs, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
    output = subprocess.run([sys.executable, os.path.join(ROOT, "Tools", "train_numpy_baseline.py"), "--epochs", str(epochs)],
                            cwd=ROOT, check=True, capture_output=True, text=True, env=env).stdout
    return float(re.search(r"steady samples/s \(epochs [0-9-]+\): ([0-9.]+)", output).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=parse_threads, default=[1, 2])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=6)
    args = parser.parse_args()
    if not os.path.exists(LEPTON):
        sys.exit(f"{LEPTON} not found: run `swift build -c release` first")
    print("| threads | Lepton samples/s | numpy samples/s | Lepton / numpy |")
    print("|---:|---:|---:|---:|")
    for threads in args.threads:
        lepton, numpy = [], []
        for _ in range(args.rounds):
            lepton.append(lepton_rate(args.epochs, threads))
            numpy.append(numpy_rate(args.epochs, threads))
        l, n = statistics.median(lepton), statistics.median(numpy)
        print(f"| {threads} | {l:,.0f} | {n:,.0f} | {l / n:.2f}x |")


if __name__ == "__main__":
    main()
