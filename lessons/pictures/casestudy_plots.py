"""Figures of case study II (short/long/fused models): pure functions, data in, figure out."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from plotly.subplots import make_subplots

from lessons.pictures.animation import frame_slider
from lessons.pictures.palette import CELL, INTEREST, NEUTRAL

COLORS = {**{k: INTEREST[k] for k in ("short", "full", "long", "fused-lstur", "fused-gate")},
          "gru": CELL["gru"], "lstm": CELL["lstm"]}
"""Colours of the model families and of the two cells (all from :mod:`lessons.pictures.palette`)."""


def _short(text: str, n: int = 28) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _kind(model: str) -> str:
    for kind in ("fused-lstur", "fused-gate", "short", "full", "long"):
        if model.startswith(kind):
            return kind
    return model


# --------------------------------------------------------------------------------------------- diagram
def models_diagram() -> Figure:
    """The five models, three per row: what each one reads and how it forms the user vector (drawn at a size whose
    text stays >= 10 px at the book's column width)."""
    fig, grid = plt.subplots(2, 3, figsize=(10.5, 7.6))
    axes = grid.ravel()[:5]
    grid.ravel()[5].axis("off")
    titles = [
        "short: last k items",
        "full: up to 50 items",
        "long: user + attention",
        "fused-lstur: user starts the RNN",
        "fused-gate: α mixes long and short",
    ]
    for ax, title, kind in zip(
        axes, titles, ("short", "full", "long", "fused-lstur", "fused-gate"), strict=True
    ):
        ax.set_xlim(0, 6)
        ax.set_ylim(0, 6)
        ax.axis("off")
        ax.set_title(title, fontsize=11)
        read = range(6) if kind != "short" else range(3, 6)
        for j in range(6):
            on = j in read or kind == "long"
            ax.add_patch(
                FancyBboxPatch(
                    (j * 0.95 + 0.2, 0.3),
                    0.6,
                    0.6,
                    boxstyle="round,pad=0.02",
                    fc=COLORS[kind] if on else NEUTRAL["off"],
                    ec=NEUTRAL["muted"],
                    lw=0.8,
                )
            )
            ax.text(j * 0.95 + 0.5, 0.6, f"x{j + 1}", ha="center", va="center", fontsize=10)
        if kind in ("short", "full", "fused-lstur", "fused-gate"):
            xs = [j * 0.95 + 0.5 for j in read]
            for a, b in zip(xs[:-1], xs[1:], strict=True):
                ax.add_patch(
                    FancyArrowPatch((a + 0.25, 2.0), (b - 0.25, 2.0), arrowstyle="->", mutation_scale=8)
                )
            for x in xs:
                ax.add_patch(
                    FancyBboxPatch(
                        (x - 0.25, 1.75), 0.5, 0.5, boxstyle="round,pad=0.02", fc=NEUTRAL["paper"], ec=NEUTRAL["text"]
                    )
                )
                ax.annotate("", (x, 1.75), (x, 0.92), arrowprops={"arrowstyle": "->", "lw": 0.7})
            ax.text(xs[-1], 2.0, "h", ha="center", va="center", fontsize=10)
        if kind in ("long", "fused-lstur", "fused-gate"):
            ax.add_patch(
                FancyBboxPatch((0.1, 3.4), 1.3, 0.7, boxstyle="round,pad=0.02", fc=INTEREST["long"], ec=NEUTRAL["text"])
            )
            ax.text(0.75, 3.75, "user e_u", ha="center", va="center", fontsize=10)
        if kind == "fused-lstur":
            ax.annotate(
                "h₀ = tanh(W e_u)", (0.5, 2.3), (0.9, 2.75), fontsize=10, arrowprops={"arrowstyle": "->"}
            )
        if kind in ("long", "fused-gate"):
            ax.text(
                3.0,
                3.0 if kind == "long" else 3.75,
                "attention pool\nover read items",
                ha="center",
                fontsize=10,
            )
        out_text = {
            "short": "v = h_t (window)",
            "full": "v = h_t",
            "long": "v = e_u + Σ a_j E[x_j]",
            "fused-lstur": "v = h_t",
            "fused-gate": "v = α·long + (1−α)·h_t",
        }[kind]
        src = {"long": (3.0, 3.5), "fused-gate": (3.0, 4.2)}.get(kind, (5.25, 2.3))
        thin = {"arrowstyle": "->", "lw": 0.7, "color": NEUTRAL["muted"]}
        ax.annotate("", (3.0, 4.75), src, arrowprops={**thin, "lw": 0.8})
        if kind == "fused-gate":
            ax.annotate("", (3.0, 3.7), (5.25, 2.3), arrowprops=thin)
            ax.annotate("", (2.2, 3.75), (1.4, 3.75), arrowprops=thin)
        if kind == "long":
            ax.annotate("", (2.2, 3.1), (1.4, 3.6), arrowprops=thin)
        ax.text(3.0, 5.0, out_text, ha="center", fontsize=10, bbox={"fc": NEUTRAL["note"], "ec": NEUTRAL["rule"]})
        ax.text(3.0, 5.7, "scores = out(v) · E[items]", ha="center", fontsize=10, color=NEUTRAL["muted"])
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------------------------- results
def ablation_figure(summary: pd.DataFrame, k: int = 10, title: str = "") -> go.Figure:
    """Bars of test HR@k and NDCG@k per model, error bars = sd over seeds (none for a single seed).

    summary: output of :func:`lessons.casestudy.report.summarize_runs`.
    """
    fig = make_subplots(rows=1, cols=2, subplot_titles=(f"HR@{k}", f"NDCG@{k}"))
    for col, metric in enumerate((f"hr@{k}", f"ndcg@{k}"), start=1):
        sd = summary[f"test_{metric}_sd"].fillna(0.0)
        fig.add_trace(
            go.Bar(
                x=summary["model"],
                y=summary[f"test_{metric}_mean"],
                error_y={"type": "data", "array": sd},
                marker_color=[COLORS.get(_kind(m), NEUTRAL["muted"]) for m in summary["model"]],
                text=[f"n={n}" for n in summary["seeds"]],
                textposition="inside",
                showlegend=False,
                hovertemplate="%{x}: %{y:.4f}<extra></extra>",
            ),
            1,
            col,
        )
    fig.update_layout(title=title, height=380, margin={"t": 60, "b": 40})
    return fig


def groups_figure(table: pd.DataFrame, metric: str = "ndcg@10") -> go.Figure:
    """Grouped bars: ``metric`` per model within each user group, with 95% bootstrap CIs.

    table: columns ``model, group, mean, lo, hi`` (see :func:`lessons.casestudy.report.group_table`).
    """
    fig = go.Figure()
    for model, sub in table.groupby("model", sort=False):
        fig.add_trace(
            go.Bar(
                name=model,
                x=sub["group"],
                y=sub["mean"],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": sub["hi"] - sub["mean"],
                    "arrayminus": sub["mean"] - sub["lo"],
                },
                marker_color=COLORS.get(_kind(model), None),
            )
        )
    fig.update_layout(
        barmode="group",
        yaxis_title=f"test {metric}",
        height=400,
        xaxis_title="users grouped by length of training history",
    )
    return fig


def ladder_figure(points: pd.DataFrame, reference: float, reference_name: str = "RecBole GRU4Rec") -> go.Figure:
    """Test NDCG@10 of every run of the like-for-like ladder: one dot per seed (plain ranking, and under the hard
    seen-mask), a bar at each arm's mean, and the published ``reference`` as a dashed line.

    points: :func:`lessons.casestudy.ladder.seed_points` (``arm, adds, seed, ndcg@10, masked ndcg@10``)."""
    fig = go.Figure()
    labels = {a: f"{a}<br>" + "<br>".join(textwrap.wrap(d, 10)) for a, d in zip(points["arm"], points["adds"],
                                                                              strict=True)}
    for column, name, colour in (("ndcg@10", "as ranked", INTEREST["full"]),
                                 ("masked ndcg@10", "seen films masked", NEUTRAL["muted"])):
        sub = points.dropna(subset=[column])
        if sub.empty:
            continue
        means = sub.groupby("arm", sort=False)[column].mean()
        fig.add_trace(go.Bar(x=[labels[a] for a in means.index], y=means.values, name=f"{name} (mean)",
                             marker_color=colour, opacity=0.35, offsetgroup=name,
                             hovertemplate="%{x}: mean %{y:.4f}<extra></extra>"))
        fig.add_trace(go.Scatter(x=[labels[a] for a in sub["arm"]], y=sub[column], mode="markers",
                                 name=f"{name} (one seed)", marker={"color": colour, "size": 8},
                                 offsetgroup=name, customdata=sub["seed"],
                                 hovertemplate="%{x}, seed %{customdata}: %{y:.4f}<extra></extra>"))
    fig.add_hline(y=reference, line_dash="dash", line_color=NEUTRAL["text"])
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"{reference_name}, one run ({reference:.4f})",
                             line={"dash": "dash", "color": NEUTRAL["text"]}))  # the line's legend entry
    fig.update_layout(barmode="group", scattermode="group", yaxis_title="test NDCG@10", height=460,
                      xaxis={"tickangle": 0}, legend={"orientation": "h", "y": -0.25},
                      margin={"t": 20, "b": 40, "l": 60, "r": 20})
    return fig


def curves_figure(histories: dict[str, Sequence[dict[str, float]]]) -> go.Figure:
    """Validation NDCG@10 after each epoch, one line per run (``{label: record['history']}``)."""
    fig = go.Figure()
    for label, hist in histories.items():
        fig.add_trace(
            go.Scatter(
                x=[h["epoch"] for h in hist],
                y=[h["valid_ndcg@10"] for h in hist],
                mode="lines+markers",
                name=label,
                line={"color": COLORS.get(_kind(label), None)},
            )
        )
    fig.update_layout(xaxis_title="epoch", yaxis_title="validation NDCG@10", height=380)
    return fig


def binary_ratio_figure(table: pd.DataFrame) -> go.Figure:
    """Accuracy, precision, F1 and AUC of GRU and LSTM against the negative ratio (mean ± sd over seeds).

    table: columns ``cell, ratio (int), metric, mean, sd``.
    """
    metrics = ["accuracy", "precision", "f1", "auc"]
    ratios = sorted(int(r) for r in table["ratio"].unique())
    fig = make_subplots(rows=1, cols=4, subplot_titles=metrics, shared_yaxes=True)
    for col, metric in enumerate(metrics, start=1):
        for cell, sub in table[table["metric"] == metric].groupby("cell"):
            sub = sub.sort_values("ratio")
            fig.add_trace(
                go.Scatter(
                    x=sub["ratio"],
                    y=sub["mean"],
                    error_y={"type": "data", "array": sub["sd"]},
                    mode="lines+markers",
                    name=cell.upper(),
                    legendgroup=cell,
                    showlegend=col == 1,
                    line={"color": COLORS[cell]},
                ),
                1,
                col,
            )
        # ticks at the ratios that were run, at full size (plotly draws its own 2s and 5s of a log axis at 3/4 size)
        fig.update_xaxes(type="log", exponentformat="power", tickmode="array", tickvals=ratios,
                         ticktext=[str(r) for r in ratios], title_text="negatives per positive", row=1, col=col)
    fig.update_yaxes(range=[0, 1.02])
    # the legend under the panels, off the data
    fig.update_layout(height=400, margin={"t": 50, "b": 110},
                      legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.32, "yanchor": "top"})
    return fig


# --------------------------------------------------------------------------------------------- reading
def explain_slider(trace: Any, max_items: int = 50) -> go.Figure:
    """Static-book view of a :class:`lessons.casestudy.explain.Explanation`: a slider over time steps t.

    Left: the gate alpha_t (weight of the long-term vector) over all steps, the current step marked.
    Middle: the attention of the long-term vector over the items read up to t. Right, the widest panel so that
    the film titles have room: the top-10 after t, each title written after its bar.
    """
    steps = trace.steps
    alpha = trace.alpha if trace.alpha is not None else np.full(steps, np.nan)
    att = trace.attention if trace.attention is not None else np.zeros((steps, steps))
    x_pos = list(range(1, steps + 1))
    k = trace.top_items.shape[1]
    fig = make_subplots(
        rows=1,
        cols=3,
        column_widths=[0.24, 0.24, 0.52],
        horizontal_spacing=0.07,
        subplot_titles=("gate α (long-term)", "attention", f"top-{k} after step t"),
    )

    def traces_at(t: int) -> list[go.BaseTraceType]:
        return [
            go.Scatter(
                x=x_pos,
                y=alpha,
                mode="lines",
                line={"color": INTEREST["fused"]},
                showlegend=False,
                hovertext=trace.labels,
                hovertemplate="step %{x}: α=%{y:.3f}<br>%{hovertext}<extra></extra>",
            ),
            go.Scatter(
                x=[t + 1],
                y=[alpha[t]],
                mode="markers",
                marker={"size": 12, "color": INTEREST["short"]},
                showlegend=False,
                hoverinfo="skip",
            ),
            go.Bar(
                x=x_pos,
                y=att[t],
                marker_color=[INTEREST["long"] if j <= t else NEUTRAL["off"] for j in range(steps)],
                hovertext=trace.labels,
                showlegend=False,
                hovertemplate="item %{x}: %{hovertext}<br>weight %{y:.3f}<extra></extra>",
            ),
            go.Bar(
                x=trace.top_scores[t][::-1],
                y=[f"{r}." for r in range(k, 0, -1)],
                text=[_short(s, 32) for s in trace.top_labels[t][::-1]],
                textposition="outside",
                constraintext="none",
                cliponaxis=False,
                textfont={"size": 12},
                orientation="h",
                marker_color=INTEREST["fused-gate"],
                showlegend=False,
                hovertemplate="%{y} %{text}: score %{x:.2f}<extra></extra>",
            ),
        ]

    last = steps - 1
    for trace_obj, col in zip(traces_at(last), (1, 1, 2, 3), strict=True):
        fig.add_trace(trace_obj, 1, col)
    fig.frames = [go.Frame(data=traces_at(t), name=str(t + 1), traces=[0, 1, 2, 3]) for t in range(steps)]
    fig.update_layout(
        height=480,
        margin={"l": 40, "r": 20, "t": 60, "b": 40},
        sliders=[frame_slider([str(t + 1) for t in range(steps)], last, "step t = ")],
    )
    fig.update_xaxes(title_text="step", row=1, col=1)
    fig.update_xaxes(title_text="position in history", row=1, col=2)
    fig.update_xaxes(title_text="score", row=1, col=3)
    # Fixed axes: moving the slider changes the bars, never the scales under them.
    fig.update_yaxes(range=[0, 1], row=1, col=1)
    fig.update_xaxes(range=[0.5, steps + 0.5], row=1, col=2)
    fig.update_yaxes(range=[0, 1.05 * max(float(np.nanmax(att)), 1e-9)], row=1, col=2)
    scores = np.asarray(trace.top_scores, dtype=float)
    lo, hi = min(0.0, float(np.nanmin(scores))), max(0.0, float(np.nanmax(scores)))
    # the bars take the left part of the panel; each film's title is written after its bar
    fig.update_xaxes(range=[lo - 0.05 * (hi - lo), hi + 1.4 * (hi - lo)], row=1, col=3)
    return fig


def explain_step_figure(trace: Any, t: int) -> Figure:
    """Matplotlib version of one slider position (used by the live widget)."""
    if not 0 <= t < trace.steps:
        raise ValueError(f"t must be in [0, {trace.steps - 1}], got {t}")
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 1.2, 1.3]})
    if trace.alpha is not None:
        axes[0].plot(np.arange(1, trace.steps + 1), trace.alpha, color=INTEREST["fused"])
        axes[0].plot([t + 1], [trace.alpha[t]], "o", color=INTEREST["short"])
    axes[0].set(title="gate α (long-term weight)", xlabel="step", ylim=(0, 1))
    if trace.attention is not None:
        axes[1].bar(np.arange(1, trace.steps + 1), trace.attention[t], color=INTEREST["long"])
    axes[1].set(title="attention over the history", xlabel="position in history")
    k = trace.top_items.shape[1]
    axes[2].barh(range(k), trace.top_scores[t][::-1], color=INTEREST["fused-gate"])
    axes[2].set_yticks(range(k), [_short(s, 32) for s in trace.top_labels[t][::-1]], fontsize=10)
    axes[2].set(title=f"top-{k} after step {t + 1}", xlabel="score")
    fig.tight_layout()
    return fig
