"""Tables built from the committed results of case study II (``results/<dataset>.jsonl``).

RecBole's published rows (:data:`RECBOLE_ML1M`) are copied from the file that holds them, RecBole's
``benchmark/js/leaderboard/ml-1m_seq.json`` at commit ``0d42ab00`` (2022-09-14; the file was removed from the
repository on 2022-11-04), key ``recbole2022leaderboard``; the framework is Zhao et al. (2021), ``zhao2021recbole``.
Each row is ONE run: the test score of the trial that was best on validation NDCG@10 in a small grid (GRU4Rec: four
learning rates x one or two layers, ``benchmark/hyper/sequential/GRU4Rec-ml-1m_seq.md``). They use the same protocol
as the book (ratings >= 3, 10-core, chronological leave-one-out, full ranking, at most 50 items of input) with item
embeddings of width 64, but a different machine, code base, training plan and tuning budget: context, not a contest.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons.casestudy.models import canonical_model_name
from lessons.evaluation.compare import paired_difference, run_label
from lessons.evaluation.metrics import KS
from lessons.evaluation.results import RESULTS_DIR, read_records, results_file

# RecBole's leaderboard for ml-1m_seq (see the module docstring): test HR@10, NDCG@10, MRR@10 and the parameter
# count, as printed in benchmark/js/leaderboard/ml-1m_seq.json @ 0d42ab00.
RECBOLE_SOURCE = "RecBole leaderboard"  # the file and commit: see the module docstring
RECBOLE_ML1M: dict[str, dict[str, float]] = {
    "GRU4Rec": {"hr@10": 0.2776, "ndcg@10": 0.1545, "mrr@10": 0.1171, "parameters": 281_920},
    "NARM": {"hr@10": 0.2662, "ndcg@10": 0.1471, "mrr@10": 0.1108, "parameters": 322_944},
    "SASRec": {"hr@10": 0.2468, "ndcg@10": 0.1286, "mrr@10": 0.0929, "parameters": 303_232},
    "RepeatNet (best row)": {"hr@10": 0.2844, "ndcg@10": 0.1662, "mrr@10": 0.1301, "parameters": 649_794},
}


def load_runs(dataset: str, results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """One row per training run in ``results/<dataset>.jsonl``: model (its :func:`run_label`, aliases such as
    ``fused-gru`` read as their canonical name), seed, metrics, cost.

    Columns: ``model, seed, test_<metric>, valid_<metric>, test_<metric>_lo/_hi`` (95% CI), ``train_minutes,
    epochs_run, best_epoch, n_parameters, n_train_targets, peak_rss_mb, dim, budget_minutes, planned_epochs,
    clock_cut`` (True when the wall-clock cap ended the run, which then is not exactly reproducible: see
    :func:`lessons.casestudy.train.fit`). Returns an empty frame if there are no results.
    """
    path = results_file(dataset, results_dir)
    if not path.exists():
        return pd.DataFrame(columns=["model", "seed"])
    rows = []
    for r in read_records(path):
        row: dict[str, Any] = {"model": run_label({**r, "model": _canonical(r["model"])}), "seed": r["seed"]}
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
            clock_cut=r.get("stopped_by") == "max_minutes",
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


def _canonical(name: str) -> str:
    """The one spelling of a model name (records written before names were normalised may hold an alias)."""
    try:
        return canonical_model_name(name)
    except ValueError:
        return name


def summarize_runs(runs: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """Mean and sample sd over seeds of test HR@k, NDCG@k, MRR@k per model and training plan, plus costs.

    A plan is the planned number of epochs and the ``--max-minutes`` budget: runs of one model under different
    plans are kept apart (columns ``planned_epochs``, ``budget_minutes``), never averaged. ``valid_ndcg@k_mean`` is
    there so that a row can be CHOSEN without looking at test numbers; ``clock_cut`` counts the seeds the wall
    clock stopped (not exactly reproducible). Sorted by mean test NDCG@k.
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
    out["clock_cut"] = g["clock_cut"].sum().astype(int) if "clock_cut" in runs else 0
    return out.reset_index().sort_values(f"test_ndcg@{k}_mean", ascending=False, ignore_index=True)


def _pm(mean: float, sd: float) -> str:
    return f"{mean:.4f}" if not np.isfinite(sd) else f"{mean:.4f} ± {sd:.4f}"


def load_baselines(dataset: str, results_dir: Path = RESULTS_DIR, masked: bool = False) -> pd.DataFrame:
    """Rows of ``results/baselines-<dataset>.jsonl`` (written by :mod:`lessons.baselines`), if present: the
    book's protocol, or with ``masked`` the runs with the hard seen-mask (never mixed in one table)."""
    path = results_file(f"baselines-{dataset}", results_dir)
    if not path.exists():
        return pd.DataFrame(columns=["model"])
    rows = []
    for r in read_records(path):
        if bool(r.get("mask_seen", False)) != masked:
            continue
        rows.append(
            {
                "model": r.get("label", r.get("baseline", r.get("model"))),
                **{f"test_{k}": v for k, v in r["test"].items() if k not in ("ci", "n_users")},
            }
        )
    return pd.DataFrame(rows)


def comparison_table(dataset: str, k: int = 10, results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """Our models (mean ± sd over seeds), our baselines and, for ML-1M, RecBole's published rows.

    Columns: ``source, model, seeds, plan, HR@k, NDCG@k, MRR@k, minutes, epochs, parameters``; ``plan`` is the
    planned epochs and the time cap of our runs (e.g. ``9 ep, ≤15 min``), followed by ``(n cut by the clock)`` when
    the time cap ended ``n`` of the seeds (those runs depend on the machine's speed and are not exactly
    reproducible; rerun them with ``--max-batches``); ``epochs`` the mean number they ran (fewer when early
    stopping or the time cap ended a run).
    """
    if dataset not in ("ml-100k", "ml-1m", "toy"):
        raise ValueError(f"dataset must be 'ml-100k' or 'ml-1m', got {dataset!r}")
    if k not in KS:
        raise ValueError(f"k must be one of {KS} (the cut-offs every record holds), got {k!r}")
    rows = []
    summary = summarize_runs(load_runs(dataset, results_dir), k)
    for _, r in summary.iterrows():
        rows.append(
            {
                "source": "this book",
                "model": r["model"],
                "seeds": int(r["seeds"]),
                "plan": f"{int(r['planned_epochs'])} ep, ≤{r['budget_minutes']:g} min"
                        + (f" ({int(r['clock_cut'])} cut by the clock)" if r.get("clock_cut", 0) else ""),
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
                    "source": RECBOLE_SOURCE,
                    "model": name,
                    "seeds": 1,
                    "HR@10": f"{m['hr@10']:.4f}",
                    "NDCG@10": f"{m['ndcg@10']:.4f}",
                    "MRR@10": f"{m['mrr@10']:.4f}",
                    "minutes": "",
                    "epochs": "",
                    "plan": "",
                    "parameters": f"{m['parameters']:,}",
                }
            )
    return pd.DataFrame(rows)


def leaderboard_hr10(rows: Sequence[str] = ("GRU4Rec", "RepeatNet (best row)", "SASRec")) -> dict[str, float]:
    """Published HR@10 of some :data:`RECBOLE_ML1M` rows, labelled ``'<model> (RecBole)'`` for a figure legend."""
    return {f"{name.split(' (')[0]} (RecBole)": RECBOLE_ML1M[name]["hr@10"] for name in rows}


def versus_leaderboard(hr: float, ndcg: float, k: int = 10, mrr: float | None = None) -> pd.DataFrame:
    """Our ``hr``, ``ndcg`` (and ``mrr`` when given), at 10, minus each RecBole ML-1M row: columns ``row, HR@10,
    NDCG@10, MRR@10, parameters, ΔHR@10, ΔNDCG@10, ΔMRR@10`` (positive = ours is higher; ΔMRR@10 NaN without
    ``mrr``)."""
    if k != 10:
        raise ValueError(f"the leaderboard reports k = 10 only, got k={k}")
    rows = [
        {"row": name, "HR@10": m["hr@10"], "NDCG@10": m["ndcg@10"], "MRR@10": m["mrr@10"],
         "parameters": m["parameters"], "ΔHR@10": hr - m["hr@10"], "ΔNDCG@10": ndcg - m["ndcg@10"],
         "ΔMRR@10": np.nan if mrr is None else mrr - m["mrr@10"]}
        for name, m in RECBOLE_ML1M.items()
    ]
    return pd.DataFrame(rows)


def seen_bias_table(
    datasets: Sequence[str], model: str = "full-gru", metric: str = "ndcg@10", results_dir: Path = RESULTS_DIR,
    plans: dict[str, int] | None = None,
) -> pd.DataFrame:
    """What the seen-item bias learned and what it bought, per data set.

    Columns: ``dataset, runs`` (runs that record a learned ``seen_weight``), ``beta mean, beta min, beta max``,
    and for ``model``: ``with bias, without bias`` (mean ``metric``), ``gain, gain lo, gain hi`` (paired per-user
    difference and its seed-aware 95% interval, :func:`~lessons.evaluation.compare.paired_difference`; NaN where
    one of the two was not run). ``plans``: ``{dataset: planned epochs}`` for data sets whose results file holds
    several plans (only that plan's runs are read). Data sets with no run of a model with the bias are left out.
    """
    plans = plans or {}
    rows = []
    for dataset in datasets:
        path = results_file(dataset, results_dir)
        if not path.exists():
            continue
        epochs = plans.get(dataset)
        records = [r for r in read_records(path) if epochs is None or r.get("config", {}).get("epochs") == epochs]
        beta = [r["learned"]["seen_weight"] for r in records if "seen_weight" in r.get("learned", {})]
        if not beta:
            continue
        labels = {run_label(r) for r in records}
        both = {f"{model}+seen", model} <= labels  # compare only where the model was trained both ways
        pair = paired_difference(dataset, f"{model}+seen", model, metric, results_dir, epochs=epochs) if both else None
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

