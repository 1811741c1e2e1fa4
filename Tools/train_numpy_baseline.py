#!/usr/bin/env python3
"""A plain numpy baseline for `lepton train` on the digits MLP: the same model, loss, optimizer
and batching, written out by hand, to compare losses, accuracy and speed against.

    x f32[N, 64] -> linear 64->128 + relu -> linear 128->64 + relu -> linear 64->10
    loss: softmax cross-entropy, mean over the batch
    backward by hand; Adam with PyTorch's formulas (torch.optim.Adam, lr 1e-3 by default)
    batch 32, shuffled every epoch (the last, smaller batch included)

Weights start as PyTorch's nn.Linear does: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Everything is float32, as in Lepton. Each epoch prints its mean training loss, the test
accuracy and the training loop's samples/s; the last line is the mean samples/s of the steady
epochs (all but the first, which warms caches and the allocator).

Run from the repository root (needs numpy only):
    python3 Tools/train_numpy_baseline.py                  # 5 epochs
    python3 Tools/train_numpy_baseline.py --epochs 20 --seed 1 --lr 3e-3
Data: graphs/data/digits_train.npz and digits_test.npz (x f32[N, 64], y i64[N]), written by
Tools/gen_training_data.py. With seed 0: 92.5% test accuracy after 5 epochs, 97-98% after 20
(the backward pass agrees with central finite differences to 4e-10 in float64).
"""
import argparse
import time

import numpy as np

F32 = np.float32
SIZES = [64, 128, 64, 10]


def init_params(rng):
    """nn.Linear's default: kaiming_uniform(a=sqrt(5)) for weights, which is U(±1/sqrt(fan_in)),
    and the same bound for biases. Weights are stored [in, out] (x @ w)."""
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, size=(fan_in, fan_out)).astype(F32))
        params.append(rng.uniform(-bound, bound, size=(fan_out,)).astype(F32))
    return params


def forward(params, x):
    """The logits and what backward needs (each layer's input and relu masks)."""
    w1, b1, w2, b2, w3, b3 = params
    h1 = np.maximum(x @ w1 + b1, F32(0))
    h2 = np.maximum(h1 @ w2 + b2, F32(0))
    return h2 @ w3 + b3, (x, h1, h2)


def loss_and_gradients(params, x, y):
    """Mean softmax cross-entropy over the batch and its gradient for every param."""
    w1, b1, w2, b2, w3, b3 = params
    logits, (x, h1, h2) = forward(params, x)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = x.shape[0]
    loss = -log_probs[np.arange(n), y].mean()
    d_logits = np.exp(log_probs)
    d_logits[np.arange(n), y] -= F32(1)
    d_logits /= F32(n)
    d_h2 = (d_logits @ w3.T) * (h2 > 0)
    d_h1 = (d_h2 @ w2.T) * (h1 > 0)
    grads = [x.T @ d_h1, d_h1.sum(axis=0), h1.T @ d_h2, d_h2.sum(axis=0), h2.T @ d_logits, d_logits.sum(axis=0)]
    return float(loss), grads


class Adam:
    """torch.optim.Adam (no weight decay, no amsgrad), in float32 like PyTorch on f32 params."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.lr, (self.beta1, self.beta2), self.eps = lr, betas, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads):
        self.t += 1
        bias_correction1 = 1 - self.beta1 ** self.t
        bias_correction2_sqrt = (1 - self.beta2 ** self.t) ** 0.5
        step_size = F32(-self.lr / bias_correction1)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += F32(1 - self.beta1) * (g - m)                      # exp_avg.lerp_(grad, 1 - beta1)
            v *= F32(self.beta2)
            v += F32(1 - self.beta2) * g * g                        # addcmul_(grad, grad, 1 - beta2)
            denom = np.sqrt(v) / F32(bias_correction2_sqrt) + F32(self.eps)
            p += step_size * m / denom                              # addcdiv_(m, denom, -step_size)


def accuracy(params, x, y):
    logits, _ = forward(params, x)
    return float((logits.argmax(axis=1) == y).mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train", default="graphs/data/digits_train.npz")
    parser.add_argument("--test", default="graphs/data/digits_test.npz")
    args = parser.parse_args()

    train, test = np.load(args.train), np.load(args.test)
    x, y = train["x"].astype(F32), train["y"].astype(np.int64)
    x_test, y_test = test["x"].astype(F32), test["y"].astype(np.int64)
    rng = np.random.default_rng(args.seed)
    params = init_params(rng)
    optimizer = Adam(params, lr=args.lr)
    print(f"numpy {np.__version__}: digits MLP {'-'.join(map(str, SIZES))}, {len(x)} training samples, "
          f"{len(x_test)} test samples, batch {args.batch}, Adam lr {args.lr:g}, seed {args.seed}")

    rates = []
    for epoch in range(1, args.epochs + 1):
        order = rng.permutation(len(x))
        total_loss = 0.0
        start = time.perf_counter()
        for first in range(0, len(x), args.batch):
            batch = order[first:first + args.batch]
            loss, grads = loss_and_gradients(params, x[batch], y[batch])
            optimizer.step(params, grads)
            total_loss += loss * len(batch)
        seconds = time.perf_counter() - start
        rates.append(len(x) / seconds)
        print(f"epoch {epoch:>{len(str(args.epochs))}}/{args.epochs}  loss {total_loss / len(x):.4f}  "
              f"test_acc {100 * accuracy(params, x_test, y_test):.1f}%  {seconds:.2f} s  {rates[-1]:.0f} samples/s")
    steady = rates[1:] or rates
    print(f"steady samples/s (epochs {2 if len(rates) > 1 else 1}-{len(rates)}): {sum(steady) / len(steady):.0f}")


if __name__ == "__main__":
    main()
