"""Milliseconds per training step of the seen-item bias: a dense indicator against a scatter-add at the seen columns.

    python benchmarks/seen_bias_speed.py [--rows 3400] [--seen 50] [--items 3123] [--dim 128] [--threads 2]

One step = full-softmax scores of ``rows`` positions (``F.linear``), plus beta at the items each row has already
read (``seen`` ids per row, like a 50-item window), cross-entropy and backward. "dense" builds the
``(rows, n_items)`` indicator of :func:`lessons.casestudy.softmax_loss.dense_seen_indicator` and adds ``beta * hit``;
"sparse" is what :meth:`InterestModel.logits` does. Numbers are printed, never asserted; they depend on the
machine and on how busy it is.
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from lessons.casestudy.models import InterestModel, ModelConfig
from lessons.casestudy.softmax_loss import dense_seen_indicator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sizes = {"rows": 3400, "seen": 50, "items": 3123, "dim": 128, "threads": 2, "repeats": 20}
    for name, default in sizes.items():
        parser.add_argument(f"--{name}", type=int, default=default, help=f"default {default}")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    config = ModelConfig(kind="full", cell="gru", n_items=args.items, n_users=1, dim=args.dim, dropout=0.0,
                         seen_bias=True)
    model = InterestModel(config)
    with torch.no_grad():
        model.seen_weight.fill_(-3.0)
    rep = torch.randn(args.rows, args.dim, requires_grad=True)
    seen = torch.randint(0, args.items + 1, (args.rows, args.seen))  # 0 = padding
    target = torch.randint(0, args.items, (args.rows,))

    def dense() -> torch.Tensor:
        plain = F.linear(model.out(rep), model.item_emb.weight[1:], model.item_bias)
        return plain + model.seen_weight * dense_seen_indicator(seen, args.items)

    ways = {"dense": dense, "sparse": lambda: model.logits(rep, seen)}
    torch.testing.assert_close(ways["dense"](), ways["sparse"]())  # same numbers before timing them
    print(f"{args.rows} rows x {args.items} items, {args.seen} seen per row, d = {args.dim}, "
          f"{args.threads} thread(s): ms per step (mean of {args.repeats})")
    for name, scores in ways.items():
        F.cross_entropy(scores(), target).backward()  # warm-up
        t0 = time.perf_counter()
        for _ in range(args.repeats):
            F.cross_entropy(scores(), target).backward()
        print(f"{name:<7} {1e3 * (time.perf_counter() - t0) / args.repeats:8.1f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
