"""Pictures of MovieLens: activity over time, sequence lengths, the popularity long tail, gaps between
events and how much calendar time a user's history really covers.

Every function takes ratings frames (columns ``user``, ``item``, ``rating``, ``timestamp``, sorted by user and
time as :func:`lessons.data.load_movielens` returns them) and returns a figure; the numbers come from
:mod:`lessons.data`.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure

from lessons.data import consecutive_gaps, user_time_summary
from lessons.pictures.palette import NEUTRAL, SEQUENCE

__all__ = [
    "activity_over_time",
    "sequence_lengths",
    "popularity_long_tail",
    "gap_distribution",
    "history_span",
    "user_timelines_plotly",
]

MINUTE, HOUR, DAY = 60, 3600, 86_400
TIME_MARKS: dict[str, float] = {
    "1 min": MINUTE,
    "1 hour": HOUR,
    "1 day": DAY,
    "1 week": 7 * DAY,
    "1 month": 30 * DAY,
    "1 year": 365 * DAY,
}
_COLORS = SEQUENCE[:4]


def _check_frames(frames: Mapping[str, pd.DataFrame]) -> None:
    if not isinstance(frames, Mapping) or not frames:
        raise ValueError(f"frames must be a non-empty mapping {{label: ratings frame}}, got {type(frames)}")
    for label, df in frames.items():
        if not isinstance(df, pd.DataFrame) or not {"user", "item", "timestamp"} <= set(df.columns):
            raise ValueError(f"frames[{label!r}] must be a DataFrame with user, item, timestamp columns")
        if len(df) == 0:
            raise ValueError(f"frames[{label!r}] is empty")


def activity_over_time(frames: Mapping[str, pd.DataFrame], freq: str = "W") -> Figure:
    """Ratings per period (``freq``: pandas period alias, default weeks) and new users per period, one row of
    panels per frame (each data set has its own calendar). Log scale: activity spans orders of magnitude."""
    _check_frames(frames)
    fig, axes = plt.subplots(len(frames), 1, figsize=(8, 2.6 * len(frames)), squeeze=False)
    for ax, (label, df) in zip(axes[:, 0], frames.items(), strict=True):
        when = pd.to_datetime(df["timestamp"], unit="s").dt.to_period(freq)
        periods = pd.period_range(when.min(), when.max(), freq=freq)
        ratings = when.value_counts().reindex(periods, fill_value=0)
        first = pd.to_datetime(df.groupby("user", sort=False)["timestamp"].min(), unit="s")
        newcomers = first.dt.to_period(freq).value_counts().reindex(periods, fill_value=0)
        x = periods.to_timestamp()
        # zero counts cannot sit on a log axis: they are left as gaps in the lines
        ax.step(
            x,
            np.where(ratings.to_numpy() > 0, ratings.to_numpy(), np.nan),
            where="post",
            color=_COLORS[0],
            label="ratings",
        )
        ax.step(
            x,
            np.where(newcomers.to_numpy() > 0, newcomers.to_numpy(), np.nan),
            where="post",
            color=_COLORS[1],
            label="users rating for the first time",
        )
        ax.set_yscale("log")
        ax.set_ylabel(f"per {'week' if freq == 'W' else freq}")
        ax.set_title(label, loc="left", fontsize=10)
        ax.grid(alpha=0.3)
    handles, names = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, names, loc="upper center", ncol=2, fontsize=9, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def sequence_lengths(frames: Mapping[str, pd.DataFrame], max_len: int = 50) -> Figure:
    """Distribution of the number of events per user (log-spaced bins), one line per frame, with a marker at
    ``max_len``: longer histories are cut to their last ``max_len`` events by the models."""
    _check_frames(frames)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    all_counts = [df.groupby("user", sort=False).size().to_numpy() for df in frames.values()]
    hi = max(c.max() for c in all_counts)
    bins = np.logspace(np.log10(max(1, min(c.min() for c in all_counts))), np.log10(hi + 1), 40)
    for color, (label, counts) in zip(_COLORS, zip(frames, all_counts, strict=True), strict=False):
        share_over = (counts > max_len).mean()
        ax.hist(
            counts,
            bins=bins,
            histtype="step",
            lw=1.6,
            color=color,
            label=f"{label} (median {np.median(counts):.0f}; {share_over:.0%} over {max_len})",
        )
    ax.axvline(max_len, color=NEUTRAL["text"], ls="--", lw=1)
    ax.text(max_len * 1.05, ax.get_ylim()[1] * 0.9, f"max_len = {max_len}", va="top", fontsize=9)
    ax.set_xscale("log")
    ax.set_xlabel("events per user (log scale)")
    ax.set_ylabel("users")
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def popularity_long_tail(df: pd.DataFrame, label: str = "") -> Figure:
    """Left: interactions per item against the item's popularity rank (log-log). Right: the share of all
    interactions covered by the most popular items (Lorenz-style curve), with the top-10 % share marked."""
    _check_frames({label or "df": df})
    counts = np.sort(df["item"].value_counts().to_numpy())[::-1]
    rank = np.arange(1, len(counts) + 1)
    cum = np.cumsum(counts) / counts.sum()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
    ax1.loglog(rank, counts, color=_COLORS[0])
    ax1.set_xlabel("item popularity rank")
    ax1.set_ylabel("interactions of the item")
    ax1.grid(alpha=0.3, which="both")
    share_items = rank / len(counts)
    ax2.plot(share_items, cum, color=_COLORS[0])
    ax2.plot([0, 1], [0, 1], color=NEUTRAL["muted"], ls=":", lw=1, label="every item equally popular")
    top = int(np.ceil(0.1 * len(counts)))
    ax2.scatter(
        [top / len(counts)],
        [cum[top - 1]],
        color=_COLORS[1],
        zorder=3,
        label=f"top 10 % of items: {cum[top - 1]:.0%} of interactions",
    )
    ax2.set_xlabel("share of items (most popular first)")
    ax2.set_ylabel("share of interactions")
    ax2.legend(fontsize=9, loc="lower right")
    ax2.grid(alpha=0.3)
    if label:
        fig.suptitle(label, fontsize=10, x=0.02, ha="left")
    fig.tight_layout()
    return fig


def gap_distribution(frames: Mapping[str, pd.DataFrame]) -> Figure:
    """Histogram of the time between consecutive events of the same user, on log-log axes with marks at
    a minute, an hour, a day, a week, a month and a year. Gaps of 0 s (same second) are counted apart,
    in the legend, since a log axis cannot show them."""
    _check_frames(frames)
    fig, ax = plt.subplots(figsize=(8, 3.6))
    bins = np.logspace(0, np.log10(4 * 365 * DAY), 60)
    for color, (label, df) in zip(_COLORS, frames.items(), strict=False):
        gaps = consecutive_gaps(df)
        zero = (gaps == 0).mean()
        ax.hist(
            gaps[gaps > 0],
            bins=bins,
            histtype="step",
            lw=1.6,
            color=color,
            weights=np.full((gaps > 0).sum(), 1.0 / len(gaps)),
            label=f"{label} ({zero:.0%} of gaps are 0 s, not shown)",
        )
    for name, sec in TIME_MARKS.items():
        ax.axvline(sec, color=NEUTRAL["rule"], lw=0.8, ls=":")
        ax.text(sec * 1.1, ax.get_ylim()[1] * 0.97, name, rotation=90, va="top", fontsize=9, color=NEUTRAL["muted"])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("seconds between consecutive ratings of a user (log scale)")
    ax.set_ylabel("share of all gaps (log scale)")
    ax.legend(fontsize=9, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def history_span(frames: Mapping[str, pd.DataFrame]) -> Figure:
    """Left: cumulative share of users whose whole history (first to last rating) spans at most a given
    time (log axis, spans under a minute drawn at one minute). Right: for each user, the share of their
    ratings given within 24 hours of their first one."""
    _check_frames(frames)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    for color, (label, df) in zip(_COLORS, frames.items(), strict=False):
        summary = user_time_summary(df)
        span_s = np.sort(np.maximum(summary["span_days"].to_numpy() * DAY, MINUTE))
        ecdf = np.arange(1, len(span_s) + 1) / len(span_s)
        ax1.step(
            span_s,
            ecdf,
            where="post",
            color=color,
            label=f"{label} (median {np.median(summary['span_days']) * 24:.1f} h)",
        )
        ax2.hist(
            summary["first_day_share"],
            bins=np.linspace(0, 1, 21),
            histtype="step",
            lw=1.6,
            color=color,
            weights=np.full(len(summary), 1.0 / len(summary)),
            label=label,
        )
    for name, sec in TIME_MARKS.items():
        ax1.axvline(sec, color=NEUTRAL["rule"], lw=0.8, ls=":")
        ax1.text(sec * 1.1, 0.02, name, rotation=90, va="bottom", fontsize=9, color=NEUTRAL["muted"])
    ax1.set_xscale("log")
    ax1.set_xlabel("span of the user's history (log scale)")
    ax1.set_ylabel("share of users with at most this span")
    ax1.legend(fontsize=9, loc="upper left")
    ax1.grid(alpha=0.3)
    ax2.set_xlabel("share of the user's ratings within 24 h of the first")
    ax2.set_ylabel("share of users")
    ax2.legend(fontsize=9, loc="upper left")
    ax2.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def user_timelines_plotly(df: pd.DataFrame, n_users: int = 12, seed: int = 0, label: str = "") -> go.Figure:
    """Interactive: cumulative number of ratings against days since the user's first rating, for
    ``n_users`` users drawn at random (seeded) from four groups of history length. A steep wall at day 0
    is a sign-up burst; a long flat tail is a user who came back now and then. Hover shows the titles."""
    _check_frames({label or "df": df})
    if not isinstance(n_users, (int, np.integer)) or n_users < 1:
        raise ValueError(f"n_users must be a positive int, got {n_users!r}")
    rng = np.random.default_rng(seed)
    summary = user_time_summary(df)
    users = summary.index.to_numpy()
    # stratify by span so both bursty and long-lived users appear
    quart = pd.qcut(summary["span_days"].rank(method="first"), 4, labels=False).to_numpy()
    picked: list = []
    for q in range(4):
        pool = users[quart == q]
        take = min(len(pool), n_users // 4 + (1 if q < n_users % 4 else 0))
        picked.extend(rng.choice(pool, size=take, replace=False).tolist())
    fig = go.Figure()
    grouped = df[df["user"].isin(picked)].groupby("user", sort=False)
    for user in picked:
        g = grouped.get_group(user)
        days = (g["timestamp"].to_numpy() - g["timestamp"].min()) / DAY
        fig.add_trace(
            go.Scatter(
                x=days + 1e-3,
                y=np.arange(1, len(g) + 1),
                mode="lines+markers",
                marker={"size": 3},
                name=f"user {user} ({len(g)} ratings, {days.max():.0f} d)",
                text=g["item"].astype(str).to_numpy(),
                hovertemplate="%{text}<br>day %{x:.2f}, rating no. %{y}<extra>" + str(user) + "</extra>",
            )
        )
    fig.update_layout(
        title=f"Ratings over time for {len(picked)} users{' of ' + label if label else ''}",
        xaxis={
            "title": "days since the user's first rating (log scale; day 0 drawn at 0.001)",
            "type": "log",
            "exponentformat": "power",
        },
        yaxis={"title": "ratings so far"},
        height=460,
        legend={"font": {"size": 10}, "orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
    )
    return fig
