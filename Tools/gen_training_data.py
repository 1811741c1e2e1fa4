#!/usr/bin/env python3
"""Writes the training data sets under graphs/data/ that the example models train on
(`lepton train … --data graphs/data/NAME_train.npz`). The files are committed; the build and
the tests never run this script.

- digits_{train,test}.npz: the UCI handwritten digits as scikit-learn bundles them (1,797
  8x8 images, 10 classes). x: f32[N, 64], pixel values / 16 (in [0, 1]); y: i64[N], the digit.
  A fixed stratified split: per class, 20% of its samples (shuffled with a fixed seed) go to
  the test set, the rest to the training set.
- textclf_{train,test}.npz: a synthetic sequence task for graphs/textclf.graph. tokens:
  i64[N, 64], ids in [10, 10000); y: f32[N, 1], 1 when the marker token (id 7) occurs in
  the sequence, else 0 (half the samples each; a positive has 1 to 3 markers at random
  positions).
- xor.npz: the four classic XOR samples for graphs/xor.graph. x: f32[4, 3], the two bits
  and a constant 1 (a bias input); y: f32[4, 1], their exclusive or.

Run from the repository root (needs numpy and scikit-learn):
    python3 Tools/gen_training_data.py
Re-running rewrites identical arrays (the .npz bytes also hold zip timestamps).
"""
import os

import numpy as np

SEED = 20261123
MARKER = 7
SEQUENCE, VOCABULARY = 64, 10000
TEXT_TRAIN, TEXT_TEST = 2000, 500


def digits(out_dir):
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (data.data / 16.0).astype("<f4")
    y = data.target.astype("<i8")
    rng = np.random.default_rng(SEED)
    test = np.zeros(len(y), dtype=bool)
    for label in range(10):
        members = rng.permutation(np.flatnonzero(y == label))
        test[members[: round(0.2 * len(members))]] = True
    for name, mask in (("train", ~test), ("test", test)):
        path = os.path.join(out_dir, f"digits_{name}.npz")
        np.savez_compressed(path, x=x[mask], y=y[mask])
        print(f"wrote {path}: x f32{list(x[mask].shape)}, y i64{list(y[mask].shape)}, "
              f"classes {np.bincount(y[mask], minlength=10).tolist()}")


def textclf(out_dir):
    rng = np.random.default_rng(SEED + 1)
    for name, count in (("train", TEXT_TRAIN), ("test", TEXT_TEST)):
        tokens = rng.integers(10, VOCABULARY, size=(count, SEQUENCE), dtype=np.int64)
        labels = np.zeros((count, 1), dtype="<f4")
        positives = rng.permutation(count)[: count // 2]
        for row in positives:
            places = rng.choice(SEQUENCE, size=rng.integers(1, 4), replace=False)
            tokens[row, places] = MARKER
            labels[row, 0] = 1
        path = os.path.join(out_dir, f"textclf_{name}.npz")
        np.savez_compressed(path, tokens=tokens.astype("<i8"), y=labels)
        print(f"wrote {path}: tokens i64{list(tokens.shape)}, y f32{list(labels.shape)}, positives {int(labels.sum())}")


def xor(out_dir):
    x = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype="<f4")
    y = np.array([[0], [1], [1], [0]], dtype="<f4")
    path = os.path.join(out_dir, "xor.npz")
    np.savez_compressed(path, x=x, y=y)
    print(f"wrote {path}: x f32{list(x.shape)}, y f32{list(y.shape)}")


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = os.path.join(root, "graphs", "data")
    os.makedirs(out_dir, exist_ok=True)
    digits(out_dir)
    textclf(out_dir)
    xor(out_dir)


if __name__ == "__main__":
    main()
