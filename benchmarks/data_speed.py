"""Print how long the data pipeline and the evaluation take (numbers, not asserts).

    python benchmarks/data_speed.py            # ML-1M, budget: load+filter <= 5 s, evaluate <= 2 s

Steps timed (best of ``--repeat`` runs, wall clock, this machine):
1. read ML-1M out of the wheel and sort it (uncached);
2. RecBole filtering (ratings >= 3, 10-core);
3. build the leave-one-out split; read it back from the npz cache;
4. rank every test user's target among all items and compute HR/NDCG/MRR@{5,10,20} from a given
   (n_users, n_items) float32 score matrix; plus the bootstrap intervals.
"""

from __future__ import annotations

import argparse
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np

from lessons import data
from lessons.data.split import read_split, save_split
from lessons.evaluation.metrics import evaluate, target_ranks


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Smallest wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=data.DATASETS, default="ml-1m")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    out: dict[str, float | int | str] = {"dataset": args.dataset}
    t_load, df = best_of(lambda: data.load_movielens(args.dataset), args.repeat)
    t_filter, filtered = best_of(lambda: data.apply_recbole_protocol(df), args.repeat)
    t_split, split = best_of(lambda: data.build_split(filtered, args.dataset, "recbole"), args.repeat)
    out.update(load_s=round(t_load, 3), filter_s=round(t_filter, 3), split_s=round(t_split, 3),
               load_filter_s=round(t_load + t_filter, 3))
    with TemporaryDirectory() as tmp:
        path = Path(tmp) / "split.npz"
        save_split(split, path)
        t_cache, _ = best_of(lambda: read_split(path), args.repeat)
    out["cached_split_s"] = round(t_cache, 4)

    rng = np.random.default_rng(0)
    scores = rng.standard_normal((split.n_users, split.n_items), dtype=np.float32)
    targets = split.targets("test")
    tracemalloc.start()
    t_eval, metrics = best_of(lambda: evaluate(target_ranks(scores, targets)), args.repeat)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    t_ci, _ = best_of(lambda: evaluate(target_ranks(scores, targets), ci=True), 1)
    out.update(users=split.n_users, items=split.n_items, evaluate_s=round(t_eval, 3),
               evaluate_peak_extra_mb=round(peak / 2**20, 1), evaluate_with_ci_s=round(t_ci, 3),
               random_scores_hr_at_10=round(metrics["hr@10"], 4), expected_random_hr_at_10=round(
                   10 / split.n_items, 4))
    print(json.dumps(out, indent=1))
    print(f"budget: load+filter {out['load_filter_s']} s (<= 5 s), evaluate {out['evaluate_s']} s (<= 2 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
