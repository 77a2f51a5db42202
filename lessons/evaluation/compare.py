"""Comparing models fairly: per-user paired differences, groups of users, choosing a headline on validation.

Everything here reads committed results (``results/<name>.jsonl``, see :mod:`lessons.evaluation.results`):

* a run is grouped under :func:`run_label` (its model, ``+seen`` with a seen-item bias);
* :func:`hierarchical_bootstrap` is THE comparison method: the interval of a paired difference (same users) that
  resamples seeds AND users, so training randomness is part of the error (:data:`METHOD`);
* :func:`rank_matrix` stacks the per-user test ranks that runs store; :func:`paired_difference` compares two
  models with it, :func:`paired_groups` inside each group of users (:func:`user_groups`, :func:`tercile_names`),
  and :func:`verdict` turns an interval into the word a chapter glues;
* :func:`paired_runs` compares two lists of run records directly, on the seeds both hold (equal seeds in every
  arm), for campaigns whose runs are told apart by more than their label;
* :func:`group_table` describes ONE model per group (mean and an interval over the group's users): a picture,
  not a comparison;
* :func:`best_on_validation` and :func:`headline_row` choose what a chapter reports WITHOUT looking at test
  numbers.

Per-user metric values come from :func:`lessons.evaluation.metrics.per_user_metric`, the one formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons.checks import check_number, check_size
from lessons.data.split import SequentialSplit
from lessons.evaluation.metrics import bootstrap_ci, per_user_metric
from lessons.evaluation.results import RESULTS_DIR, read_records, results_file

__all__ = ["run_label", "matching_records", "best_on_validation", "headline_row", "rank_matrix",
           "paired_difference", "user_groups", "tercile_names", "group_table", "paired_groups", "signed",
           "interval_text", "verdict",
           "hierarchical_bootstrap", "hierarchical_contrast", "per_user_runs", "shared_seeds", "paired_runs", "METHOD"]

#: How every comparison of two models in Part III is made (see :func:`hierarchical_bootstrap`).
METHOD = "paired over users, seed-aware: hierarchical bootstrap over seeds and users (95%)"


def run_label(record: dict[str, Any]) -> str:
    """The name a run is grouped under: its model, plus ``'+history'`` when its long-term attention reads the
    whole history (``long_scope="history"``), ``'+seen'`` when it learned a seen-item bias and ``'+user-reg'``
    when its user embedding was regularised (``user_dropout`` or ``user_l2`` not zero).

    >>> run_label({"model": "full-gru", "config": {"seen_bias": True}})
    'full-gru+seen'
    >>> run_label({"model": "long", "config": {"seen_bias": True, "long_scope": "history", "user_l2": 0.01}})
    'long+history+seen+user-reg'
    """
    config = record.get("config", {})
    history = "+history" if config.get("long_scope", "window") == "history" else ""
    regularised = "+user-reg" if config.get("user_dropout") or config.get("user_l2") else ""
    return record["model"] + history + ("+seen" if config.get("seen_bias") else "") + regularised


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


def rank_matrix(
    dataset: str, models: Sequence[str] | None = None, results_dir: Path = RESULTS_DIR, epochs: int | None = None
) -> dict[str, np.ndarray]:
    """``{model: (n_seeds, n_users) test ranks}`` from the runs that stored ``test_ranks``; keys are
    :func:`run_label` names (e.g. ``'full-gru+seen'``).

    ``epochs`` keeps only the runs planned for that many epochs. The seeds of one model are stacked only if they
    share one plan (planned epochs and ``--max-minutes``); a model run under several plans raises ``ValueError``
    unless ``epochs`` picks one, so that runs of different plans are never averaged.
    """
    path = results_file(dataset, results_dir)
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
    n_boot: int = 2000,
) -> dict[str, Any] | None:
    """Paired, seed-aware comparison of two models on the same test users: mean ``metric`` of A and B (each
    user's value averaged over that model's seeds first), their difference A - B and its 95% interval from
    :func:`hierarchical_bootstrap` (seeds AND users resampled: the one comparison method of Part III).

    ``a``, ``b``: :func:`run_label` names; ``epochs``: only runs of that plan (see :func:`rank_matrix`). Returns
    ``None`` if either model has no stored test ranks.
    """
    ranks = rank_matrix(dataset, [a, b], results_dir, epochs=epochs)
    if a not in ranks or b not in ranks:
        return None
    va = np.stack([per_user_metric(r, metric) for r in ranks[a]])  # (seeds A, users)
    vb = np.stack([per_user_metric(r, metric) for r in ranks[b]])
    ci = hierarchical_bootstrap(va, vb, n_boot=n_boot, seed=seed)
    return {
        "dataset": dataset,
        "A": a,
        "B": b,
        "seeds A": len(ranks[a]),
        "seeds B": len(ranks[b]),
        f"{metric} A": float(va.mean()),
        f"{metric} B": float(vb.mean()),
        "A − B": ci["diff"],
        "95% CI low": ci["lo"],
        "95% CI high": ci["hi"],
        "method": METHOD,
    }


def user_groups(split: SequentialSplit, n_groups: int = 3) -> np.ndarray:
    """Tercile (by default) of each user's training-sequence length: ``(n_users,)`` ints ``0..n_groups-1``."""
    if n_groups < 1:
        raise ValueError(f"n_groups must be >= 1, got {n_groups}")
    lengths = np.array([len(s) for s in split.train])
    edges = np.quantile(lengths, np.linspace(0, 1, n_groups + 1)[1:-1])
    return np.searchsorted(edges, lengths, side="right")


def tercile_names(split: SequentialSplit) -> tuple[np.ndarray, list[str]]:
    """Users' length terciles and readable names with the length ranges, e.g. ``'short (8-40)'``."""
    groups = user_groups(split, 3)
    lengths = np.array([len(s) for s in split.train])
    names = []
    for g, word in enumerate(("short", "medium", "long")):
        sel = lengths[groups == g]
        names.append(f"{word} ({sel.min()}–{sel.max()} items)" if sel.size else word)
    return groups, names


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


def paired_groups(
    ranks_a: np.ndarray,
    ranks_b: np.ndarray,
    groups: np.ndarray,
    group_names: Sequence[str],
    metric: str = "ndcg@10",
    n_boot: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Model A against model B inside every user group, paired and seed-aware.

    ranks_a: ``(n_seeds_a, n_users)`` 1-based test ranks (one row per seed); ranks_b likewise; groups:
    ``(n_users,)`` ints indexing ``group_names``. Returns one row per group: ``group, n_users, A, B, A − B, lo,
    hi`` (the :func:`hierarchical_bootstrap` 95% interval of the difference over the group's users and both
    models' seeds). Empty groups are left out.
    """
    ranks_a, ranks_b, groups = np.atleast_2d(ranks_a), np.atleast_2d(ranks_b), np.asarray(groups)
    if ranks_a.shape[1] != len(groups) or ranks_b.shape[1] != len(groups):
        raise ValueError(f"ranks must cover the {len(groups)} users of groups, got shapes {ranks_a.shape} and "
                         f"{ranks_b.shape}")
    va = np.stack([per_user_metric(r, metric) for r in ranks_a])
    vb = np.stack([per_user_metric(r, metric) for r in ranks_b])
    rows = []
    for g, name in enumerate(group_names):
        sel = groups == g
        if not sel.any():
            continue
        ci = hierarchical_bootstrap(va[:, sel], vb[:, sel], n_boot=n_boot, seed=seed)
        rows.append({"group": name, "n_users": int(sel.sum()), "A": float(va[:, sel].mean()),
                     "B": float(vb[:, sel].mean()), "A − B": ci["diff"], "lo": ci["lo"], "hi": ci["hi"]})
    return pd.DataFrame(rows)


def signed(x: float, digits: int = 4) -> str:
    """``x`` with a sign and ``digits`` decimals; a non-zero value that would print as zero gets one decimal more
    and keeps its sign, so that an interval's bound keeps its side of zero (``-0.00003`` reads ``-0.00003``, not
    ``-0.0000`` or ``+0.0000``), and an exact zero reads ``0.0000`` (``digits`` zeros)."""
    x = float(x)
    text = f"{x:+.{digits}f}"
    if text[1:] != f"{0:.{digits}f}":
        return text
    return f"{x:+.{digits + 1}f}" if x else f"{0:.{digits}f}"


def interval_text(diff: float, lo: float, hi: float, digits: int = 4) -> str:
    """``'+0.0120 [+0.0040, +0.0200]'``: a difference and its interval, each :func:`signed`."""
    return f"{signed(diff, digits)} [{signed(lo, digits)}, {signed(hi, digits)}]"


def verdict(lo: float, hi: float, better: str = "better than", worse: str = "worse than",
            unclear: str = "not distinguishable from") -> str:
    """The word a chapter may glue for an interval of A - B: ``better`` when it lies above 0, ``worse`` below,
    ``unclear`` when it holds 0 (no difference shown, which is not the same as no difference)."""
    return better if lo > 0 else worse if hi < 0 else unclear


def hierarchical_bootstrap(
    a: np.ndarray, b: np.ndarray, n_boot: int = 2000, level: float = 0.95, seed: int = 0, chunk: int = 200
) -> dict[str, float]:
    """Seed-aware interval of the paired difference ``mean(A) - mean(B)`` over the same users.

    a: ``(n_seeds_a, n_users)`` per-user metric values of model A, one row per training seed; b: likewise
    ``(n_seeds_b, n_users)`` for B (same users, same order). The point estimate averages each user over seeds,
    then over users. Each bootstrap replicate draws, independently and with replacement, ``n_seeds_a`` of A's
    seeds, ``n_seeds_b`` of B's seeds and ``n_users`` users, and recomputes the difference; so the interval
    holds both the spread between users and the spread between training runs (a model with one seed gets no
    seed spread: run more seeds). Noise that is specific to one (seed, user) pair is counted at both levels,
    so the interval errs on the wide side (the usual price of a two-level bootstrap).
    Returns ``{"diff", "lo", "hi", "seeds_a", "seeds_b", "n_users"}``: ``lo``, ``hi`` are the ``(1 - level) / 2``
    and ``(1 + level) / 2`` quantiles of ``n_boot`` replicates; deterministic for ``seed``.
    """
    out = hierarchical_contrast([a, b], [1.0, -1.0], n_boot=n_boot, level=level, seed=seed, chunk=chunk, names="ab")
    return {"diff": out["diff"], "lo": out["lo"], "hi": out["hi"], "seeds_a": out["seeds"][0],
            "seeds_b": out["seeds"][1], "n_users": out["n_users"]}


def hierarchical_contrast(
    groups: Sequence[np.ndarray], signs: Sequence[float], n_boot: int = 2000, level: float = 0.95, seed: int = 0,
    chunk: int = 200, names: Sequence[str] | None = None
) -> dict[str, Any]:
    """:func:`hierarchical_bootstrap` for any signed sum of models over the same users, e.g. the interaction
    ``(D1 − C1) − (D2 − C2)`` with ``signs=[1, -1, -1, 1]``. ``groups``: one ``(n_seeds_i, n_users)`` array per
    model (same users, same order); every replicate draws each model's seeds independently and the users once.
    Returns ``{"diff", "lo", "hi", "seeds" (per group), "n_users"}``. ``ValueError`` on mismatched shapes,
    non-finite values or a sign list of another length."""
    names = list(names) if names is not None else [f"groups[{i}]" for i in range(len(groups))]
    arrays = [np.asarray(g, dtype=np.float64) for g in groups]
    if len(signs) != len(arrays) or not arrays:
        raise ValueError(f"signs must give one sign per group, got {len(signs)} signs for {len(arrays)} groups")
    if any(x.ndim != 2 or x.size == 0 or x.shape[1] != arrays[0].shape[1] for x in arrays):
        raise ValueError(f"{' and '.join(names)} must be 2-D (n_seeds, n_users) with the same users, got shapes "
                         f"{' and '.join(str(x.shape) for x in arrays)}")
    if not all(np.all(np.isfinite(x)) for x in arrays):
        raise ValueError(f"{' and '.join(names)} must be finite (no NaN or infinite metric values)")
    n_boot = check_size("n_boot", n_boot)
    level = check_number("level", level, low=0.0, high=1.0, low_open=True)
    rng = np.random.default_rng(seed)
    n = arrays[0].shape[1]
    diffs = np.empty(n_boot)
    for lo in range(0, n_boot, chunk):
        m = min(chunk, n_boot - lo)
        total = np.zeros((m, n))
        for x, sign in zip(arrays, signs, strict=True):
            k = x.shape[0]
            total += sign * (rng.multinomial(k, np.full(k, 1.0 / k), size=m) / k) @ x  # (m, k) seed weights
        users = rng.multinomial(n, np.full(n, 1.0 / n), size=m) / n      # (m, n) user weights
        diffs[lo:lo + m] = (total * users).sum(axis=1)
    alpha = (1.0 - level) / 2.0
    qlo, qhi = np.quantile(diffs, [alpha, 1.0 - alpha])
    point = sum(sign * x.mean(axis=0).mean() for x, sign in zip(arrays, signs, strict=True))
    return {"diff": float(point), "lo": float(qlo), "hi": float(qhi), "seeds": [int(x.shape[0]) for x in arrays],
            "n_users": int(n)}


def per_user_runs(runs: Sequence[dict[str, Any]], metric: str = "ndcg@10", key: str = "test_ranks") -> np.ndarray:
    """``(n_runs, n_users)`` per-user ``metric`` from the stored ranks ``key`` (``test_ranks`` or
    ``test_ranks_masked``) of each run, in the order given; ``ValueError`` if the runs rank different numbers of
    users or one lacks ``key``."""
    missing = [r.get("seed") for r in runs if key not in r]
    if missing:
        raise ValueError(f"every run must store {key!r}; the runs of seeds {missing} do not")
    lengths = {len(r[key]) for r in runs}
    if len(lengths) > 1:
        raise ValueError(f"runs must rank the same test users, got {key} of lengths {sorted(lengths)}")
    return np.stack([per_user_metric(np.asarray(r[key]), metric) for r in runs])


def shared_seeds(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]) -> tuple[list, list]:
    """The runs of ``a`` and ``b`` restricted to the seeds both hold, each in seed order (equal seeds in every
    comparison); ``ValueError`` if one side holds a seed twice."""
    for name, runs in (("a", a), ("b", b)):
        seeds = [r["seed"] for r in runs]
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"{name} must hold one run per seed, got seeds {sorted(seeds)}")
    common = sorted({r["seed"] for r in a} & {r["seed"] for r in b})
    by_seed = lambda rs: [next(r for r in rs if r["seed"] == s) for s in common]  # noqa: E731
    return by_seed(a), by_seed(b)


def paired_runs(a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]], metric: str = "ndcg@10",
                key: str = "test_ranks", n_boot: int = 2000, seed: int = 0) -> dict[str, Any] | None:
    """:func:`hierarchical_bootstrap` of A − B over the seeds both lists of runs hold (:func:`shared_seeds`):
    ``{"diff", "lo", "hi", "seeds", "n_users"}``, or ``None`` when they share no seed."""
    a, b = shared_seeds(a, b)
    if not a:
        return None
    out = hierarchical_bootstrap(per_user_runs(a, metric, key), per_user_runs(b, metric, key), n_boot=n_boot,
                                 seed=seed)
    return {"diff": out["diff"], "lo": out["lo"], "hi": out["hi"], "seeds": len(a), "n_users": out["n_users"]}
