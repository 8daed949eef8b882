"""NumPy peer of bench/vector-bench.ts: the hand-written BPTT of the well-known course assignment
(rnn_step_forward / rnn_step_backward, one step at a time), with a linear head and a squared-error
loss on every step, float64, batch 1.

    python3 numpy_bptt.py n m k T runs    ->  one JSON line: median µs/step, every sample, the version
"""
import json
import sys
import time

import numpy as np

n, m, k, T, runs = (int(a) for a in sys.argv[1:6])
rng = np.random.default_rng(0)
W = rng.uniform(-1, 1, (n, n)) * 0.9 / np.sqrt(n)
V = rng.uniform(-1, 1, (n, m))
b = rng.uniform(-0.1, 0.1, n)
U = rng.uniform(-1, 1, (k, n))
c = rng.uniform(-0.1, 0.1, k)
x = rng.uniform(-2, 2, (T, m))
y = rng.uniform(-1, 1, (T, k))
h0 = np.zeros(n)


def rnn_step_forward(xt, h_prev):
    return np.tanh(W @ h_prev + V @ xt + b)


def rnn_step_backward(dh, ht, h_prev, xt):
    ds = dh * (1 - ht * ht)
    return ds, np.outer(ds, h_prev), np.outer(ds, xt), ds, W.T @ ds


def once():
    h = np.empty((T, n))
    h_prev = h0
    for t in range(T):
        h_prev = h[t] = rnn_step_forward(x[t], h_prev)
    yhat = h @ U.T + c
    dz = yhat - y
    loss = 0.5 * np.sum(dz * dz)
    dW, dV, db = np.zeros((n, n)), np.zeros((n, m)), np.zeros(n)
    dU, dc = dz.T @ h, dz.sum(axis=0)
    dh_next = np.zeros(n)
    for t in range(T - 1, -1, -1):
        dh = U.T @ dz[t] + dh_next
        _, gW, gV, gb, dh_next = rnn_step_backward(dh, h[t], h[t - 1] if t > 0 else h0, x[t])
        dW += gW
        dV += gV
        db += gb
    return loss, dW, dV, db, dU, dc, dh_next


once()  # warm-up
samples = []
for _ in range(runs):
    t0 = time.process_time()
    once()
    samples.append((time.process_time() - t0) / T * 1e6)
s = sorted(samples)
mid = len(s) // 2
median = s[mid] if len(s) % 2 else 0.5 * (s[mid - 1] + s[mid])
print(json.dumps({"usPerStep": median, "samples": samples, "version": np.__version__}))
