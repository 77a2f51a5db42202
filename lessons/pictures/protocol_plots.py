"""Pictures of the evaluation protocol: the chronological leave-one-out split, the baseline table with its
bootstrap intervals, and how sampled metrics reorder models.

Pure functions: a split, results records or tables in, a matplotlib figure out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lessons.data import SequentialSplit
from lessons.pictures.palette import SPLIT

__all__ = ["leave_one_out", "baseline_intervals", "sampled_vs_full_plot"]

_C = SPLIT


def leave_one_out(
    split: SequentialSplit,
    users: Sequence[int] = (0, 1, 2, 3),
    max_len: int | None = None,
    stage: str = "test",
) -> Figure:
    """A few users' sequences as rows of dots, oldest left: training events, the validation item, the test
    item, and (darker) the last ``max_len`` history events a model reads when predicting ``stage``."""
    if not isinstance(split, SequentialSplit):
        raise ValueError(f"split must be a SequentialSplit, got {type(split).__name__}")
    users = list(users)
    if not users or min(users) < 0 or max(users) >= split.n_users:
        raise ValueError(f"users must be ids in 0..{split.n_users - 1}, got {users}")
    length = split.max_len if max_len is None else max_len
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(users) + 1.3))
    longest = 0
    for row, u in enumerate(users):
        n = len(split.train[u])
        x = np.arange(n + 2) - (n + 2)  # align the ends: the test item at x = -1
        hist_end = n if stage == "valid" else n + 1
        read = np.zeros(n + 2, dtype=bool)
        read[max(0, hist_end - length) : hist_end] = True
        y = np.full(n + 2, row)
        ax.scatter(x[:n][~read[:n]], y[:n][~read[:n]], s=10, color=_C["train"])
        ax.scatter(x[: n + 2][read], y[read], s=10, color=_C["input"])
        ax.scatter(x[n], row, s=60, color=_C["valid"], marker="s", zorder=3)
        ax.scatter(x[n + 1], row, s=80, color=_C["test"], marker="*", zorder=3)
        longest = max(longest, n + 2)
    ax.set_yticks(range(len(users)), [f"user {split.user_labels[u]}" for u in users])
    ax.set_xlabel("position counted from the end of the user's sequence")
    ax.set_xlim(-min(longest, 4 * length) - 1, 0.5)
    ax.invert_yaxis()
    handles = [
        plt.Line2D([], [], ls="", marker="o", color=_C["train"], label="training event"),
        plt.Line2D([], [], ls="", marker="o", color=_C["input"], label=f"read by the model (last {length})"),
        plt.Line2D([], [], ls="", marker="s", color=_C["valid"], label="validation item"),
        plt.Line2D([], [], ls="", marker="*", color=_C["test"], markersize=10, label="test item"),
    ]
    ax.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=4, frameon=False, fontsize=9
    )
    ax.set_title(f"{split.dataset}: chronological leave-one-out (predicting the {stage} item)")
    fig.tight_layout()
    return fig


def baseline_intervals(
    table: pd.DataFrame,
    metric: str = "ndcg@10",
    reference: Mapping[str, float] | None = None,
    title: str | None = None,
) -> Figure:
    """Each baseline's ``metric`` as a dot with its 95 % bootstrap interval (``table`` from
    :func:`lessons.baselines.results_table`), plus optional reference values drawn as green diamonds without
    intervals (e.g. published numbers from another paper, measured on a similar but not identical split)."""
    for col in (metric, f"{metric} lo", f"{metric} hi"):
        if col not in table.columns:
            raise ValueError(f"table must have a column {col!r}; has {list(table.columns)}")
    names = list(table.index)
    values = table[metric].to_numpy(dtype=float)
    lo, hi = table[f"{metric} lo"].to_numpy(dtype=float), table[f"{metric} hi"].to_numpy(dtype=float)
    ref = dict(reference or {})
    fig, ax = plt.subplots(figsize=(7, 0.45 * (len(names) + len(ref)) + 1.6))
    y = np.arange(len(names))
    ax.errorbar(
        values,
        y,
        xerr=[values - lo, hi - values],
        fmt="o",
        color=_C["input"],
        capsize=4,
        label="this book (95 % bootstrap interval over users)",
    )
    if ref:
        yr = np.arange(len(names), len(names) + len(ref))
        ax.plot(list(ref.values()), yr, "D", color=_C["ref"], label="published reference (no interval)")
        names = names + list(ref)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel(metric.upper().replace("@", "@"))
    ax.set_xlim(0, 1.1 * max([*hi, *ref.values()]))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False, fontsize=9)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


def sampled_vs_full_plot(table: pd.DataFrame, k: int = 10, n_negatives: int = 100) -> Figure:
    """Slope chart: each model's HR@k under full ranking (left) and with ``n_negatives`` sampled negatives
    (right), from :func:`lessons.baselines.sampled_vs_full`. Crossing lines are models whose order flips."""
    full, sampled = f"hr@{k} full", f"hr@{k} sampled"
    for col in (full, sampled):
        if col not in table.columns:
            raise ValueError(f"table must have a column {col!r}; has {list(table.columns)}")
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4), gridspec_kw={"width_ratios": [3, 2]})
    ax = axes[0]
    colors = plt.get_cmap("tab10")
    for i, (name, row) in enumerate(table.iterrows()):
        ax.plot([0, 1], [row[full], row[sampled]], "-o", color=colors(i), label=name)
        ax.annotate(
            name,
            (1, row[sampled]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=colors(i),
        )
    ax.set_xticks([0, 1], ["all items", f"{n_negatives} sampled\nnegatives"])
    ax.set_xlim(-0.2, 1.45)
    ax.set_ylabel(f"HR@{k}")
    ax.set_title("same scores, two protocols")
    ax = axes[1]
    ratio = table[sampled] / table[full].where(table[full] > 0)
    ax.barh(list(table.index), ratio.to_numpy(dtype=float), color=[colors(i) for i in range(len(table))])
    ax.invert_yaxis()
    ax.set_xlabel("sampled / full")
    ax.set_title("inflation")
    fig.tight_layout()
    return fig
