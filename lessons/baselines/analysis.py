"""The protocol chapter's analyses of the baselines: result tables, sampled against full ranking, slots
wasted on items a user has already rated; and which baseline recovers which simulated interest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from lessons.baselines.base import Baseline, check_split, item_counts, per_user_ranks
from lessons.baselines.models import BASELINES, BPRMF, Markov1, Popularity, SequentialKNN
from lessons.checks import check_size
from lessons.data.simulate import SOURCES, Simulation
from lessons.data.split import SequentialSplit, check_stage
from lessons.evaluation.metrics import per_user_metrics, sampled_ranks, target_ranks

__all__ = ["results_table", "mask_table", "fit_from_record", "sampled_vs_full", "popular_items_already_seen",
           "seen_in_top_k", "default_models", "recovery_table"]


def results_table(records: Sequence[dict[str, Any]], stage: str = "test",
                  metrics: Sequence[str] = ("hr@10", "ndcg@10", "mrr@10")):
    """A pandas DataFrame with one row per baseline record: each metric at ``stage`` with its 95 % interval
    (columns ``<metric>``, ``<metric> lo``, ``<metric> hi``), the chosen hyper-parameters and fit seconds."""
    check_stage(stage)
    rows = []
    for rec in records:
        res = rec[stage]
        row: dict[str, Any] = {"baseline": rec["baseline"]}
        for m in metrics:
            if m not in res:
                raise ValueError(f"metrics must be among {sorted(k for k in res if '@' in k)}, got {m!r}")
            row[m] = res[m]
            lo, hi = res.get("ci", {}).get(m, (np.nan, np.nan))
            row[f"{m} lo"], row[f"{m} hi"] = lo, hi
        row["params"] = ", ".join(f"{k}={v}" for k, v in rec["params"].items() if k not in ("seed",))
        row["fit s"] = rec.get("fit_seconds", np.nan)
        rows.append(row)
    return pd.DataFrame(rows).set_index("baseline")


def mask_table(dataset: str, metrics: Sequence[str] = ("hr@10", "ndcg@10")) -> pd.DataFrame:
    """Every baseline of ``results/baselines-<dataset>.jsonl`` run both ways: under the book's protocol and with
    the hard seen-mask (tuned with it on validation, ``--mask-seen``). Columns: ``baseline``, each test metric
    without and with the mask, and the hyper-parameters chosen with it. Baselines run only one way are left out.
    """
    from lessons.baselines.tuning import load_results

    plain = {r["baseline"]: r for r in load_results(dataset)}
    masked = {r["baseline"]: r for r in load_results(dataset, masked=True)}
    rows = []
    for name in [n for n in plain if n in masked]:
        row: dict[str, Any] = {"baseline": name}
        for m in metrics:
            row[f"{m} without"] = plain[name]["test"][m]
            row[f"{m} with mask"] = masked[name]["test"][m]
        row["params with mask"] = ", ".join(f"{k}={v}" for k, v in masked[name]["params"].items() if k != "seed")
        rows.append(row)
    return pd.DataFrame(rows)


def fit_from_record(record: dict[str, Any], split: SequentialSplit, stage: str = "test") -> Baseline:
    """Refit the baseline of one results record (its chosen ``params``) on ``split`` at ``stage``."""
    name = record.get("baseline")
    if name not in BASELINES:
        raise ValueError(f"record['baseline'] must be one of {list(BASELINES)}, got {name!r}")
    return BASELINES[name](**record["params"]).fit(split, stage)


def sampled_vs_full(models: dict[str, Baseline], split: SequentialSplit, stage: str = "test", k: int = 10,
                    n_negatives: int = 100, seed: int = 0):
    """HR@k and NDCG@k of each fitted model under full ranking and under ``n_negatives`` uniformly sampled
    negatives (the same negatives for every model), with each model's position (1 = best) in both orders.
    Returns a pandas DataFrame indexed by model name."""
    check_split(split)
    targets = split.targets(stage)
    rows = []
    for name, model in models.items():
        scores = model.score(split.history(stage))
        full = per_user_metrics(target_ranks(scores, targets), (k,))
        sampled = per_user_metrics(sampled_ranks(scores, targets, n_negatives, seed=seed), (k,))
        rows.append({"model": name, f"hr@{k} full": full[f"hr@{k}"].mean(),
                     f"hr@{k} sampled": sampled[f"hr@{k}"].mean(),
                     f"ndcg@{k} full": full[f"ndcg@{k}"].mean(),
                     f"ndcg@{k} sampled": sampled[f"ndcg@{k}"].mean()})
    df = pd.DataFrame(rows).set_index("model")
    df["position full"] = df[f"hr@{k} full"].rank(ascending=False, method="min").astype(int)
    df["position sampled"] = df[f"hr@{k} sampled"].rank(ascending=False, method="min").astype(int)
    return df


def popular_items_already_seen(split: SequentialSplit, stage: str = "test", k: int = 10) -> dict[str, float]:
    """How much of the popularity top-``k`` a user has already rated, and how often the target was seen.

    Returns ``{"mean_seen_in_top_k": ..., "share_targets_in_history": ...}``: the mean number (over users) of
    the ``k`` most popular items (in ``split.history(stage)``) that are already in the user's history, and
    the share of users whose ``stage`` target is in their own history (a repeat).
    """
    check_split(split)
    check_stage(stage)
    k = check_size("k", k)
    hist = split.history(stage)
    top = np.argsort(-item_counts(hist, split.n_items), kind="stable")[:k]
    seen_top = np.array([np.isin(top, h).sum() for h in hist], dtype=np.float64)
    targets = split.targets(stage)
    repeat = np.array([t in set(h.tolist()) for t, h in zip(targets, hist, strict=True)], dtype=bool)
    return {"mean_seen_in_top_k": float(seen_top.mean()), "share_targets_in_history": float(repeat.mean())}


def seen_in_top_k(model: Baseline, split: SequentialSplit, stage: str = "test", k: int = 10) -> np.ndarray:
    """(n_users,) how many of the model's top-``k`` items each user has already rated (in
    ``split.history(stage)``): slots wasted under an unmasked protocol when users never repeat."""
    check_split(split)
    check_stage(stage)
    k = check_size("k", k)
    hist = split.history(stage)
    out = np.empty(split.n_users, dtype=np.int64)
    for lo, block in model.score_chunks(hist):
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        for r in range(len(block)):
            out[lo + r] = np.isin(top[r], hist[lo + r]).sum()
    return out


def default_models() -> dict[str, Any]:
    """The four baselines with fixed, untuned settings used on simulated data ."""
    return {"popularity": Popularity(), "markov1": Markov1(smoothing=1.0),
            "sknn": SequentialKNN(window=3, decay=0.6, neighbours=100, recent=20),
            "bpr": BPRMF(factors=32, reg=1e-3, epochs=10, lr=1e-2, batch_size=4096, seed=0)}


def recovery_table(sim: Simulation, models: dict[str, Any] | None = None, stage: str = "test",
                   k: int = 10) -> Any:
    """Which baseline recovers which interest: HR@``k`` (full ranking, unmasked) of each model on the
    simulated split, overall and split by the ground-truth source of the held-out event.

    models: name -> unfitted :class:`lessons.baselines.Baseline` (default :func:`default_models`); each is
    fitted on ``sim.to_split()`` at ``stage``. Returns a pandas DataFrame indexed by model with columns
    ``all``, ``long-term``, ``burst``, ``repeat`` (NaN where no target has that source) and a last row
    ``share of targets`` giving how many targets come from each source.
    """
    if not isinstance(sim, Simulation):
        raise ValueError(f"sim must be a Simulation, got {type(sim).__name__}")
    models = default_models() if models is None else models
    split = sim.to_split()
    source = sim.target_source(stage)
    rows = {}
    for name, model in models.items():
        hit = per_user_ranks(model.fit(split, stage), split, stage) <= k
        rows[name] = {"all": hit.mean(), **{s: hit[source == c].mean() if (source == c).any() else np.nan
                                            for c, s in enumerate(SOURCES)}}
    rows["share of targets"] = {"all": 1.0, **{s: float((source == c).mean()) for c, s in enumerate(SOURCES)}}
    return pd.DataFrame.from_dict(rows, orient="index")
