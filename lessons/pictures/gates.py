"""Pictures of gates and states: heat maps over time, cell-state traces and one-step views.

Every function takes plain arrays or a trace (anything with ``.h``, ``.gates`` and optionally ``.c``, such as
the ``Trace`` returned by ``lessons.rnn.GRU.forward`` / ``LSTM.forward``) and returns a figure. Nothing is
computed here that the recurrent cells do not already compute; the functions only arrange and draw.

Names follow the book: GRU gates ``r`` (reset), ``z`` (update), ``n`` (candidate); LSTM gates ``i``, ``f``,
``g``, ``o``; ``c`` the cell state, ``h`` the hidden state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
from matplotlib.figure import Figure
from plotly.subplots import make_subplots

from lessons.pictures.palette import GATE, NEUTRAL, SEQUENCE, STATE, STEP

__all__ = [
    "GATE_NAMES",
    "trace_panels",
    "gate_heatmaps",
    "gate_heatmaps_plotly",
    "cell_state_figure",
    "gru_step_view",
    "lstm_step_view",
    "step_view",
]

#: Human names of every panel the pictures know, in the book's wording.
GATE_NAMES: dict[str, str] = {
    "r": "reset gate r",
    "z": "update gate z",
    "n": "candidate n",
    "i": "input gate i",
    "f": "forget gate f",
    "g": "candidate g",
    "o": "output gate o",
    "c": "cell state c",
    "h": "hidden state h",
}

# Panels whose values live in (0, 1) (sigmoid gates); the others are tanh-like and centred on zero.
_SIGMOID = frozenset({"r", "z", "i", "f", "o"})
_ORDER = ("r", "z", "n", "i", "f", "g", "o", "c", "h")


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def trace_panels(trace: Any) -> dict[str, np.ndarray]:
    """Collect every gate and state of a trace as ``{name: (T, H) array}`` in the book's order.

    ``trace`` is a ``lessons.rnn`` trace or a mapping with ``"h"`` ``(T, H)``, optional ``"c"`` ``(T, H)`` and
    optional ``"gates"`` (a mapping of ``(T, H)`` arrays). Order: GRU ``r, z, n``; LSTM ``i, f, g, o``; then
    ``c`` and ``h``.
    """
    h = _get(trace, "h")
    if h is None:
        raise ValueError(
            f"trace: expected an object with an 'h' array of shape (T, H), got {type(trace).__name__}"
        )
    h = np.asarray(h, dtype=float)
    if h.ndim != 2:
        raise ValueError(f"trace.h: expected shape (T, H), got {h.shape}")
    panels: dict[str, np.ndarray] = {}
    gates = _get(trace, "gates") or {}
    c = _get(trace, "c")
    found = dict(gates)
    if c is not None:
        found["c"] = c
    found["h"] = h
    unknown = sorted(set(found) - set(_ORDER))
    if unknown:
        raise ValueError(f"trace.gates: expected keys among {list(_ORDER)}, got unknown {unknown}")
    for name in _ORDER:
        if name in found:
            arr = np.asarray(found[name], dtype=float)
            if arr.shape != h.shape:
                raise ValueError(f"trace: expected '{name}' with the shape of h {h.shape}, got {arr.shape}")
            panels[name] = arr
    return panels


def _limits(name: str, arr: np.ndarray) -> tuple[float, float, str]:
    if name in _SIGMOID:
        return 0.0, 1.0, "viridis"
    m = float(np.max(np.abs(arr))) if arr.size else 1.0
    m = max(m, 1.0) if name != "c" else max(m, 1e-12)
    return -m, m, "RdBu_r"


def gate_heatmaps(trace: Any, title: str | None = None, ncols: int | None = None) -> Figure:
    """Heat maps (unit × time) of every gate and state of a trace, one panel each.

    ``trace``: see :func:`trace_panels`; arrays ``(T, H)``. Gates use a fixed 0–1 colour scale (viridis);
    candidates and states use a blue–red scale centred on zero. Returns a matplotlib ``Figure``.
    """
    panels = trace_panels(trace)
    k = len(panels)
    ncols = ncols or (2 if k == 4 else min(k, 3))
    if ncols < 1:
        raise ValueError(f"ncols: expected a positive integer, got {ncols}")
    nrows = int(np.ceil(k / ncols))
    T, H = next(iter(panels.values())).shape
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(3.6 * ncols, 0.4 + (1.0 + 0.18 * H) * nrows),
        squeeze=False,
        layout="constrained",
    )
    for ax, (name, arr) in zip(axes.flat, panels.items(), strict=False):
        lo, hi, cmap = _limits(name, arr)
        im = ax.imshow(
            arr.T,
            aspect="auto",
            origin="lower",
            cmap=cmap,
            vmin=lo,
            vmax=hi,
            extent=(0.5, T + 0.5, -0.5, H - 0.5),
            interpolation="nearest",
        )
        ax.set_title(GATE_NAMES[name], fontsize=10)
        ax.set_xlabel("time step t")
        ax.set_ylabel("unit")
        fig.colorbar(im, ax=ax, shrink=0.9)
    for ax in list(axes.flat)[k:]:
        ax.set_visible(False)
    if title:
        fig.suptitle(title)
    return fig


def gate_heatmaps_plotly(trace: Any, title: str | None = None) -> go.Figure:
    """The same heat maps as :func:`gate_heatmaps` as one plotly figure (hover shows t, unit and value)."""
    panels = trace_panels(trace)
    k = len(panels)
    T, H = next(iter(panels.values())).shape
    fig = make_subplots(
        rows=k,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.04,
        subplot_titles=[GATE_NAMES[n] for n in panels],
    )
    for row, (name, arr) in enumerate(panels.items(), start=1):
        lo, hi, _ = _limits(name, arr)
        fig.add_trace(
            go.Heatmap(
                z=np.round(arr.T, 4),
                x=np.arange(1, T + 1),
                y=np.arange(H),
                zmin=lo,
                zmax=hi,
                colorscale="Viridis" if name in _SIGMOID else "RdBu",
                reversescale=name not in _SIGMOID,
                showscale=False,
                name=name,
                hovertemplate=f"{name}: %{{z:.3f}}<br>t=%{{x}}<br>unit %{{y}}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(title_text="unit", row=row, col=1)
    fig.update_xaxes(title_text="time step t", row=k, col=1)
    fig.update_layout(height=140 * k + 80, margin=dict(l=60, r=20, t=60, b=40), title=title)
    return fig


def cell_state_figure(trace: Any, units: Sequence[int] | None = None, title: str | None = None) -> Figure:
    """Lines of the LSTM cell state ``c_t`` (top) and hidden state ``h_t`` (bottom) over time, one per unit.

    ``trace`` needs ``c`` and ``h`` of shape ``(T, H)``; ``units`` selects units (default: all, at most 8).
    """
    panels = trace_panels(trace)
    if "c" not in panels:
        raise ValueError("trace: expected an LSTM trace with a cell state 'c' of shape (T, H), got none")
    T, H = panels["h"].shape
    units = list(range(min(H, 8))) if units is None else list(units)
    bad = [u for u in units if not 0 <= u < H]
    if bad or not units:
        raise ValueError(f"units: expected indices in [0, {H}), got {units}")
    t = np.arange(1, T + 1)
    fig, (ax_c, ax_h) = plt.subplots(2, 1, sharex=True, figsize=(7, 4.6), layout="constrained")
    for j, u in enumerate(units):
        ax_c.plot(t, panels["c"][:, u], marker=".", color=SEQUENCE[j % len(SEQUENCE)], label=f"unit {u}")
        ax_h.plot(t, panels["h"][:, u], marker=".", color=SEQUENCE[j % len(SEQUENCE)])
    ax_c.axhline(0, color=NEUTRAL["muted"], lw=0.6)
    ax_h.axhline(0, color=NEUTRAL["muted"], lw=0.6)
    ax_c.set_ylabel(r"cell state $c_t$")
    ax_h.set_ylabel(r"hidden state $h_t$")
    ax_h.set_ylim(-1.05, 1.05)
    ax_h.set_xlabel("time step t")
    ax_c.legend(fontsize=10, ncols=min(len(units), 4), loc="best")
    if title:
        fig.suptitle(title)
    return fig


def _vec(name: str, v: Any, H: int | None) -> np.ndarray:
    a = np.atleast_1d(np.asarray(v, dtype=float))
    if a.ndim != 1:
        raise ValueError(f"{name}: expected a vector of shape (H,), got shape {a.shape}")
    if H is not None and a.shape[0] != H:
        raise ValueError(f"{name}: expected shape ({H},) like the others, got {a.shape}")
    return a


def _bars(ax: Any, series: dict[str, np.ndarray], colours: dict[str, str]) -> None:
    H = len(next(iter(series.values())))
    k = len(series)
    width = 0.8 / k
    x = np.arange(H)
    for j, (label, vals) in enumerate(series.items()):
        ax.bar(x + (j - (k - 1) / 2) * width, vals, width, label=label, color=colours[label])
    ax.set_xticks(x, [f"unit {u}" for u in range(H)])
    ax.axhline(0, color=NEUTRAL["muted"], lw=0.6)
    ax.legend(fontsize=10, ncols=k, loc="upper center", bbox_to_anchor=(0.5, -0.12))


def gru_step_view(h_prev: Any, r: Any, z: Any, n: Any, h: Any, step: int | None = None) -> Figure:
    """One GRU step: the gates (left) and the states (right), unit by unit.

    All arguments are vectors ``(H,)``. Left: reset gate ``r`` (how much of ``h_prev`` the candidate sees) and
    update gate ``z`` (how much of ``h_prev`` is kept). Right: ``h_prev``, the candidate ``n`` and the new
    ``h = (1 - z)·n + z·h_prev``, which always lies between ``n`` and ``h_prev``. ``step``: the 0-based step,
    shown in the titles as the equations' ``t = step + 1``.
    """
    hp = _vec("h_prev", h_prev, None)
    H = hp.shape[0]
    r, z, n, h = (_vec(k, v, H) for k, v in (("r", r), ("z", z), ("n", n), ("h", h)))
    when = "" if step is None else f" at t = {step + 1}"
    fig, (ax_g, ax_s) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    _bars(ax_g, {"r (reset)": r, "z (update)": z}, {"r (reset)": GATE["r"], "z (update)": GATE["z"]})
    ax_g.set_ylim(0, 1)
    ax_g.set_title("gates" + when, fontsize=10)
    series = {"h_prev": hp, "n (candidate)": n, "h (new)": h}
    _bars(ax_s, series, {"h_prev": STEP["prev"], "n (candidate)": GATE["n"], "h (new)": STEP["new"]})
    ax_s.set_ylim(-1.05, 1.05)
    ax_s.set_title("states" + when + ": h = (1−z)·n + z·h_prev", fontsize=10)
    return fig


def lstm_step_view(
    c_prev: Any, h_prev: Any, i: Any, f: Any, g: Any, o: Any, c: Any, h: Any, step: int | None = None
) -> Figure:
    """One LSTM step: the gates ``i, f, o`` (left) and ``c_prev, g, c, h`` (right), unit by unit.

    All arguments are vectors ``(H,)``; ``c = f·c_prev + i·g`` and ``h = o·tanh(c)``. ``h_prev`` is only
    checked for shape (it enters through the gates). ``step``: the 0-based step, shown as ``t = step + 1``.
    """
    cp = _vec("c_prev", c_prev, None)
    H = cp.shape[0]
    _vec("h_prev", h_prev, H)
    i, f, g, o, c, h = (
        _vec(k, v, H) for k, v in (("i", i), ("f", f), ("g", g), ("o", o), ("c", c), ("h", h))
    )
    when = "" if step is None else f" at t = {step + 1}"
    fig, (ax_g, ax_s) = plt.subplots(1, 2, figsize=(10, 3.4), layout="constrained")
    gcol = {"f (forget)": GATE["f"], "i (input)": GATE["i"], "o (output)": GATE["o"]}
    _bars(ax_g, {"f (forget)": f, "i (input)": i, "o (output)": o}, gcol)
    ax_g.set_ylim(0, 1)
    ax_g.set_title("gates" + when, fontsize=10)
    scol = {"c_prev": STEP["prev"], "g (candidate)": GATE["g"], "c (new)": STATE["c"], "h (new)": STEP["new"]}
    _bars(ax_s, {"c_prev": cp, "g (candidate)": g, "c (new)": c, "h (new)": h}, scol)
    lim = max(1.05, float(np.max(np.abs(np.concatenate([cp, c])))) * 1.05)
    ax_s.set_ylim(-lim, lim)
    ax_s.set_title("states" + when + ": c = f·c_prev + i·g,  h = o·tanh(c)", fontsize=10)
    return fig


def step_view(trace: Any, step: int, h0: Any = None, c0: Any = None) -> Figure:
    """The one-step view of step ``step`` (0-based, like ``Trace.at``; the titles show ``t = step + 1``) of a
    GRU or LSTM trace.

    ``h0``/``c0`` ``(H,)`` are the initial states used for ``step = 0`` (default: the trace's own ``h0``/``c0``
    if it records them, else zeros).
    """
    panels = trace_panels(trace)
    T, H = panels["h"].shape
    if isinstance(step, bool) or not isinstance(step, int | np.integer) or not 0 <= step < T:
        raise ValueError(f"step: expected a 0-based time step in [0, {T - 1}], got {step!r}")
    k = int(step)

    def prev(name: str, init: Any) -> np.ndarray:
        if k > 0:
            return panels[name][k - 1]
        if init is None:
            init = _get(trace, f"{name}0")  # a lessons.rnn Trace records h0 and c0
        return np.zeros(H) if init is None else _vec(f"{name}0", init, H)

    if {"r", "z", "n"} <= panels.keys():
        return gru_step_view(
            prev("h", h0), panels["r"][k], panels["z"][k], panels["n"][k], panels["h"][k], step=k
        )
    if {"i", "f", "g", "o", "c"} <= panels.keys():
        return lstm_step_view(
            prev("c", c0),
            prev("h", h0),
            panels["i"][k],
            panels["f"][k],
            panels["g"][k],
            panels["o"][k],
            panels["c"][k],
            panels["h"][k],
            step=k,
        )
    raise ValueError(
        f"trace: expected GRU gates r, z, n or LSTM gates i, f, g, o with c; got {sorted(panels)}"
    )
