"""Strata by time: where in a data set does one model beat another? Users grouped by how their history spreads.

MovieLens is rated in sittings: many users rate everything within one day, and the test rating often carries the
same second as the last rating the model reads. Three per-user facts, from the split's timestamps
(:func:`user_time_strata`):

* **span**: days from the user's first event to the test event (the whole sequence, target included);
* **gap**: seconds from the last event the model reads (the validation event) to the test event;
* **same second**: the gap is zero.

:func:`strata_table` compares two models on the users of each band with the seed-aware paired interval of
:func:`lessons.evaluation.compare.hierarchical_bootstrap`; :func:`committed_strata` does it from the per-user test
ranks committed in ``results/<dataset>.jsonl``, :func:`run_strata` from any two lists of runs that store them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lessons.data.split import SequentialSplit, load_split
from lessons.evaluation.compare import hierarchical_bootstrap, per_user_runs, rank_matrix, signed, verdict
from lessons.evaluation.metrics import per_user_metric
from lessons.evaluation.results import RESULTS_DIR

__all__ = ["DAY", "SPAN_BANDS", "GAP_BANDS", "KEY_BANDS", "user_time_strata", "strata_table", "committed_strata",
           "run_strata", "key_band_rows", "strata_key_numbers"]

DAY = 86_400
#: (label, lower edge in days, upper edge in days) of the span bands; lower edge included.
SPAN_BANDS: tuple[tuple[str, float, float], ...] = (
    ("within one day", 0.0, 1.0), ("1–7 days", 1.0, 7.0), ("7–30 days", 7.0, 30.0),
    ("30–180 days", 30.0, 180.0), ("≥ 180 days", 180.0, np.inf),
)
#: (label, lower edge in seconds, upper edge in seconds) of the gap bands; lower edge included.
GAP_BANDS: tuple[tuple[str, float, float], ...] = (
    ("same second", 0.0, 1.0), ("1 s – 1 hour", 1.0, 3600.0), ("1 hour – 1 day", 3600.0, DAY),
    ("1–30 days", DAY, 30.0 * DAY), ("≥ 30 days", 30.0 * DAY, np.inf),
)


#: ``key: band`` of the rows a chapter quotes (:func:`strata_key_numbers`), in reading order.
KEY_BANDS: dict[str, str] = {"all": "all users", "day": "within one day", "long": "≥ 180 days",
                             "same": "same second", "later": "any later second"}


def _band(values: np.ndarray, bands: tuple[tuple[str, float, float], ...]) -> np.ndarray:
    labels = np.empty(len(values), dtype=object)
    for label, lo, hi in bands:
        labels[(values >= lo) & (values < hi)] = label
    return labels


def user_time_strata(split: SequentialSplit) -> pd.DataFrame:
    """One row per user (split order): ``span_days``, ``gap_seconds``, ``same_second`` and the ``span_band`` and
    ``gap_band`` labels of :data:`SPAN_BANDS` and :data:`GAP_BANDS`."""
    first = np.array([t[0] if len(t) else v for t, v in zip(split.train_times, split.valid_time, strict=True)])
    span = (split.test_time - first) / DAY
    gap = (split.test_time - split.valid_time).astype(np.float64)
    if np.any(gap < 0) or np.any(span < 0):
        raise ValueError("split must be chronological: a test event precedes an earlier event")
    return pd.DataFrame({"span_days": span, "gap_seconds": gap, "same_second": gap == 0,
                         "span_band": _band(span, SPAN_BANDS), "gap_band": _band(gap, GAP_BANDS)})


def strata_table(strata: pd.DataFrame, ranks_a: np.ndarray, ranks_b: np.ndarray, metric: str = "ndcg@10",
                 n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Model A against model B in every band of :func:`user_time_strata`, plus all users.

    ranks_a: ``(n_seeds_a, n_users)`` 1-based test ranks of A (one row per seed); ranks_b likewise. Returns one
    row per band: ``stratum`` ('all', 'span' or 'gap'; the last gap row, 'any later second', gathers every
    target that is not in the same second), ``band``, ``users``, ``share`` (of all
    users), the mean ``metric`` of A and B (each user averaged over seeds), ``A − B`` and its seed-aware 95 %
    interval ``lo``, ``hi`` (:func:`~lessons.evaluation.compare.hierarchical_bootstrap` over seeds and the
    band's users). Bands without users are left out.
    """
    va = np.stack([per_user_metric(r, metric) for r in np.atleast_2d(ranks_a)])
    vb = np.stack([per_user_metric(r, metric) for r in np.atleast_2d(ranks_b)])
    return _strata_rows(strata, va, vb, n_boot, seed)


def _strata_rows(strata: pd.DataFrame, va: np.ndarray, vb: np.ndarray, n_boot: int, seed: int) -> pd.DataFrame:
    """:func:`strata_table` from per-user metric values ``(n_seeds, n_users)`` of A and B."""
    if va.shape[1] != len(strata) or vb.shape[1] != len(strata):
        raise ValueError(f"ranks must cover the {len(strata)} users of strata, got shapes {va.shape} "
                         f"and {vb.shape}")
    groups = [("all", "all users", np.ones(len(strata), dtype=bool))]
    groups += [("span", label, (strata["span_band"] == label).to_numpy()) for label, _, _ in SPAN_BANDS]
    groups += [("gap", label, (strata["gap_band"] == label).to_numpy()) for label, _, _ in GAP_BANDS]
    groups += [("gap", "any later second", ~strata["same_second"].to_numpy())]
    rows = []
    for stratum, band, sel in groups:
        if not sel.any():
            continue
        ci = hierarchical_bootstrap(va[:, sel], vb[:, sel], n_boot=n_boot, seed=seed)
        rows.append({"stratum": stratum, "band": band, "users": int(sel.sum()), "share": float(sel.mean()),
                     "A": float(va[:, sel].mean()), "B": float(vb[:, sel].mean()), "A − B": ci["diff"],
                     "lo": ci["lo"], "hi": ci["hi"]})
    return pd.DataFrame(rows)


def committed_strata(dataset: str = "ml-1m", a: str = "fused-lstur-gru+seen", b: str = "full-gru+seen",
                     metric: str = "ndcg@10", epochs: int | None = 12, n_boot: int = 2000, seed: int = 0,
                     results_dir: Path = RESULTS_DIR) -> pd.DataFrame:
    """:func:`strata_table` of two committed models (:func:`~lessons.evaluation.compare.run_label` names) from
    the per-user test ranks in ``results/<dataset>.jsonl``, runs of the ``epochs`` plan only.

    Raises ``ValueError`` naming the models that have no stored ranks under that plan.
    """
    ranks = rank_matrix(dataset, [a, b], results_dir, epochs=epochs)
    missing = [m for m in (a, b) if m not in ranks]
    if missing:
        raise ValueError(f"no stored test ranks for {missing} in {dataset!r} with epochs={epochs}; "
                         f"models with ranks: {sorted(ranks)}")
    table = strata_table(user_time_strata(load_split(dataset)), ranks[a], ranks[b], metric, n_boot, seed)
    return table.assign(seeds_A=len(ranks[a]), seeds_B=len(ranks[b]))


def run_strata(runs_a: list[dict[str, Any]], runs_b: list[dict[str, Any]], split: SequentialSplit,
               metric: str = "ndcg@10", n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """:func:`strata_table` of two lists of result records (one per training seed, each with ``test_ranks`` in the
    order of ``split``'s users), with ``seeds_A`` and ``seeds_B``. ``ValueError`` naming the list when it is empty,
    and as :func:`~lessons.evaluation.compare.per_user_runs` says when a run stores no ``test_ranks``."""
    for name, runs in (("runs_a", runs_a), ("runs_b", runs_b)):
        if not runs:
            raise ValueError(f"{name} must hold at least one run, got none")
    values = [per_user_runs(runs, metric) for runs in (runs_a, runs_b)]
    table = _strata_rows(user_time_strata(split), *values, n_boot, seed)
    return table.assign(seeds_A=len(runs_a), seeds_B=len(runs_b))


def key_band_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of :data:`KEY_BANDS` of a :func:`strata_table`, indexed by band, in that order (a band without
    users has no row)."""
    t = table.set_index("band")
    return t.loc[[b for b in KEY_BANDS.values() if b in t.index], ["stratum", "users", "A", "B", "A − B", "lo", "hi"]]


def strata_key_numbers(table: pd.DataFrame, prefix: str = "cs_strata") -> dict[str, str]:
    """The numbers a chapter glues from a :func:`strata_table`: for all users, the within-one-day and the
    >= 180-day span bands, same-second targets and later ones, ``<prefix>_<row>_users`` (e.g. '3,806'),
    ``_share`` ('63.1 %'), ``_diff`` ('-0.0095'), ``_ci`` ('[-0.0152, -0.0042]') and ``_verdict`` (where the interval
lies: 'above zero', 'below zero' or 'not distinguishable from zero'); plus the seeds behind them."""
    t = table.set_index("band")
    out = {}
    for key, band in KEY_BANDS.items():
        r = t.loc[band]
        name = f"{prefix}_{key}"
        out.update({f"{name}_users": f"{int(r['users']):,}", f"{name}_share": f"{r['share']:.1%}",
                    f"{name}_diff": signed(r["A − B"]), f"{name}_ci": f"[{signed(r['lo'])}, {signed(r['hi'])}]",
                    f"{name}_verdict": verdict(r["lo"], r["hi"], "above zero", "below zero",
                                               "not distinguishable from zero")})
    if {"seeds_A", "seeds_B"} <= set(table.columns):
        out[f"{prefix}_seeds"] = f"{int(table['seeds_A'].iloc[0])} and {int(table['seeds_B'].iloc[0])}"
    return out
