"""Figures of the source article's worked example (:mod:`lessons.article`): its readings and its LSTM indices."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from lessons.article.gru_example import READINGS, SEED_PRINTED, XS, run_reading
from lessons.article.lstm_example import lstm_steps, lstm_wrong_index_steps
from lessons.pictures.palette import NEUTRAL, OKABE_ITO, SEQUENCE

READING_STYLE: dict[str, tuple[str, str]] = {
    "seed_literal": (OKABE_ITO["orange"], "o"), "seed_corrected": (OKABE_ITO["blue"], "s"),
    "cho": (OKABE_ITO["green"], "^"), "pytorch": (NEUTRAL["text"], "x"),
}
"""Colour and marker of each reading of the example."""


def _per_unit_axes(figsize: tuple[float, float]) -> tuple[Figure, list]:
    """Two panels sharing y, one per hidden unit, with the step labels t = 1..5 on x."""
    fig, axes = plt.subplots(1, 2, figsize=figsize, sharey=True)
    for unit, ax in enumerate(axes):
        ax.set(title=f"hidden unit {unit + 1}", xlabel="step t", xticks=range(1, len(XS) + 1))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("h_t")
    return fig, list(axes)


def plot_readings() -> Figure:
    """Matplotlib figure: h_t of both units over the 5 steps of each reading, and the article's printed h."""
    fig, axes = _per_unit_axes((9, 3.4))
    for unit, ax in enumerate(axes):
        for name in READINGS:
            steps = run_reading(name)
            color, marker = READING_STYLE[name]
            ax.plot([s["t"] for s in steps], [s["h"][unit] for s in steps], marker=marker, color=color,
                    label=name, lw=1.5, ls=":" if name == "pytorch" else "-")
        ax.plot([s["t"] for s in SEED_PRINTED], [s["h"][unit] for s in SEED_PRINTED], "D",
                color=OKABE_ITO["vermillion"], ms=8, label="printed in the article")
        ax.axhline(0, color=NEUTRAL["muted"], lw=0.8)
    axes[1].legend(fontsize=9, loc="lower right")
    fig.tight_layout()
    return fig


def plot_lstm_time_indices() -> Figure:
    """Matplotlib figure: h_t (both units) of the correct LSTM and with the article's time indices."""
    right, wrong = lstm_steps(), lstm_wrong_index_steps()
    fig, axes = _per_unit_axes((9, 3.2))
    for unit, ax in enumerate(axes):
        ax.plot([s["t"] for s in right], [s["h"][unit] for s in right], "o-", color=SEQUENCE[0],
                label="correct LSTM")
        ax.plot([s["t"] for s in wrong], [s["h"][unit] for s in wrong], "s--", color=SEQUENCE[1],
                label="article's indices")
    axes[0].legend(fontsize=9)
    fig.tight_layout()
    return fig
