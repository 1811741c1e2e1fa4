#!/usr/bin/env python3
"""Prints expected parameter-initializer values for ParametersTests.swift, computed
independently from the spec text in CONTRACT.md (seed XOR fnv1a64(name); SplitMix64 draws;
uniform = low + (high-low)*u, u = (next >> 11) * 2^-53; normal = Box-Muller cosine branch
with u1 = 1 - unit(), u2 = unit(); glorot/he fans). Run: python3 Tools/initializer_values.py
"""
import math

import numpy as np

MASK = (1 << 64) - 1


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def splitmix64(seed):
    state = seed
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def units(name, seed):
    for x in splitmix64(seed ^ fnv1a64(name)):
        yield (x >> 11) * 2.0**-53


def uniform(name, seed, count, low, high):
    u = units(name, seed)
    return [low + (high - low) * next(u) for _ in range(count)]


def normal(name, seed, count, mean, std):
    u = units(name, seed)
    out = []
    for _ in range(count):
        u1 = 1.0 - next(u)
        u2 = next(u)
        out.append(mean + std * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2))
    return out


def fans(shape):
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def show(label, values, dtype):
    print(label, [repr(float(v)) for v in np.array(values, dtype=dtype)])


show("uniform w f32[2,3] low -0.1 high 0.1 seed 1:", uniform("w", 1, 6, -0.1, 0.1), np.float32)
show("normal layer.w f64[4] mean 0.5 std 0.02 seed 7:", normal("layer.w", 7, 4, 0.5, 0.02), np.float64)
fi, fo = fans([3, 2])
limit = math.sqrt(6 / (fi + fo))
show("glorot w1 f32[3,2] seed 1:", uniform("w1", 1, 6, -limit, limit), np.float32)
fi, fo = fans([4, 2, 3])
limit = math.sqrt(6 / (fi + fo))
show("glorot k f64[4,2,3] seed 0 (first 4):", uniform("k", 0, 24, -limit, limit)[:4], np.float64)
fi, _ = fans([2, 3, 2, 2])
show("he c.w f32[2,3,2,2] seed 3 (first 4):", normal("c.w", 3, 24, 0.0, math.sqrt(2 / fi))[:4], np.float32)
fi, fo = fans([5])
limit = math.sqrt(6 / (fi + fo))
show("glorot b f64[5] seed 2:", uniform("b", 2, 5, -limit, limit), np.float64)
