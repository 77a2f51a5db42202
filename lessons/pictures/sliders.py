"""Three slider experiments on single gated cells, each in three layers that share one computation:

1. a *compute* function (``gru_step_values``, ``lstm_memory_curve``, ``gru_update_values``) that runs the
   NumPy cells of :mod:`lessons.rnn` with a few hand-set parameters and returns plain numbers;
2. a *static* plotly figure whose sliders step through positions precomputed by that function (works in the
   built HTML book without a kernel);
3. a *matplotlib* figure of one position, which :mod:`lessons.widgets` redraws for live ipywidgets sliders.

Experiments:

(a) one GRU step of a single unit: input ``x``, the candidate's input weight ``W_xn`` and the update-gate
    bias ``b_z`` → the gates ``r, z``, the candidate ``n`` and the new state ``h``;
(b) an LSTM unit that writes a value into its cell state at ``t = 1`` and then only has to remember it: the
    forget-gate bias ``b_f`` decides how long the value survives over 30 steps;
(c) a two-unit GRU whose update gate ``z`` is set directly (through ``b_z``): the new state slides along the
    segment from the candidate ``n`` (``z = 0``) to the old state ``h_prev`` (``z = 1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure
from plotly.subplots import make_subplots

from lessons.checks import check_number
from lessons.mathfn import logit
from lessons.pictures.animation import frame_slider, restyle_slider
from lessons.pictures.palette import GATE, NEUTRAL, STATE, STEP
from lessons.rnn.gru import GRU
from lessons.rnn.lstm import LSTM

__all__ = [
    "GRU_STEP_DEFAULTS",
    "GRU_STEP_RANGES",
    "one_unit_gru",
    "gru_step_values",
    "gru_step_slider_figure",
    "gru_step_bars",
    "memory_lstm",
    "lstm_memory_curve",
    "lstm_forget_slider_figure",
    "lstm_memory_plot",
    "UPDATE_DEMO",
    "gru_update_values",
    "gru_update_slider_figure",
    "gru_update_plane",
]

# ----------------------------------------------------------------------------------------------------------
# (a) one GRU step
# ----------------------------------------------------------------------------------------------------------

#: Default slider positions of experiment (a): input x, candidate input weight W_xn, update bias b_z, h_prev.
GRU_STEP_DEFAULTS: dict[str, float] = {"x": 1.0, "weight": 1.5, "bias": 0.0, "h_prev": 0.5}
#: Slider ranges (min, max, step) of experiment (a).
GRU_STEP_RANGES: dict[str, tuple[float, float, float]] = {
    "x": (-3.0, 3.0, 0.25),
    "weight": (-3.0, 3.0, 0.25),
    "bias": (-4.0, 4.0, 0.5),
}
_STEP_KEYS = ("r", "z", "n", "h_prev", "h")
_STEP_COLOURS = (GATE["r"], GATE["z"], GATE["n"], STEP["prev"], STEP["new"])


def one_unit_gru(weight: float = 1.5, bias: float = 0.0) -> GRU:
    """A PyTorch-convention GRU with one input and one unit, every parameter set by hand.

    ``W_xr = 1, W_hr = -1, b_r = 0``; ``W_xz = W_hz = 1, b_z = bias``;
    ``W_xn = weight, W_hn = 1, b_in = b_hn = 0``.
    """
    gru = GRU(1, 1, variant="pytorch", rng=0)
    one = np.ones((1, 1))
    gru.set_parameters(
        W_xr=one, W_hr=-one, b_r=np.zeros(1),
        W_xz=one, W_hz=one, b_z=np.array([check_number("bias", bias)]),
        W_xn=np.array([[check_number("weight", weight)]]), W_hn=one, b_in=np.zeros(1), b_hn=np.zeros(1),
    )  # fmt: skip
    return gru


def gru_step_values(
    x: float = 1.0, weight: float = 1.5, bias: float = 0.0, h_prev: float = 0.5
) -> dict[str, float]:
    """One step of :func:`one_unit_gru`: returns ``{"r", "z", "n", "h_prev", "h"}`` as floats.

    ``h = (1 − z)·n + z·h_prev`` with ``n = tanh(W_xn x + b_in + r·(W_hn h_prev + b_hn))``.
    """
    step = one_unit_gru(weight, bias).step(check_number("x", x), np.array([check_number("h_prev", h_prev)]))
    return {k: float(step[k][0]) for k in _STEP_KEYS}


def _grid(lo: float, hi: float, step: float) -> np.ndarray:
    return np.round(np.arange(lo, hi + step / 2, step), 10)


def _close(v: float, grid: np.ndarray) -> int:
    return int(np.argmin(np.abs(grid - v)))


def gru_step_slider_figure(
    defaults: dict[str, float] | None = None,
    ranges: dict[str, tuple[float, float, float]] | None = None,
) -> go.Figure:
    """Static figure of experiment (a): three panels, each with its own slider.

    Panel 1 varies the input ``x``, panel 2 the candidate's input weight ``W_xn``, panel 3 the update-gate
    bias ``b_z``; in each panel the other two quantities stay at their defaults (written in the panel title).
    Every slider position is a call of :func:`gru_step_values`; each slider restyles only its own panel.
    """
    d = {**GRU_STEP_DEFAULTS, **(defaults or {})}
    rg = {**GRU_STEP_RANGES, **(ranges or {})}
    names = {"x": "input x", "weight": "weight W_xn", "bias": "bias b_z"}
    others = {
        "x": f"W_xn = {d['weight']:g}, b_z = {d['bias']:g}",
        "weight": f"x = {d['x']:g}, b_z = {d['bias']:g}",
        "bias": f"x = {d['x']:g}, W_xn = {d['weight']:g}",
    }
    fig = make_subplots(rows=1, cols=3, shared_yaxes=True, horizontal_spacing=0.05,
                        subplot_titles=[f"vary {names[k]}<br><sub>{others[k]}, h_prev = {d['h_prev']:g}</sub>"
                                        for k in names])  # fmt: skip
    sliders = []
    for j, key in enumerate(names):
        grid = _grid(*rg[key])
        if grid.size < 2:
            raise ValueError(f"ranges[{key!r}]: expected (min, max, step) giving >= 2 values, got {rg[key]}")
        values = []
        for v in grid:
            args = {k: d[k] for k in ("x", "weight", "bias", "h_prev")}
            args[key] = float(v)
            values.append(gru_step_values(**args))
        start = _close(d[key], grid)
        y0 = [values[start][k] for k in _STEP_KEYS]
        fig.add_trace(
            go.Bar(x=list(_STEP_KEYS), y=y0, marker_color=list(_STEP_COLOURS), text=[f"{v:.3f}" for v in y0],
                   textposition="outside", showlegend=False, name=names[key],
                   hovertemplate="%{x} = %{y:.4f}<extra></extra>"),
            row=1, col=j + 1,
        )  # fmt: skip
        ys = [[round(vals[k], 6) for k in _STEP_KEYS] for vals in values]
        updates = [{"y": y, "text": [f"{u:.3f}" for u in y]} for y in ys]
        sliders.append(restyle_slider([f"{v:g}" for v in grid], updates, j, start, names[key] + " = ",
                                      x=j / 3 + 0.01, len=1 / 3 - 0.03, y=-0.12, xanchor="left", yanchor="top",
                                      pad=dict(t=25, b=5),
                                      currentvalue=dict(prefix=names[key] + " = ", font=dict(size=12))))
    fig.update_yaxes(range=[-1.25, 1.25], zeroline=True, zerolinecolor=NEUTRAL["muted"])
    fig.update_yaxes(title_text="value", row=1, col=1)
    fig.update_layout(sliders=sliders, height=460, margin=dict(l=60, r=20, t=120, b=120),
                      title=dict(text="One GRU step: gates r, z, candidate n<br>"
                                      "and the new state h = (1−z)·n + z·h_prev",
                                 font=dict(size=14), y=0.97, yanchor="top"))  # fmt: skip
    return fig


def gru_step_bars(values: dict[str, float], title: str | None = None) -> Figure:
    """Matplotlib bar chart of one position of experiment (a): ``values`` from :func:`gru_step_values`."""
    missing = [k for k in _STEP_KEYS if k not in values]
    if missing:
        raise ValueError(f"values: expected keys {list(_STEP_KEYS)}, missing {missing}")
    fig, ax = plt.subplots(figsize=(6, 3.2))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.1, top=0.88)  # fixed layout: fast redraws
    y = [values[k] for k in _STEP_KEYS]
    bars = ax.bar(list(_STEP_KEYS), y, color=_STEP_COLOURS)
    ax.bar_label(bars, fmt="%.3f", padding=2, fontsize=9)
    ax.axhline(0, color=NEUTRAL["muted"], lw=0.6)
    ax.set_ylim(-1.25, 1.25)
    ax.set_ylabel("value")
    ax.set_title(title or "h = (1−z)·n + z·h_prev", fontsize=10)
    return fig


# ----------------------------------------------------------------------------------------------------------
# (b) LSTM forget bias and memory
# ----------------------------------------------------------------------------------------------------------


def memory_lstm(forget_bias: float) -> LSTM:
    """A one-unit LSTM that stores its input and then holds it with a constant forget gate ``σ(b_f)``.

    All recurrent weights are 0; ``b_i = b_o = 6`` (gates almost fully open), ``W_xg = 2`` (writes
    ``tanh(2x)``), and the forget gate has no inputs: ``f = σ(forget_bias)`` at every step.
    """
    lstm = LSTM(1, 1, rng=0)
    zero, z1 = np.zeros((1, 1)), np.zeros(1)
    lstm.set_parameters(
        W_xi=zero, W_hi=zero, b_i=np.full(1, 6.0),
        W_xf=zero, W_hf=zero, b_f=np.array([check_number("forget_bias", forget_bias)]),
        W_xg=np.full((1, 1), 2.0), W_hg=zero, b_g=z1,
        W_xo=zero, W_ho=zero, b_o=np.full(1, 6.0),
    )  # fmt: skip
    return lstm


def lstm_memory_curve(forget_bias: float, T: int = 30, write: float = 1.0) -> dict[str, Any]:
    """Run :func:`memory_lstm` on ``x = (write, 0, 0, …)`` of length ``T``.

    Returns ``{"t": (T,), "c": (T,), "h": (T,), "f": float, "kept": c_T / c_1, "half_life": float}`` where
    ``half_life`` is the number of steps after which half of the written value is left, ``ln 0.5 / ln f``.
    """
    if not isinstance(T, int | np.integer) or T < 2:
        raise ValueError(f"T: expected an integer number of steps >= 2, got {T!r}")
    xs = np.zeros((T, 1))
    xs[0, 0] = check_number("write", write)
    trace = memory_lstm(forget_bias).forward(xs)
    c, h = trace.c[:, 0], trace.h[:, 0]
    f = float(trace.gates["f"][0, 0])
    return {
        "t": np.arange(1, T + 1),
        "c": c,
        "h": h,
        "f": f,
        "kept": float(c[-1] / c[0]) if c[0] != 0 else float("nan"),
        "half_life": float(np.log(0.5) / np.log(f)) if 0 < f < 1 else float("inf"),
    }


def _memory_title(b: float, cur: dict[str, Any], newline: str = "\n") -> str:
    T = len(cur["t"])
    return (
        f"b_f = {b:g}: forget gate f = σ(b_f) = {cur['f']:.3f}, "
        f"half-life {cur['half_life']:.3g} steps{newline}"
        f"after {T - 1} more steps the cell keeps {100 * cur['kept']:.3g}% of the written value"
    )


def lstm_forget_slider_figure(
    biases: Sequence[float] | None = None, T: int = 30, start: float = 1.0
) -> go.Figure:
    """Static figure of experiment (b): one frame per forget bias, computed with :func:`lstm_memory_curve`.

    Shows the cell state ``c_t`` and hidden state ``h_t`` of the memory LSTM over ``t = 1 … T`` after a value
    is written at ``t = 1``; the slider picks ``b_f``.
    """
    grid = _grid(-2.0, 6.0, 0.5) if biases is None else np.asarray(list(biases), dtype=float)
    if grid.size < 2:
        raise ValueError(f"biases: expected at least two forget biases, got {list(grid)}")
    curves = [lstm_memory_curve(float(b), T) for b in grid]
    k0 = _close(start, grid)

    def traces(cur: dict[str, Any]) -> list[go.Scatter]:
        return [
            go.Scatter(x=cur["t"], y=np.round(cur["c"], 6), mode="lines+markers", name="cell state c_t",
                       line=dict(color=STATE["c"], width=3)),
            go.Scatter(x=cur["t"], y=np.round(cur["h"], 6), mode="lines", name="hidden state h_t",
                       line=dict(color=STATE["h"], dash="dot")),
        ]  # fmt: skip

    fig = go.Figure(data=traces(curves[k0]))
    fig.frames = [
        go.Frame(
            name=f"{b:g}", data=traces(cur), layout=dict(title_text=_memory_title(float(b), cur, "<br>"))
        )
        for b, cur in zip(grid, curves, strict=True)
    ]
    fig.update_layout(
        sliders=[frame_slider([f"{b:g}" for b in grid], k0, "forget bias b_f = ")],
        title=dict(text=_memory_title(float(grid[k0]), curves[k0], "<br>"), font=dict(size=13)),
        xaxis=dict(title="time step t (value written at t = 1)", range=[0.5, T + 0.5]),
        yaxis=dict(title="state", range=[-0.05, 1.05]),
        height=460,
        margin=dict(l=60, r=20, t=100, b=40),
        legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom"),
    )
    return fig


def lstm_memory_plot(curve: dict[str, Any], forget_bias: float | None = None) -> Figure:
    """Matplotlib twin of one frame of experiment (b); ``curve`` from :func:`lstm_memory_curve`."""
    for k in ("t", "c", "h", "f", "kept", "half_life"):
        if k not in curve:
            raise ValueError(f"curve: expected the dict returned by lstm_memory_curve, missing {k!r}")
    fig, ax = plt.subplots(figsize=(7, 3.4))
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.15, top=0.88)
    ax.plot(curve["t"], curve["c"], "-o", ms=3, lw=2.5, color=STATE["c"], label=r"cell state $c_t$")
    ax.plot(curve["t"], curve["h"], ":", color=STATE["h"], label=r"hidden state $h_t$")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("time step t (value written at t = 1)")
    ax.set_ylabel("state")
    ax.legend(fontsize=9, loc="upper right")
    b = logit(curve["f"]) if forget_bias is None else forget_bias
    ax.set_title(_memory_title(float(b), curve), fontsize=9)
    return fig


# ----------------------------------------------------------------------------------------------------------
# (c) the update gate interpolates
# ----------------------------------------------------------------------------------------------------------

#: Fixed inputs of experiment (c): a 2-unit GRU (seeded), its previous state and one input.
UPDATE_DEMO: dict[str, Any] = {"seed": 1, "h_prev": (0.7, -0.5), "x": 2.0}


def gru_update_values(z: float, h_prev: Sequence[float] | None = None, x: float | None = None,
                      seed: int | None = None) -> dict[str, Any]:  # fmt: skip
    """One step of a seeded 2-unit GRU whose update gate is forced to ``z`` (``W_xz = W_hz = 0``,
    ``b_z = logit(z)``, clipped to ``|b_z| ≤ 20``).

    Returns ``{"z": float (the gate the cell computed), "h_prev": (2,), "n": (2,), "h": (2,), "r": (2,)}``;
    ``n`` does not depend on ``z``, and ``h = (1 − z)·n + z·h_prev`` lies on the segment from ``n`` to
    ``h_prev``.
    """
    z = check_number("z", z, low=0.0, high=1.0)
    hp = np.asarray(UPDATE_DEMO["h_prev"] if h_prev is None else h_prev, dtype=float)
    if hp.shape != (2,):
        raise ValueError(f"h_prev: expected shape (2,), got {hp.shape}")
    gru = GRU(1, 2, variant="pytorch", rng=UPDATE_DEMO["seed"] if seed is None else seed)
    zc = min(max(z, 1e-12), 1 - 1e-12)
    b = float(np.clip(logit(zc), -20.0, 20.0))
    gru.set_parameters(W_xz=np.zeros((2, 1)), W_hz=np.zeros((2, 2)), b_z=np.full(2, b))
    step = gru.step(check_number("x", UPDATE_DEMO["x"] if x is None else x), hp)
    return {
        "z": float(step["z"][0]),
        "h_prev": step["h_prev"],
        "n": step["n"],
        "h": step["h"],
        "r": step["r"],
    }


def _plane_traces(v: dict[str, Any]) -> list[go.Scatter]:
    hp, n, h = v["h_prev"], v["n"], v["h"]
    return [
        go.Scatter(x=[n[0], hp[0]], y=[n[1], hp[1]], mode="lines", line=dict(color=NEUTRAL["rule"], dash="dash"),
                   name="all possible new states", hoverinfo="skip"),
        go.Scatter(x=[hp[0]], y=[hp[1]], mode="markers+text", marker=dict(size=14, color=STEP["prev"]),
                   text=["h_prev (z = 1)"], textposition="top center", name="old state h_prev"),
        go.Scatter(x=[n[0]], y=[n[1]], mode="markers+text", marker=dict(size=14, color=GATE["n"]),
                   text=["n (z = 0)"], textposition="bottom center", name="candidate n"),
        go.Scatter(x=[round(h[0], 6)], y=[round(h[1], 6)], mode="markers", name="new state h",
                   marker=dict(size=16, color=STEP["new"], symbol="diamond")),
    ]  # fmt: skip


def _update_title(v: dict[str, Any]) -> str:
    return (
        f"z = {v['z']:.2f}: h = {1 - v['z']:.2f}·n + {v['z']:.2f}·h_prev = ({v['h'][0]:.3f}, {v['h'][1]:.3f})"
    )


def gru_update_slider_figure(zs: Sequence[float] | None = None, start: float = 0.5) -> go.Figure:
    """Static figure of experiment (c): the state plane of a 2-unit GRU, one frame per update-gate value.

    Every frame is a call of :func:`gru_update_values`; the new state (red diamond) moves along the dashed
    segment from the candidate ``n`` (``z = 0``) to the old state ``h_prev`` (``z = 1``).
    """
    grid = _grid(0.0, 1.0, 0.05) if zs is None else np.asarray(list(zs), dtype=float)
    if grid.size < 2:
        raise ValueError(f"zs: expected at least two update-gate values, got {list(grid)}")
    vals = [gru_update_values(float(z)) for z in grid]
    k0 = _close(start, grid)
    fig = go.Figure(data=_plane_traces(vals[k0]))
    fig.frames = [go.Frame(name=f"{z:g}", data=_plane_traces(v), layout=dict(title_text=_update_title(v)))
                  for z, v in zip(grid, vals, strict=True)]  # fmt: skip
    fig.update_layout(
        sliders=[frame_slider([f"{z:g}" for z in grid], k0, "update gate z = ")],
        title=dict(text=_update_title(vals[k0]), font=dict(size=13)),
        xaxis=dict(title="unit 0", range=[-1.1, 1.1], zeroline=True),
        yaxis=dict(title="unit 1", range=[-1.1, 1.1], zeroline=True, scaleanchor="x", scaleratio=1),
        height=560,
        margin=dict(l=60, r=20, t=110, b=40),
        showlegend=True,
        legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom", font=dict(size=11)),
    )
    return fig


def gru_update_plane(v: dict[str, Any]) -> Figure:
    """Matplotlib twin of one frame of experiment (c); ``v`` from :func:`gru_update_values`."""
    for k in ("z", "h_prev", "n", "h"):
        if k not in v:
            raise ValueError(f"v: expected the dict returned by gru_update_values, missing {k!r}")
    hp, n, h = (np.asarray(v[k]) for k in ("h_prev", "n", "h"))
    fig, ax = plt.subplots(figsize=(4.8, 4.6))
    fig.subplots_adjust(left=0.15, right=0.97, bottom=0.11, top=0.92)
    ax.plot([n[0], hp[0]], [n[1], hp[1]], "--", color=NEUTRAL["rule"])
    ax.plot(*hp, "o", ms=11, color=STEP["prev"], label="old state h_prev (z = 1)")
    ax.plot(*n, "o", ms=11, color=GATE["n"], label="candidate n (z = 0)")
    ax.plot(*h, "D", ms=11, color=STEP["new"], label="new state h")
    ax.set_xlim(-1.1, 1.1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_aspect("equal")
    ax.axhline(0, color=NEUTRAL["muted"], lw=0.5)
    ax.axvline(0, color=NEUTRAL["muted"], lw=0.5)
    ax.set_xlabel("unit 0")
    ax.set_ylabel("unit 1")
    ax.legend(fontsize=9, loc="lower left")
    ax.set_title(_update_title(v), fontsize=9)
    return fig
