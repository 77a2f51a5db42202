"""Tables built from the committed results of case study II (``results/<dataset>.jsonl``).

RecBole's published rows are copied from the RecBole v1.1.1 leaderboard for ML-1M sequential
recommendation (Zhao et al., 2021, key ``zhao2021recbole``); they use the same protocol as the book
(ratings >= 3, 10-core, chronological leave-one-out, full ranking, at most 50 items of input), but a different
machine, code base and tuning budget, so they are context, not a contest.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons.provenance import RESULTS_DIR, read_records

# RecBole v1.1.1 leaderboard, ML-1M, sequential recommendation, test metrics (HR@10, NDCG@10).
RECBOLE_ML1M: dict[str, dict[str, float]] = {
    "GRU4Rec": {"hr@10": 0.2776, "ndcg@10": 0.1545},
    "SASRec": {"hr@10": 0.2468, "ndcg@10": 0.1286},
    "RepeatNet (best row)": {"hr@10": 0.2844, "ndcg@10": 0.1662},
}


def run_label(record: dict[str, Any]) -> str:
    """The name a run is grouped under: its model, plus ``'+seen'`` when it learned a seen-item bias.

    >>> run_label({"model": "full-gru", "config": {"seen_bias": True}})
    'full-gru+seen'
    """
    return record["model"] + ("+seen" if record.get("config", {}).get("seen_bias") else "")


def load_runs(dataset: str, results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """One row per training run in ``results/<dataset>.jsonl``: model (its :func:`run_label`), seed, metrics, cost.

    Columns: ``model, seed, test_<metric>, valid_<metric>, test_<metric>_lo/_hi`` (95% CI), ``train_minutes,
    epochs_run, best_epoch, n_parameters, n_train_targets, peak_rss_mb, dim, budget_minutes, planned_epochs``.
    Returns an empty frame if there are no results.
    """
    path = Path(results_dir) / f"{dataset}.jsonl"
    if not path.exists():
        return pd.DataFrame(columns=["model", "seed"])
    rows = []
    for r in read_records(path):
        row: dict[str, Any] = {"model": run_label(r), "seed": r["seed"]}
        for stage in ("valid", "test"):
            for key, value in r[stage].items():
                if key in ("ci", "n_users"):
                    continue
                row[f"{stage}_{key}"] = value
        for key, (lo, hi) in r["test"].get("ci", {}).items():
            row[f"test_{key}_lo"], row[f"test_{key}_hi"] = lo, hi
        row.update(
            train_minutes=r["train_seconds"] / 60.0,
            epochs_run=r["epochs_run"],
            best_epoch=r["best_epoch"],
            stopped_by=r.get("stopped_by"),
            n_parameters=r["n_parameters"],
            n_train_targets=r.get("n_train_targets"),
            peak_rss_mb=r["peak_rss_mb"],
            dim=r["config"]["dim"],
            budget_minutes=float(r["config"]["max_minutes"]),
            planned_epochs=int(r["config"]["epochs"]),
            created_utc=r.get("created_utc"),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def summarize_runs(runs: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """Mean and sample sd over seeds of test HR@k, NDCG@k, MRR@k per model and training plan, plus costs.

    A plan is the planned number of epochs and the ``--max-minutes`` budget: runs of one model under different
    plans are kept apart (columns ``planned_epochs``, ``budget_minutes``), never averaged. ``valid_ndcg@k_mean`` is
    there so that a row can be CHOSEN without looking at test numbers. Sorted by mean test NDCG@k.
    """
    keys = ["model", "planned_epochs", "budget_minutes"]
    if runs.empty:
        return pd.DataFrame(columns=[*keys, "seeds"])
    cols = [f"test_hr@{k}", f"test_ndcg@{k}", f"test_mrr@{k}"]
    g = runs.groupby(keys)
    out = g[cols].mean().add_suffix("_mean").join(g[cols].std(ddof=1).add_suffix("_sd"))
    out[f"valid_ndcg@{k}_mean"] = g[f"valid_ndcg@{k}"].mean()
    out["seeds"] = g.size()
    out["train_minutes"] = g["train_minutes"].mean()
    out["epochs_run"] = g["epochs_run"].mean()
    out["n_parameters"] = g["n_parameters"].first()
    out["peak_rss_mb"] = g["peak_rss_mb"].max()
    return out.reset_index().sort_values(f"test_ndcg@{k}_mean", ascending=False, ignore_index=True)


def _pm(mean: float, sd: float) -> str:
    return f"{mean:.4f}" if not np.isfinite(sd) else f"{mean:.4f} ± {sd:.4f}"


def load_baselines(dataset: str, results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """Rows of ``results/baselines-<dataset>.jsonl`` (written by :mod:`lessons.baselines`), if present."""
    path = Path(results_dir) / f"baselines-{dataset}.jsonl"
    if not path.exists():
        return pd.DataFrame(columns=["model"])
    rows = []
    for r in read_records(path):
        rows.append(
            {
                "model": r.get("baseline", r.get("model")),
                **{f"test_{k}": v for k, v in r["test"].items() if k not in ("ci", "n_users")},
            }
        )
    return pd.DataFrame(rows)


def headline_row(summary: pd.DataFrame, prefix: str = "fused", k: int = 10) -> pd.Series:
    """The row a chapter reports as "the best ``prefix`` model", chosen without test numbers.

    Among the rows of :func:`summarize_runs` whose model starts with ``prefix``, keep those with the most seeds,
    then take the best mean VALIDATION NDCG@k. Raises ``ValueError`` when no model starts with ``prefix``.
    """
    rows = summary[summary["model"].str.startswith(prefix)]
    if rows.empty:
        raise ValueError(f"no model in the summary starts with prefix={prefix!r}; models: {sorted(summary['model'])}")
    rows = rows[rows["seeds"] == rows["seeds"].max()]
    return rows.loc[rows[f"valid_ndcg@{k}_mean"].idxmax()]


def comparison_table(dataset: str, k: int = 10, results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """Our models (mean ± sd over seeds), our baselines and, for ML-1M, RecBole's published rows.

    Columns: ``source, model, seeds, plan, HR@k, NDCG@k, MRR@k, minutes, epochs, parameters``; ``plan`` is the
    planned epochs and the time cap of our runs (e.g. ``9 ep, ≤15 min``), ``epochs`` the mean number they ran
    (fewer when early stopping or the time cap ended a run).
    """
    if dataset not in ("ml-100k", "ml-1m", "toy"):
        raise ValueError(f"dataset must be 'ml-100k' or 'ml-1m', got {dataset!r}")
    rows = []
    summary = summarize_runs(load_runs(dataset, results_dir), k)
    for _, r in summary.iterrows():
        rows.append(
            {
                "source": "this book",
                "model": r["model"],
                "seeds": int(r["seeds"]),
                "plan": f"{int(r['planned_epochs'])} ep, ≤{r['budget_minutes']:g} min",
                f"HR@{k}": _pm(r[f"test_hr@{k}_mean"], r[f"test_hr@{k}_sd"]),
                f"NDCG@{k}": _pm(r[f"test_ndcg@{k}_mean"], r[f"test_ndcg@{k}_sd"]),
                f"MRR@{k}": _pm(r[f"test_mrr@{k}_mean"], r[f"test_mrr@{k}_sd"]),
                "minutes": f"{r['train_minutes']:.1f}",
                "epochs": f"{r['epochs_run']:.3g}",
                "parameters": f"{int(r['n_parameters']):,}",
            }
        )
    base = load_baselines(dataset, results_dir)
    for _, r in base.iterrows():
        rows.append(
            {
                "source": "this book (baseline)",
                "model": r["model"],
                "seeds": 1,
                f"HR@{k}": f"{r[f'test_hr@{k}']:.4f}",
                f"NDCG@{k}": f"{r[f'test_ndcg@{k}']:.4f}",
                f"MRR@{k}": f"{r[f'test_mrr@{k}']:.4f}",
                "minutes": "",
                "epochs": "",
                "plan": "",
                "parameters": "",
            }
        )
    if dataset == "ml-1m" and k == 10:
        for name, m in RECBOLE_ML1M.items():
            rows.append(
                {
                    "source": "RecBole v1.1.1 leaderboard",
                    "model": name,
                    "seeds": "",
                    "HR@10": f"{m['hr@10']:.4f}",
                    "NDCG@10": f"{m['ndcg@10']:.4f}",
                    "MRR@10": "",
                    "minutes": "",
                    "epochs": "",
                    "plan": "",
                    "parameters": "",
                }
            )
    return pd.DataFrame(rows)


def user_groups(split: Any, n_groups: int = 3) -> np.ndarray:
    """Tercile (by default) of each user's training-sequence length: ``(n_users,)`` ints ``0..n_groups-1``."""
    if n_groups < 1:
        raise ValueError(f"n_groups must be >= 1, got {n_groups}")
    lengths = np.array([len(s) for s in split.train])
    edges = np.quantile(lengths, np.linspace(0, 1, n_groups + 1)[1:-1])
    return np.searchsorted(edges, lengths, side="right")


def per_user_metric(ranks: np.ndarray, metric: str = "ndcg@10") -> np.ndarray:
    """Per-user value of ``metric`` ('hr@K', 'ndcg@K' or 'mrr@K') from 1-based ranks ``(n_users,)``."""
    name, _, k = metric.partition("@")
    if name not in ("hr", "ndcg", "mrr") or not k.isdigit():
        raise ValueError(f"metric must look like 'ndcg@10', got {metric!r}")
    ranks = np.asarray(ranks, dtype=np.float64)
    hit = ranks <= int(k)
    if name == "hr":
        return hit.astype(np.float64)
    return np.where(hit, 1.0 / (np.log2(ranks + 1.0) if name == "ndcg" else ranks), 0.0)


def rank_matrix(
    dataset: str, models: Sequence[str] | None = None, results_dir: Path = RESULTS_DIR, epochs: int | None = None
) -> dict[str, np.ndarray]:
    """``{model: (n_seeds, n_users) test ranks}`` from the runs that stored ``test_ranks``; keys are
    :func:`run_label` names (e.g. ``'full-gru+seen'``).

    ``epochs`` keeps only the runs planned for that many epochs. The seeds of one model are stacked only if they
    share one plan (planned epochs and ``--max-minutes``); a model run under several plans raises ``ValueError``
    unless ``epochs`` picks one, so that runs of different plans are never averaged.
    """
    path = Path(results_dir) / f"{dataset}.jsonl"
    out: dict[str, list] = {}
    plans: dict[str, set] = {}
    if path.exists():
        for r in read_records(path):
            if "test_ranks" not in r or (models is not None and run_label(r) not in models):
                continue
            plan = (r.get("config", {}).get("epochs"), r.get("config", {}).get("max_minutes"))
            if epochs is not None and plan[0] != epochs:
                continue
            out.setdefault(run_label(r), []).append(r["test_ranks"])
            plans.setdefault(run_label(r), set()).add(plan)
    mixed = {m: sorted(p, key=str) for m, p in plans.items() if len(p) > 1}
    if mixed:
        raise ValueError(
            f"runs of one model under different plans (epochs, max_minutes) would be averaged: {mixed}; "
            "pass epochs= to choose one"
        )
    return {m: np.asarray(v) for m, v in out.items()}


def paired_difference(
    dataset: str,
    a: str,
    b: str,
    metric: str = "ndcg@10",
    results_dir: Path = RESULTS_DIR,
    seed: int = 0,
    epochs: int | None = None,
) -> dict[str, Any] | None:
    """Per-user paired comparison of two models on the same test users: mean ``metric`` of A and B (each
    user's value averaged over that model's seeds first), their difference A - B and a 95% bootstrap CI of it.

    ``a``, ``b``: :func:`run_label` names; ``epochs``: only runs of that plan (see :func:`rank_matrix`). Returns
    ``None`` if either model has no stored test ranks.
    """
    from lessons.metrics import bootstrap_ci

    ranks = rank_matrix(dataset, [a, b], results_dir, epochs=epochs)
    if a not in ranks or b not in ranks:
        return None
    va = np.mean([per_user_metric(r, metric) for r in ranks[a]], axis=0)
    vb = np.mean([per_user_metric(r, metric) for r in ranks[b]], axis=0)
    lo, hi = bootstrap_ci(va - vb, n_boot=1000, seed=seed)
    return {
        "dataset": dataset,
        "A": a,
        "B": b,
        "seeds A": len(ranks[a]),
        "seeds B": len(ranks[b]),
        f"{metric} A": float(va.mean()),
        f"{metric} B": float(vb.mean()),
        "A − B": float((va - vb).mean()),
        "95% CI low": lo,
        "95% CI high": hi,
    }


def matching_records(records: Sequence[dict[str, Any]], **config: Any) -> list[dict[str, Any]]:
    """The records whose ``config`` has every given value, e.g. ``matching_records(rs, threads=2, model="gru")``."""
    return [r for r in records if all(r.get("config", {}).get(k) == v for k, v in config.items())]


def best_on_validation(
    records: Sequence[dict[str, Any]], metric: str = "ndcg@10", **config: Any
) -> dict[str, Any]:
    """The record with the highest VALIDATION ``metric`` among those whose ``config`` matches every keyword.

    How a setting is chosen without looking at test numbers, e.g.
    ``best_on_validation(read_records(path), threads=2, model="fused-gate-gru")``. Raises ``ValueError`` when
    no record matches or a record has no such validation metric.
    """
    pool = matching_records(records, **config)
    if not pool:
        raise ValueError(f"no record has config {config!r} (searched {len(records)} records)")
    missing = [r.get("model") for r in pool if metric not in r.get("valid", {})]
    if missing:
        raise ValueError(f"metric {metric!r} is missing from the validation results of {missing}")
    return max(pool, key=lambda r: r["valid"][metric])


def versus_leaderboard(hr: float, ndcg: float, k: int = 10) -> pd.DataFrame:
    """Our ``hr`` and ``ndcg`` (at 10) minus each RecBole ML-1M row: columns ``row, HR@10, NDCG@10, ΔHR@10,
    ΔNDCG@10`` (positive = ours is higher)."""
    if k != 10:
        raise ValueError(f"the leaderboard reports k = 10 only, got k={k}")
    rows = [
        {"row": name, "HR@10": m["hr@10"], "NDCG@10": m["ndcg@10"], "ΔHR@10": hr - m["hr@10"],
         "ΔNDCG@10": ndcg - m["ndcg@10"]}
        for name, m in RECBOLE_ML1M.items()
    ]
    return pd.DataFrame(rows)


def seen_bias_table(
    datasets: Sequence[str], model: str = "full-gru", metric: str = "ndcg@10", results_dir: Path = RESULTS_DIR
) -> pd.DataFrame:
    """What the seen-item bias learned and what it bought, per data set.

    Columns: ``dataset, runs`` (runs that record a learned ``seen_weight``), ``beta mean, beta min, beta max``,
    and for ``model``: ``with bias, without bias`` (mean ``metric``), ``gain, gain lo, gain hi`` (paired per-user
    difference and its 95% bootstrap CI; NaN where one of the two was not run). Data sets with no run of a
    model with the bias are left out.
    """
    rows = []
    for dataset in datasets:
        path = Path(results_dir) / f"{dataset}.jsonl"
        if not path.exists():
            continue
        records = read_records(path)
        beta = [r["learned"]["seen_weight"] for r in records if "seen_weight" in r.get("learned", {})]
        if not beta:
            continue
        labels = {run_label(r) for r in records}
        both = {f"{model}+seen", model} <= labels  # compare only where the model was trained both ways
        pair = paired_difference(dataset, f"{model}+seen", model, metric, results_dir) if both else None
        rows.append(
            {
                "dataset": dataset,
                "runs": len(beta),
                "beta mean": float(np.mean(beta)),
                "beta min": float(np.min(beta)),
                "beta max": float(np.max(beta)),
                "with bias": pair[f"{metric} A"] if pair else np.nan,
                "without bias": pair[f"{metric} B"] if pair else np.nan,
                "gain": pair["A − B"] if pair else np.nan,
                "gain lo": pair["95% CI low"] if pair else np.nan,
                "gain hi": pair["95% CI high"] if pair else np.nan,
            }
        )
    return pd.DataFrame(rows)


def group_table(
    ranks: dict[str, np.ndarray],
    groups: np.ndarray,
    group_names: Sequence[str],
    metric: str = "ndcg@10",
    seed: int = 0,
) -> pd.DataFrame:
    """Mean ``metric`` per model and user group with a 95% bootstrap CI over the group's users.

    ranks: ``{model: (n_seeds, n_users)}``; a user's value is averaged over seeds first.
    groups: ``(n_users,)``
    ints indexing ``group_names``. Returns columns ``model, group, n_users, mean, lo, hi``.
    """
    from lessons.metrics import bootstrap_ci

    rows = []
    for model, r in ranks.items():
        r = np.atleast_2d(r)
        if r.shape[1] != len(groups):
            raise ValueError(f"ranks of {model!r} cover {r.shape[1]} users, groups {len(groups)}")
        values = np.mean([per_user_metric(row, metric) for row in r], axis=0)
        for g, name in enumerate(group_names):
            v = values[groups == g]
            lo, hi = bootstrap_ci(v, n_boot=1000, seed=seed)
            rows.append(
                {
                    "model": model,
                    "group": name,
                    "n_users": int(v.size),
                    "mean": float(v.mean()),
                    "lo": lo,
                    "hi": hi,
                }
            )
    return pd.DataFrame(rows)


def two_models_per_group(groups: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Two models of a :func:`group_table` side by side: columns ``group, a, b, apart`` (``a``/``b`` their mean
    metric; ``apart``: their 95% intervals do not overlap), groups in table order."""
    missing = {a, b} - set(groups["model"])
    if missing:
        raise ValueError(f"models {sorted(missing)} are not in the group table; it has {sorted(set(groups['model']))}")
    wide = groups.set_index(["group", "model"])
    rows = []
    for group in dict.fromkeys(groups["group"]):
        ra, rb = wide.loc[(group, a)], wide.loc[(group, b)]
        apart = bool(ra["lo"] > rb["hi"] or rb["lo"] > ra["hi"])
        rows.append({"group": group, "a": float(ra["mean"]), "b": float(rb["mean"]), "apart": apart})
    return pd.DataFrame(rows)


def tercile_names(split: Any) -> tuple[np.ndarray, list[str]]:
    """Users' length terciles and readable names with the length ranges, e.g. ``'short (8-40)'``."""
    groups = user_groups(split, 3)
    lengths = np.array([len(s) for s in split.train])
    names = []
    for g, word in enumerate(("short", "medium", "long")):
        sel = lengths[groups == g]
        names.append(f"{word} ({sel.min()}–{sel.max()} items)" if sel.size else word)
    return groups, names
