"""PyTorch peer of bench/vector-bench.ts: nn.RNN(m, n) (tanh) + nn.Linear(n, k), float64, batch 1,
forward and backward over one sequence of T steps with a squared-error loss on every step.

    python3 torch_rnn.py n m k T runs [warm]  ->  one JSON line: median µs/step, every sample, the version

warm = 0 skips the warm-up pass (the end-to-end comparison, where ours pays its start-up too).

Each sample: zero the grads, run the RNN over the whole sequence, the head, the loss, backward().
"""
import json
import sys
import time

import torch

n, m, k, T, runs = (int(a) for a in sys.argv[1:6])
warm = len(sys.argv) < 7 or sys.argv[6] != "0"
torch.manual_seed(0)
torch.set_num_threads(1)
rnn = torch.nn.RNN(m, n, nonlinearity="tanh").double()
head = torch.nn.Linear(n, k).double()
x = torch.rand(T, 1, m, dtype=torch.float64) * 4 - 2
y = torch.rand(T, 1, k, dtype=torch.float64) * 2 - 1
h0 = torch.zeros(1, 1, n, dtype=torch.float64)
params = list(rnn.parameters()) + list(head.parameters())


def once():
    for p in params:
        p.grad = None
    out, _ = rnn(x, h0)
    loss = 0.5 * ((head(out) - y) ** 2).sum()
    loss.backward()
    return loss


if warm:
    once()
samples = []
for _ in range(runs):
    t0 = time.process_time()
    once()
    samples.append((time.process_time() - t0) / T * 1e6)
samples_sorted = sorted(samples)
mid = len(samples) // 2
median = samples_sorted[mid] if len(samples) % 2 else 0.5 * (samples_sorted[mid - 1] + samples_sorted[mid])
print(json.dumps({"usPerStep": median, "samples": samples, "version": torch.__version__, "threads": torch.get_num_threads()}))
