"""Shared by Tools/bench_vs_ort.py and Tools/gemm_sweep.py: timing a Python call, parsing
--threads, and limiting numpy's BLAS threads at run time. Needs only numpy."""
import argparse
import ctypes
import re
import statistics
import time


def parse_threads(text):
    """`--threads 1,2` -> [1, 2]."""
    try:
        threads = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        threads = []
    if not threads or min(threads) < 1:
        raise argparse.ArgumentTypeError(f"needs positive integers like 1,2, got {text!r}")
    return threads


def median_seconds(call, runs, warmup):
    """The median wall time of `runs` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


class BlasThreads:
    """Sets the thread count of the OpenBLAS that numpy loaded, through its C API (what
    threadpoolctl does), so one process can time numpy at 1 and at 2 threads. `works` is
    False where no OpenBLAS is found: numpy then keeps its default (every core, or
    OPENBLAS_NUM_THREADS)."""

    NAMES = ["scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
             "openblas_set_num_threads"]

    def __init__(self):
        import numpy  # noqa: F401  (loads the BLAS, so that it is in the process's map)
        with open("/proc/self/maps") as maps:
            paths = sorted(set(re.findall(r"(/\S*openblas\S*\.so\S*)", maps.read())))
        self.setters = []
        for path in paths:
            library = ctypes.CDLL(path)
            setter = next((getattr(library, n) for n in self.NAMES if hasattr(library, n)), None)
            if setter is not None:
                self.setters.append(setter)
        self.works = bool(self.setters)

    def set(self, threads):
        for setter in self.setters:
            setter(ctypes.c_int(threads))
