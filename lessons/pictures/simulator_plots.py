"""Pictures of the interest-drift simulator: one user's sequence coloured by the source of each event, the
mix of sources per preset, and which baseline recovers which interest.

Pure functions: a :class:`lessons.data.simulate.Simulation` (or a table computed from one) in, a matplotlib
figure out.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from lessons.data.simulate import SOURCES, Simulation
from lessons.pictures.palette import NEUTRAL, SOURCE

__all__ = ["SOURCE_COLORS", "user_sequence", "source_mix", "recovery_bars"]

#: One colour per event source, used in every picture of the chapter.
SOURCE_COLORS: dict[str, str] = SOURCE
"""The event sources' colours (:data:`lessons.pictures.palette.SOURCE`)."""


def _check_sim(sim: Simulation) -> None:
    if not isinstance(sim, Simulation):
        raise ValueError(f"sim must be a lessons.data.simulate.Simulation, got {type(sim).__name__}")


def user_sequence(sim: Simulation, user: int = 0, title: str | None = None) -> Figure:
    """One user's events: x = position in the sequence, y = topic of the item, colour = source (long-term
    taste, burst, repeat). Burst spans are shaded. A side panel shows the user's long-term topic
    distribution ``theta_u`` on the same topic axis; the last two events (validation, test) are ringed."""
    _check_sim(sim)
    seq = sim.sequence(user)
    n_topics = sim.config.n_topics
    fig, (ax, side) = plt.subplots(
        1, 2, figsize=(9.5, 3.6), sharey=True, gridspec_kw={"width_ratios": [5, 1], "wspace": 0.05}
    )
    x = np.arange(len(seq["items"]))
    burst = seq["burst_topic"] >= 0
    # shade each run of the same burst topic
    start = None
    for t in range(len(x) + 1):
        bt = seq["burst_topic"]
        inside = t < len(x) and burst[t] and (start is None or bt[t] == bt[start])
        if start is not None and not inside:
            ax.axvspan(start - 0.5, t - 0.5, color=SOURCE_COLORS["burst"], alpha=0.12, lw=0)
            start = None
        if start is None and t < len(x) and burst[t]:
            start = t
    for code, name in enumerate(SOURCES):
        sel = seq["source"] == code
        ax.scatter(x[sel], seq["topic"][sel], s=22, color=SOURCE_COLORS[name], label=name, zorder=3)
    ax.scatter(
        x[-2:],
        seq["topic"][-2:],
        s=110,
        facecolors="none",
        edgecolors=NEUTRAL["text"],
        lw=1.2,
        zorder=4,
        label="validation, test",
    )
    ax.set_xlabel("event (oldest first)")
    ax.set_ylabel("topic of the item")
    ax.set_ylim(-0.7, n_topics - 0.3)
    ax.set_xlim(-1, len(x))
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.18), ncol=4, frameon=False, fontsize=10)
    ax.set_title(title or f"{sim.name}: user {user}, {len(x)} events")
    side.barh(np.arange(n_topics), sim.taste[user], color=SOURCE_COLORS["long-term"], alpha=0.8)
    side.set_xlabel(r"long-term taste $\theta_u$")
    side.set_xlim(0, 1)
    fig.subplots_adjust(bottom=0.28)
    return fig


def source_mix(sims: Mapping[str, Simulation]) -> Figure:
    """For each simulation (e.g. one per preset): the share of events from each source (stacked bar) and,
    as a dot, the share of long-term events on the user's favourite topic (how strong the taste is)."""
    if not isinstance(sims, Mapping) or not sims:
        raise ValueError("sims must be a non-empty mapping {label: Simulation}")
    for s in sims.values():
        _check_sim(s)
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    labels = list(sims)
    bottom = np.zeros(len(labels))
    for code, name in enumerate(SOURCES):
        share = np.array([(s.source[s.mask] == code).mean() for s in sims.values()])
        ax.bar(labels, share, bottom=bottom, color=SOURCE_COLORS[name], label=f"{name} events")
        bottom += share
    fav = [s.stats()["favourite_topic_share_long_term"] for s in sims.values()]
    ax.plot(labels, fav, "kD", label="favourite topic's share\nof long-term events")
    ax.set_ylim(0, 1)
    ax.set_ylabel("share")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False, fontsize=10)
    fig.tight_layout()
    return fig


def recovery_bars(tables: Mapping[str, pd.DataFrame], k: int = 10) -> Figure:
    """Grouped bars, one panel per scenario: HR@k of each baseline on the targets that came from the
    long-term taste, from a burst, or were repeats (tables from :func:`lessons.baselines.recovery_table`).
    Sources with fewer than 2 % of the targets are left out (too few users to read)."""
    if not isinstance(tables, Mapping) or not tables:
        raise ValueError("tables must be a non-empty mapping {scenario: recovery table}")
    fig, axes = plt.subplots(1, len(tables), figsize=(3.6 * len(tables), 3.3), sharey=True, squeeze=False)
    for ax, (label, table) in zip(axes[0], tables.items(), strict=True):
        if "share of targets" not in table.index:
            raise ValueError(f"tables[{label!r}] must come from recovery_table (no 'share of targets' row)")
        shares = table.loc["share of targets"]
        sources = [s for s in SOURCES if shares.get(s, 0) >= 0.02]
        models = [m for m in table.index if m != "share of targets"]
        width = 0.8 / len(sources)
        for j, s in enumerate(sources):
            ax.bar(
                np.arange(len(models)) + (j - (len(sources) - 1) / 2) * width,
                table.loc[models, s],
                width,
                color=SOURCE_COLORS[s],
                label=f"{s} targets ({shares[s]:.0%})",
            )
        ax.set_xticks(np.arange(len(models)), models, rotation=20)
        ax.set_title(label)
        ax.legend(fontsize=10, frameon=False, loc="upper left")
    axes[0, 0].set_ylabel(f"HR@{k}")
    fig.tight_layout()
    return fig
