"""Seconds per training epoch and peak memory of every case-study model on ML-1M (or ML-100K).

    python benchmarks/train_speed.py [--dataset ml-1m] [--batches 3] [--batch-size 128] [--threads 1] [--dim 64]
        [--seen-bias] [--allocator keep|default] [--parallel 1] [--models full-gru ...] [--loss reference fp32 bf16]

``--loss``: ``reference`` scores with ``InterestModel.logits`` and ``F.cross_entropy`` (the logits matrix built,
stored and walked several times); ``fp32`` / ``bf16`` with ``InterestModel.loss``, the fused chunked full softmax of
:mod:`lessons.casestudy.softmax_loss` in that precision (bf16 pays only with bf16 matrix units; printed first).
Wall seconds and the process's CPU seconds per batch are both printed: on a busy machine the CPU seconds of a
one-thread run are the steadier number.

``--allocator default`` leaves glibc's malloc as it is; ``keep`` (what training does) calls
:func:`lessons.casestudy.allocator.keep_freed_memory` first. ``--parallel 2`` starts two copies of each model
at once, to see what one core gets while the other is busy (how the case-study queue runs).

Each model runs in its own subprocess so that its peak resident memory (``ru_maxrss``: data + numpy + torch,
the whole process) is its own. A few training batches (forward, full-softmax loss, backward, Adam step) are
timed after one warm-up batch, and the seconds per epoch are EXTRAPOLATED: mean seconds per batch x number of
batches in an epoch. Numbers depend on the machine and on how busy it is; they are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

MODELS = (
    "short-gru",
    "short-lstm",
    "full-gru",
    "full-lstm",
    "long",
    "fused-lstur-gru",
    "fused-lstur-lstm",
    "fused-gate-gru",
    "fused-gate-lstm",
)

CHILD = r"""
import json, math, resource, sys, time
import numpy as np, torch, torch.nn.functional as F
from lessons.casestudy.inputs import make_windows
from lessons.casestudy.train import TrainConfig, build_model
from lessons.data import load_split
args = json.loads(sys.argv[1])
torch.set_num_threads(args["threads"])
if args["allocator"] == "keep":
    from lessons.casestudy.allocator import keep_freed_memory
    keep_freed_memory()
split = load_split(args["dataset"])
cfg = TrainConfig(model=args["model"], batch_size=args["batch_size"], dim=args["dim"], seen_bias=args["seen_bias"])
w = make_windows(split.train, split.train_times, cfg.max_len, cfg.stride)
model = build_model(cfg, split.n_items, split.n_users)
opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
rng = np.random.default_rng(0)
times, cpu = [], []
for b in range(args["batches"] + 1):
    idx = rng.choice(len(w), cfg.batch_size, replace=False)
    t0, c0 = time.perf_counter(), time.process_time()
    x, t = torch.from_numpy(w.items[idx]), torch.from_numpy(w.targets[idx])
    rep = model(x, torch.from_numpy(w.users[idx]), torch.from_numpy(w.gaps[idx]))
    mask = t > 0
    seen = model.causal_seen(x)[mask] if cfg.seen_bias else None
    if args["loss"] == "reference":
        loss = F.cross_entropy(model.logits(rep[mask], seen), t[mask] - 1)
    else:
        loss = model.loss(rep[mask], t[mask] - 1, seen, precision=args["loss"])
    opt.zero_grad(); loss.backward(); opt.step()
    if b:
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
n_batches = math.ceil(len(w) / cfg.batch_size)
print(json.dumps({"model": args["model"], "sec_per_batch": float(np.mean(times)),
                  "cpu_sec_per_batch": float(np.mean(cpu)), "loss": args["loss"],
                  "batches_per_epoch": n_batches,
                  "sec_per_epoch_extrapolated": float(np.mean(times)) * n_batches,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "n_parameters": sum(p.numel() for p in model.parameters())}))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ml-1m", choices=["ml-100k", "ml-1m"])
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--models", nargs="*", default=list(MODELS))
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--seen-bias", action="store_true")
    parser.add_argument("--allocator", choices=["keep", "default"], default="keep")
    parser.add_argument("--parallel", type=int, default=1, help="copies of each model run at the same time")
    parser.add_argument("--loss", nargs="*", default=["reference", "fp32"], choices=["reference", "fp32", "bf16"],
                        help="reference: F.cross_entropy over the logits; fp32/bf16: the fused, chunked loss")
    args = parser.parse_args(argv)
    print(f"threads {args.threads}, parallel copies {args.parallel}, dim {args.dim}, seen bias {args.seen_bias}, "
          f"allocator {args.allocator}")
    from lessons.casestudy.softmax_loss import cpu_has_bf16_units

    print(f"bf16 matrix units on this CPU: {cpu_has_bf16_units()} (bf16 without them is emulated: slow)")
    print(
        f"{'model':<18} {'loss':<9} {'s/batch':>8} {'cpu s/batch':>11} {'batches':>8} {'s/epoch (extrapolated)':>23} "
        f"{'peak RSS MiB':>13} {'params':>9}"
    )
    for model, loss in [(m, x) for m in args.models for x in args.loss]:
        payload = json.dumps(
            {
                "model": model,
                "dataset": args.dataset,
                "batches": args.batches,
                "batch_size": args.batch_size,
                "threads": args.threads,
                "dim": args.dim,
                "seen_bias": args.seen_bias,
                "allocator": args.allocator,
                "loss": loss,
            }
        )
        procs = [
            subprocess.Popen([sys.executable, "-c", CHILD, payload], stdout=subprocess.PIPE, text=True)
            for _ in range(args.parallel)
        ]
        for proc in procs:
            stdout, _ = proc.communicate()
            if proc.returncode:
                raise SystemExit(f"{model}: child failed with exit code {proc.returncode}")
            r = json.loads(stdout.strip().splitlines()[-1])
            print(
                f"{r['model']:<18} {r['loss']:<9} {r['sec_per_batch']:8.3f} {r['cpu_sec_per_batch']:11.3f} "
                f"{r['batches_per_epoch']:8d} "
                f"{r['sec_per_epoch_extrapolated']:23.0f} {r['peak_rss_mb']:13.0f} {r['n_parameters']:9,d}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
