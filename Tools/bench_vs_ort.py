#!/usr/bin/env python3
"""Times the example models in Lepton, ONNX Runtime and numpy, alternating, and prints a table.

Usage (build first with `swift build -c release`; needs numpy, scipy, onnx, onnxruntime):

    python3 Tools/bench_vs_ort.py [--threads 1,2] [--rounds 5] [--all | --models mlp,lstm]
                                  [--runs K] [--lepton .build/release/lepton]

Models: mlp, lenet, resblock, lstm, transformer (with --all also textclf, cifar_cnn, face_cnn,
mobilenet_v2), at batch 1 (N=1, B=1; the lstm graph is fixed at seq 32 x batch 8).

The same model on every side: the ONNX graphs are built with onnx.helper from the very
weights Lepton's seeded initializers give the .graph params (Tools/onnx_models.py reads them
back from the numpy models of Tools/gen_model_goldens.py). Before any timing, each model runs
once on a fixed input in `lepton run` (at -O2), in ONNX Runtime and in numpy, and the script
stops with an error unless all three agree within 1e-4 (rtol and atol).

How each side is timed (latency of one call, batch 1, inputs prepared beforehand):
  - Lepton: `lepton bench GRAPH --json --skip-reference --threads T --runs K --warmup W` per
    batch: one process compiles the graph at -O2, runs W untimed and K timed executor runs
    on random inputs of the same shapes, and reports their median (process start-up and
    compilation are outside the timed runs).
  - ONNX Runtime: one InferenceSession per thread count, GraphOptimizationLevel.ORT_ENABLE_ALL,
    intra_op_num_threads = T, inter_op_num_threads = 1, sequential execution (for T > 1 the
    parallel executor with T inter-op threads is tried once and kept if faster); timed call =
    `session.run` with a preallocated numpy input; W untimed, K timed calls, median.
  - numpy: the same ONNX graph evaluated node by node in float32 (NumpyModel in
    onnx_models.py), OpenBLAS limited to T threads through its C API; W untimed, K timed, median.
Each round runs one batch of each side for every model and thread count, in that order
(Lepton, ORT, numpy); after R rounds the table shows the median of the R batch medians, the
median (and range) of the R per-round ratios, so all three sides see the same machine load,
and the ratio of each side's fastest batch (its quiet-machine speed). The machine's speed can
drift by tens of percent over minutes: compare ratios, not times across runs. Run it with nothing else on the CPU
(`flock /tmp/lepton-cpu.lock python3 Tools/bench_vs_ort.py`). Ratios < 1: Lepton is faster.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_models as om  # noqa: E402
from bench_support import BlasThreads, median_seconds, parse_threads  # noqa: E402

DEFAULT_MODELS = ["mlp", "lenet", "resblock", "lstm", "transformer"]
EXTRA_MODELS = ["textclf", "cifar_cnn", "face_cnn", "mobilenet_v2"]
TOLERANCE = 1e-4
PAUSE = 0.1  # seconds between batches: worker threads of ORT and OpenBLAS stop spinning


class Lepton:
    def __init__(self, binary):
        self.binary = binary
        if not os.access(binary, os.X_OK):
            sys.exit(f"bench_vs_ort: no lepton binary at {binary}; run `swift build -c release` first")

    def graph_args(self, name):
        graph, dims, *_ = om.MODELS[name]
        return [os.path.join(om.ROOT, "graphs", graph)] + [a for d in dims for a in ("--dim", d)]

    def run(self, name, input_name, value):
        """The output of `lepton run` (at -O2) on `value`."""
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, "input.npy")
            np.save(path, value)
            subprocess.run([self.binary, "run", self.graph_args(name)[0], "--input", f"{input_name}={path}",
                            "--output-dir", scratch], check=True, capture_output=True, text=True)
            outputs = [f for f in os.listdir(scratch) if f != "input.npy"]
            return np.load(os.path.join(scratch, outputs[0]))

    def bench(self, name, threads, runs, warmup):
        """(median seconds of one executor run, flops per run) from one `lepton bench` process."""
        command = [self.binary, "bench", *self.graph_args(name), "--json", "--skip-reference",
                   "--threads", str(threads), "--runs", str(runs), "--warmup", str(warmup)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        return result["executor"]["median_ms"] / 1e3, result["flops"]


def ort_session(ort, model_bytes, threads, parallel):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = threads if parallel else 1
    options.execution_mode = ort.ExecutionMode.ORT_PARALLEL if parallel else ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])


class Case:
    """One model: its ONNX and numpy forms, input, and the sessions per thread count."""

    def __init__(self, name, ort, threads):
        self.name = name
        model, self.input_name = om.build(name)
        self.model_bytes = model.SerializeToString()
        self.numpy_model = om.NumpyModel(model)
        self.input = om.sample_input(name)
        self.feeds = {self.input_name: self.input}
        self.sessions, self.parallel = {}, {}
        if ort is not None:
            for t in threads:
                self.sessions[t] = ort_session(ort, self.model_bytes, t, parallel=False)

    def verify(self, lepton, have_ort):
        """Runs the model once on each side; stops the script unless all agree."""
        ours = lepton.run(self.name, self.input_name, self.input)
        others = {"numpy": self.numpy_model.run(self.feeds)}
        if have_ort:
            session = next(iter(self.sessions.values()))
            others["onnxruntime"] = session.run(None, self.feeds)[0]
        for side, value in others.items():
            if value.shape != ours.shape or not np.allclose(ours, value, rtol=TOLERANCE, atol=TOLERANCE):
                difference = np.abs(ours - value).max() if value.shape == ours.shape else "shape"
                sys.exit(f"bench_vs_ort: {self.name}: {side} output {value.shape} differs from Lepton's {ours.shape} "
                         f"(max |difference| {difference}, tolerance {TOLERANCE}); the models are not the same")
        return {side: float(np.abs(ours - value).max()) for side, value in others.items()}

    def pick_ort_executor(self, ort, threads, runs):
        """For T > 1: keeps ORT's parallel executor instead of the sequential one if it is faster."""
        if threads < 2 or threads not in self.sessions:
            return
        parallel = ort_session(ort, self.model_bytes, threads, parallel=True)
        call = (lambda s: lambda: s.run(None, self.feeds))
        sequential_time = median_seconds(call(self.sessions[threads]), runs, 2)
        parallel_time = median_seconds(call(parallel), runs, 2)
        if parallel_time < sequential_time:
            self.sessions[threads], self.parallel[threads] = parallel, True


def runs_for(seconds, requested):
    """Timed runs per batch: as given, or about 0.25 s of calls (5 to 2000; a short batch of
    a tiny model is at the mercy of one burst of machine noise)."""
    return requested or max(5, min(2000, int(0.25 / max(seconds, 1e-6))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lepton", default=os.path.join(om.ROOT, ".build", "release", "lepton"))
    parser.add_argument("--threads", type=parse_threads, default=[1, 2], help="comma-separated, default 1,2")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--runs", type=int, default=0, help="timed calls per batch (default: ~0.25 s of calls)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed calls per batch (default 3)")
    parser.add_argument("--all", action="store_true", help="also " + ", ".join(EXTRA_MODELS))
    parser.add_argument("--models", help="comma-separated model names (overrides --all)")
    args = parser.parse_args()
    names = args.models.split(",") if args.models else DEFAULT_MODELS + (EXTRA_MODELS if args.all else [])
    unknown = [n for n in names if n not in om.MODELS]
    if unknown:
        sys.exit(f"bench_vs_ort: unknown model(s) {', '.join(unknown)}; known: {', '.join(om.MODELS)}")

    try:
        import onnxruntime as ort
    except ImportError:
        ort = None
        print("onnxruntime not found: timing Lepton and numpy only", file=sys.stderr)
    lepton, blas = Lepton(args.lepton), BlasThreads()
    if not blas.works:
        print("no OpenBLAS found to limit numpy's threads: numpy uses its default", file=sys.stderr)

    cases = {}
    for name in names:
        case = Case(name, ort, args.threads)
        errors = case.verify(lepton, ort is not None)
        print(f"{name}: outputs agree (max |Lepton - other|: "
              + ", ".join(f"{side} {value:.2g}" for side, value in errors.items()) + ")", file=sys.stderr)
        cases[name] = case

    # Batch sizes from quick ORT and numpy timings per model and thread count (the slower).
    runs, flops = {}, {}
    for name, case in cases.items():
        for t in args.threads:
            blas.set(t)
            probe = median_seconds(lambda: case.numpy_model.run(case.feeds), 3, 1)
            if ort:
                probe = max(probe, median_seconds(lambda: case.sessions[t].run(None, case.feeds), 3, 1))
            runs[name, t] = runs_for(probe, args.runs)
            if ort:
                case.pick_ort_executor(ort, t, runs[name, t])

    samples = {key: {"lepton": [], "ort": [], "numpy": []} for key in runs}
    for round_index in range(args.rounds):
        for (name, t), count in runs.items():
            case = cases[name]
            seconds, flops[name] = lepton.bench(name, t, count, args.warmup)
            samples[name, t]["lepton"].append(seconds)
            if ort:
                time.sleep(PAUSE)
                samples[name, t]["ort"].append(median_seconds(lambda: case.sessions[t].run(None, case.feeds), count, args.warmup))
            blas.set(t)
            time.sleep(PAUSE)
            samples[name, t]["numpy"].append(median_seconds(lambda: case.numpy_model.run(case.feeds), count, args.warmup))
            time.sleep(PAUSE)
        print(f"round {round_index + 1}/{args.rounds} done", file=sys.stderr)

    print_table(samples, flops, runs, cases, args, ort)


def print_table(samples, flops, runs, cases, args, ort):
    def ms(values):
        return f"{statistics.median(values) * 1e3:.3f}" if values else "-"

    def ratio(ours, theirs):
        """The median of the per-round ratios (each round's batches ran back to back, so a slow
        spell of the machine hits both), then their range over the rounds."""
        if not ours or not theirs:
            return "-"
        ratios = [a / b for a, b in zip(ours, theirs)]
        return f"{statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f})"

    def best(ours, theirs):
        """Fastest batch against fastest batch: each side's quiet-machine speed, which the slow
        spells (up to 1.5x here) cannot reach."""
        return f"{min(ours) / min(theirs):.2f}" if ours and theirs else "-"

    print("| model | threads | Lepton ms | ORT ms | numpy ms | Lepton / ORT (range) | Lepton / ORT best | Lepton / numpy (range) | Lepton GFLOP/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (name, t), s in samples.items():
        gflops = flops[name] / statistics.median(s["lepton"]) / 1e9
        mode = " (ORT parallel)" if cases[name].parallel.get(t) else ""
        print(f"| {name}{mode} | {t} | {ms(s['lepton'])} | {ms(s['ort'])} | {ms(s['numpy'])} | "
              f"{ratio(s['lepton'], s['ort'])} | {best(s['lepton'], s['ort'])} | {ratio(s['lepton'], s['numpy'])} | {gflops:.1f} |")
    versions = f"onnxruntime {ort.__version__}, " if ort else ""
    print(f"\nlatencies: median of {args.rounds} rounds of alternating batches ({min(runs.values())}-{max(runs.values())} "
          f"timed calls per batch, {args.warmup} warm-up; ratios: median and range of the per-round ratios; "
          f"best: fastest batch over fastest batch); "
          f"{versions}numpy {np.__version__}; batch 1.")
    print("command: python3 " + " ".join(sys.argv))
    if len(args.threads) > 1:
        low, high = min(args.threads), max(args.threads)
        speedups = []
        for name in cases:
            ours, theirs = statistics.median(samples[name, low]["lepton"]), statistics.median(samples[name, high]["lepton"])
            ort_text = ""
            if samples[name, low]["ort"]:
                ort_text = f" (ORT {statistics.median(samples[name, low]['ort']) / statistics.median(samples[name, high]['ort']):.2f}x)"
            speedups.append(f"{name} {ours / theirs:.2f}x{ort_text}")
        print(f"Lepton speed-up {high} vs {low} threads: " + ", ".join(speedups) + ".")
    notes = [f"{n}: {om.FORMULATION[n]}" for n in cases if n in om.FORMULATION]
    if notes:
        print("ONNX formulation: " + "; ".join(notes) + ".")


if __name__ == "__main__":
    main()
