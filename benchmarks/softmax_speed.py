"""Milliseconds per full-softmax training step on a CPU: the two ways of scoring, with and without the allocator.

    python benchmarks/softmax_speed.py [--targets 3400] [--dim 128] [--items 3123] [--threads 1] [--repeats 10]

One step = scores of ``targets`` positions against all ``items`` (matmul + bias), cross-entropy, backward. Two
scorings: ``rep @ E[1:].T + b`` (a transposed view) and ``F.linear(rep, E[1:], b)`` (what
``InterestModel.logits`` uses). Each allocator setting runs in its own subprocess, because
:func:`lessons.casestudy.allocator.keep_freed_memory` changes the whole process. Numbers are printed, never
asserted; they depend on the machine and on how busy it is.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

CHILD = r"""
import json, sys, time
import torch, torch.nn.functional as F
a = json.loads(sys.argv[1])
if a["allocator"] == "keep":
    from lessons.casestudy.allocator import keep_freed_memory
    keep_freed_memory()
torch.set_num_threads(a["threads"]); torch.manual_seed(0)
rep = torch.randn(a["targets"], a["dim"], requires_grad=True)
emb = torch.randn(a["items"] + 1, a["dim"], requires_grad=True)
bias = torch.zeros(a["items"], requires_grad=True)
t = torch.randint(0, a["items"], (a["targets"],))
ways = {"rep @ E.T + b": lambda: rep @ emb[1:].T + bias, "F.linear": lambda: F.linear(rep, emb[1:], bias)}
out = {}
for name, score in ways.items():
    F.cross_entropy(score(), t).backward()  # warm-up
    t0 = time.perf_counter()
    for _ in range(a["repeats"]):
        F.cross_entropy(score(), t).backward()
    out[name] = 1e3 * (time.perf_counter() - t0) / a["repeats"]
print(json.dumps(out))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = {"targets": 3400, "dim": 128, "items": 3123, "threads": 1, "repeats": 10}
    for name, default in sizes.items():
        parser.add_argument(f"--{name}", type=int, default=default, help=f"default {default}")
    args = parser.parse_args(argv)
    print(f"{args.targets} targets x {args.items} items, d = {args.dim}, {args.threads} thread(s): ms per step")
    print(f"{'allocator':<10} {'rep @ E.T + b':>14} {'F.linear':>10}")
    for allocator in ("default", "keep"):
        payload = json.dumps({**vars(args), "allocator": allocator})
        out = subprocess.run([sys.executable, "-c", CHILD, payload], capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{allocator:<10} {r['rep @ E.T + b']:14.1f} {r['F.linear']:10.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
