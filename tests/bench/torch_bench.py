#!/usr/bin/python3
"""torch_bench.py: the PyTorch side of `make bench` (scripts/bench/run.lua).

The same workloads as scripts/bench/charlm_step.lua and
scripts/bench/sample.lua, on PyTorch's CPU build (Debian's python3-torch),
in the same output format:

    rep <ms>      one line per repetition: milliseconds per unit
    rss_kb <n>    peak resident set size of the process (VmHWM)

    python3 tests/bench/torch_bench.py charlm --cell LSTM --vocab 65 \
        --hidden 256 --seq 100 --batch 32 --threads 2 --interop 1
    python3 tests/bench/torch_bench.py sample --hidden 256 --threads 1

--interop N calls torch.set_num_interop_threads(N) first, --threads 0
leaves PyTorch's default thread count; `import` only prints the RSS of
python with torch imported.  Debian's torch does not hand its thread count
to OpenBLAS: set OPENBLAS_NUM_THREADS as well (the driver does).  CI never
runs this file.
"""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def peak_rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def bench(fn, reps, warmup, min_time):
    """Same protocol as scripts/bench/common.lua: warm-up calls, calls per
    block doubled until a block takes min_time/10, then scaled to
    min_time; prints ms per call for each block."""
    for _ in range(warmup):
        fn()
    calls = 1
    while True:
        a = time.perf_counter()
        for _ in range(calls):
            fn()
        dt = time.perf_counter() - a
        if dt >= min_time / 10:
            calls = max(1, math.ceil(calls * min_time / dt))
            break
        calls *= 2
    for _ in range(reps):
        a = time.perf_counter()
        for _ in range(calls):
            fn()
        dt = time.perf_counter() - a
        print("rep %.6f" % (dt / calls * 1e3), flush=True)
    print("calls %d" % calls)


class CharLM(nn.Module):
    """nn.Embedding(V, H) -> nn.LSTM/GRU/RNN(H, H) -> nn.Linear(H, V)."""

    def __init__(self, cell, V, H):
        super().__init__()
        self.emb = nn.Embedding(V, H)
        self.rnn = getattr(nn, cell)(H, H)
        self.head = nn.Linear(H, V)

    def forward(self, x):
        y, _ = self.rnn(self.emb(x))  # (T, N, H)
        return self.head(y)           # (T, N, V)


def charlm(o):
    V, T, N = o.vocab, o.seq, o.batch
    model = CharLM(o.cell, V, o.hidden)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    data = torch.randint(0, V, (T + 1, N))
    x, y = data[:T].contiguous(), data[1:].contiguous()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x).view(T * N, V), y.view(T * N))
        loss.backward()
        opt.step()

    bench(step, o.reps, o.warmup, o.min_time)


def sample(o):
    """Greedy decoding one character at a time, state carried, batch 1."""
    V, H = o.vocab, o.hidden
    emb, rnn, head = nn.Embedding(V, H), nn.LSTM(H, H), nn.Linear(H, V)
    out = []
    st = {"x": torch.zeros(1, 1, dtype=torch.long), "state": None}

    def one_char():
        y, st["state"] = rnn(emb(st["x"]), st["state"])  # (1, 1, H)
        ix = head(y[0, 0]).argmax()
        out.append(ix.item())
        st["x"] = ix.view(1, 1)
        if len(out) > 10000:
            out.clear()

    with torch.no_grad():
        bench(one_char, o.reps, o.warmup, o.min_time)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["charlm", "sample", "import"])
    p.add_argument("--cell", default="LSTM", choices=["LSTM", "GRU", "RNN"])
    p.add_argument("--vocab", type=int, default=27)
    p.add_argument("--hidden", type=int, default=50)
    p.add_argument("--seq", type=int, default=25)
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--interop", type=int, default=0)
    p.add_argument("--reps", type=int, default=7)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--min_time", type=float, default=0.25)
    p.add_argument("--seed", type=int, default=1)
    o = p.parse_args()
    if o.interop > 0:
        torch.set_num_interop_threads(o.interop)
    if o.threads > 0:  # 0: PyTorch's default
        torch.set_num_threads(o.threads)
    torch.manual_seed(o.seed)
    if o.what == "charlm":
        charlm(o)
    elif o.what == "sample":
        sample(o)
    print("rss_kb %d" % peak_rss_kb())


if __name__ == "__main__":
    main()
