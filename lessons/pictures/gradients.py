"""How far back a gradient reaches: norms of ``∂h_T/∂x_t`` for a plain RNN, an LSTM and a GRU.

Everything is computed with the NumPy cells' own backpropagation through time (``cell.backward``), so the
curves are exactly what training would see. For a cell with final state ``h_T (H,)`` and inputs
``x_t (I,)`` the Jacobian ``∂h_T/∂x_t`` is an ``(H, I)`` matrix; its row ``k`` is the gradient of the scalar
``h_T[k]``, which one backward pass with ``dh = e_k`` at step ``T`` returns for every ``t`` at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib.figure import Figure

from lessons.mathfn import sigmoid
from lessons.pictures.animation import restyle_slider
from lessons.pictures.palette import CELL, SEQUENCE
from lessons.rnn.gru import GRU
from lessons.rnn.lstm import LSTM
from lessons.rnn.vanilla import RNN

__all__ = [
    "input_jacobians",
    "jacobian_norms",
    "model_inputs",
    "set_spectral_norm",
    "make_cells",
    "gradient_norms_by_model",
    "relative_reach",
    "reach_table",
    "gradient_norms_figure",
    "gradient_slider_figure",
    "explicit_input_jacobian",
    "reach_settings",
    "key_numbers",
]

MODEL_COLOURS = {name: CELL[name.lower()] for name in ("RNN", "LSTM", "GRU")}


def input_jacobians(cell: Any, xs: Any, h0: Any = None) -> np.ndarray:
    """``J[t] = ∂h_T/∂x_t`` for every step: an array ``(T, H, I)`` computed with ``cell.backward``.

    ``cell`` is a ``lessons.rnn`` RNN, LSTM or GRU; ``xs: (T, input_size)``; ``h0: (H,)`` or None.
    Uses ``H`` backward passes (one per unit of ``h_T``).
    """
    if not hasattr(cell, "forward") or not hasattr(cell, "backward"):
        raise ValueError(
            f"cell: expected a lessons.rnn cell with forward/backward, got {type(cell).__name__}"
        )
    trace = cell.forward(xs, h0)
    T, H = trace.h.shape
    J = np.zeros((T, H, trace.xs.shape[1]))
    dh = np.zeros((T, H))
    for k in range(H):
        dh[:] = 0.0
        dh[-1, k] = 1.0
        J[:, k, :] = cell.backward(trace, dh)["xs"]
    return J


def jacobian_norms(cell: Any, xs: Any, h0: Any = None) -> np.ndarray:
    """``‖∂h_T/∂x_t‖`` (Frobenius) for ``t = 1 … T``: an array ``(T,)``; the last entry is the latest step."""
    J = input_jacobians(cell, xs, h0)
    return np.sqrt(np.sum(J**2, axis=(1, 2)))


def set_spectral_norm(rnn: RNN, norm: float) -> RNN:
    """Rescale ``rnn.W_hh`` in place so that its largest singular value is ``norm``; returns the cell.

    With tanh (``|tanh'| ≤ 1``) a spectral norm below 1 guarantees that ``‖∂h_T/∂h_t‖`` shrinks at least
    geometrically (the sufficient condition of Pascanu et al., 2013); above 1 gradients *may* explode.
    """
    if not np.isfinite(norm) or norm <= 0:
        raise ValueError(f"norm: expected a positive finite number, got {norm!r}")
    s = float(np.linalg.norm(rnn.W_hh, 2))
    rnn.set_parameters(W_hh=rnn.W_hh * (norm / s))
    return rnn


def make_cells(
    input_size: int = 4,
    hidden_size: int = 8,
    seed: int = 0,
    rnn_norm: float | None = None,
    forget_bias: float | None = None,
    update_bias: float | None = None,
    rnn_nonlinearity: str = "tanh",
) -> dict[str, Any]:
    """A plain RNN, an LSTM and a GRU with PyTorch's random initialisation (same ``seed``).

    ``rnn_norm`` rescales the RNN's recurrent matrix to that spectral norm; ``forget_bias`` sets every LSTM
    ``b_f``; ``update_bias`` sets every GRU ``b_z`` (PyTorch convention: large ``z`` keeps the state).
    ``None`` leaves the random initial values; ``rnn_nonlinearity`` is ``"tanh"`` or ``"relu"``.
    Returns ``{"RNN": …, "LSTM": …, "GRU": …}``.
    """
    rnn = RNN(input_size, hidden_size, nonlinearity=rnn_nonlinearity, rng=seed)
    lstm = LSTM(input_size, hidden_size, rng=seed)
    gru = GRU(input_size, hidden_size, variant="pytorch", rng=seed)
    if rnn_norm is not None:
        set_spectral_norm(rnn, rnn_norm)
    if forget_bias is not None:
        lstm.set_parameters(b_f=np.full(hidden_size, float(forget_bias)))
    if update_bias is not None:
        gru.set_parameters(b_z=np.full(hidden_size, float(update_bias)))
    return {"RNN": rnn, "LSTM": lstm, "GRU": gru}


def model_inputs(T: int, input_size: int = 4, seed: int = 0) -> np.ndarray:
    """The standard-normal inputs ``xs (T, input_size)`` every gradient picture feeds the three models."""
    if not isinstance(T, int | np.integer) or T < 2:
        raise ValueError(f"T: expected an integer sequence length >= 2, got {T!r}")
    return np.random.default_rng(seed + 1000).normal(size=(T, input_size))


def gradient_norms_by_model(T: int = 50, input_size: int = 4, hidden_size: int = 8, seed: int = 0,
                            **knobs: Any) -> dict[str, np.ndarray]:
    """``‖∂h_T/∂x_t‖`` for ``t = 1 … T`` for each model of :func:`make_cells`, on the same random inputs.

    Inputs ``xs (T, input_size)`` are standard normal (seeded); ``knobs`` are the settings of :func:`make_cells`
    (``rnn_norm``, ``forget_bias``, ``update_bias``, ``rnn_nonlinearity``).
    Returns ``{"RNN": (T,), "LSTM": (T,), "GRU": (T,)}``.
    """
    xs = model_inputs(T, input_size, seed)
    cells = make_cells(input_size, hidden_size, seed, **knobs)
    return {name: jacobian_norms(cell, xs) for name, cell in cells.items()}


def relative_reach(norms: Any, steps_back: Sequence[int] = (10, 20, 40)) -> dict[int, float]:
    """``‖∂h_T/∂x_{T−k}‖ / ‖∂h_T/∂x_T‖`` for each ``k`` in ``steps_back``: how much of the gradient the input
    ``k`` steps before the end still receives, relative to the last input. ``norms``: ``(T,)``."""
    v = np.asarray(norms, dtype=float)
    if v.ndim != 1 or v.size < 2 or v[-1] == 0:
        raise ValueError(f"norms: expected a (T,) array with a non-zero last entry, got shape {v.shape}")
    bad = [k for k in steps_back if not 0 <= k < v.size]
    if bad:
        raise ValueError(f"steps_back: expected integers in [0, {v.size}), got {bad}")
    return {int(k): float(v[-1 - k] / v[-1]) for k in steps_back}


def reach_table(settings: Mapping[str, Any], steps_back: Sequence[int] = (10, 20, 40)) -> pd.DataFrame:
    """One row per setting (``{label: (T,) norms}``), one column per ``k`` in ``steps_back``: the values of
    :func:`relative_reach`. Returns a float ``DataFrame`` indexed by the labels."""
    if not settings:
        raise ValueError("settings: expected a non-empty mapping label -> (T,) norms, got an empty one")
    rows = {label: relative_reach(v, steps_back) for label, v in settings.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns = [f"{k} steps back" for k in table.columns]
    table.index.name = "setting"
    return table


def _check_norms(norms: Mapping[str, Any]) -> dict[str, np.ndarray]:
    if not norms:
        raise ValueError("norms: expected a non-empty mapping name -> (T,) array, got an empty one")
    out = {k: np.asarray(v, dtype=float) for k, v in norms.items()}
    shapes = {v.shape for v in out.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 1:
        raise ValueError(f"norms: expected 1-D arrays of one common length T, got shapes {sorted(shapes)}")
    return out


def gradient_norms_figure(norms: Mapping[str, Any], title: str | None = None, floor: float = 1e-16) -> Figure:
    """Semi-log plot of gradient norms against *steps back* ``T − t`` (0 = the last input).

    ``norms``: ``{label: (T,)}`` with entry ``t-1`` for input ``x_t``; values below ``floor`` are clipped
    so that exact zeros stay visible on the log axis.
    """
    data = _check_norms(norms)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.9)
    for j, (label, v) in enumerate(data.items()):
        back = np.arange(v.shape[0])[::-1]
        colour = MODEL_COLOURS.get(label, SEQUENCE[j % len(SEQUENCE)])
        ax.semilogy(back, np.maximum(v, floor), color=colour, label=label, lw=1.8)
    ax.set_xlabel("steps back from the last input, T − t")
    ax.set_ylabel(r"$\|\partial h_T / \partial x_t\|$")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def _sig(v: np.ndarray, digits: int = 6) -> list[float]:
    """Round to ``digits`` significant digits (keeps tiny gradient norms non-zero on the log axis)."""
    return [float(f"{x:.{digits}g}") for x in np.asarray(v, dtype=float)]


def _fmt(v: float) -> str:
    return f"{v:g}"


KNOB: dict[str, str] = {"RNN": "rnn_norm", "LSTM": "forget_bias", "GRU": "update_bias"}
"""The setting of :func:`make_cells` that each model's slider moves."""

_KNOB_TEXT: dict[str, tuple[str, str]] = {  # model -> (legend label, slider prefix)
    "RNN": ("RNN, ‖W_hh‖₂ = ", "RNN spectral norm ‖W_hh‖₂ = "),
    "LSTM": ("LSTM, b_f = ", "LSTM forget bias b_f = "),
    "GRU": ("GRU, b_z = ", "GRU update bias b_z = "),
}


def _log_range(curves: Sequence[np.ndarray]) -> list[float]:
    """``[log10(lo), log10(hi)]`` with a little headroom, covering every curve (all values > 0)."""
    values = np.concatenate([np.asarray(c, dtype=float).ravel() for c in curves])
    lo, hi = float(np.log10(values.min())), float(np.log10(values.max()))
    pad = 0.05 * max(hi - lo, 1.0)
    return [lo - pad, hi + pad]


def gradient_slider_figure(
    rnn_norms: Sequence[float] = (0.5, 1.0, 1.5, 2.0, 3.0),
    forget_biases: Sequence[float] = (-2.0, 0.0, 1.0, 2.0, 3.0, 5.0),
    update_biases: Sequence[float] = (-2.0, 0.0, 1.0, 2.0, 3.0, 5.0),
    T: int = 40,
    input_size: int = 4,
    hidden_size: int = 8,
    seed: int = 0,
    floor: float = 1e-16,
) -> go.Figure:
    """A static plotly figure with three sliders, one per model, each restyling only its own curve.

    Slider 1: spectral norm of the RNN's ``W_hh``; slider 2: LSTM forget bias ``b_f``; slider 3: GRU update
    bias ``b_z``. Every position is precomputed here with :func:`jacobian_norms` (no kernel needed), and since
    each slider owns one curve the three settings always combine correctly.
    """
    axes = {"RNN": list(rnn_norms), "LSTM": list(forget_biases), "GRU": list(update_biases)}
    for name, vals in axes.items():
        if not vals:
            raise ValueError(f"{name}: expected at least one slider value, got none")
    xs = model_inputs(T, input_size, seed)
    back = np.arange(T)[::-1]
    fig, sliders, all_curves = go.Figure(), [], []
    for j, (name, vals) in enumerate(axes.items()):
        label, prefix = _KNOB_TEXT[name]
        curves = [np.maximum(jacobian_norms(make_cells(input_size, hidden_size, seed, **{KNOB[name]: v})[name], xs),
                             floor) for v in vals]
        all_curves.extend(curves)
        start = len(vals) // 2
        fig.add_trace(go.Scatter(x=back, y=curves[start], mode="lines+markers", marker=dict(size=4),
                                 line=dict(color=MODEL_COLOURS[name], width=2), name=label + _fmt(vals[start])))
        updates = [{"y": _sig(c), "name": label + _fmt(v)} for v, c in zip(vals, curves, strict=True)]
        sliders.append(restyle_slider([_fmt(v) for v in vals], updates, j, start, prefix, x=j * 0.34, len=0.31,
                                      y=-0.18, xanchor="left", yanchor="top", pad=dict(t=30, b=10),
                                      currentvalue=dict(prefix=prefix, font=dict(size=11))))
    fig.update_layout(
        sliders=sliders,
        height=470,
        margin=dict(l=70, r=20, t=90, b=150),
        xaxis_title="steps back from the last input, T − t",
        yaxis_title="‖∂h_T/∂x_t‖",
        # One y range for every slider position (the axis must not rescale under the reader's eye).
        yaxis=dict(type="log", exponentformat="power", range=_log_range(all_curves)),
        legend=dict(orientation="h", x=0, xanchor="left", y=1.0, yanchor="bottom"),
        title=dict(text="How far back does the gradient reach?", font=dict(size=15), y=0.98, yanchor="top"),
    )
    return fig


# ---------------------------------------------------------------------------- the chapter's numbers
def explicit_input_jacobian(rnn: RNN, trace: Any, t: int) -> np.ndarray:
    """``∂h_T/∂x_t`` of a tanh RNN as the explicit product of step Jacobians, ``(H, I)``.

    ``∂h_t/∂x_t = diag(1 − h_t²) W_xh``, then one factor ``∂h_s/∂h_{s−1} = diag(1 − h_s²) W_hh`` for every later
    step ``s``. ``trace``: the RNN's forward trace (``h: (T, H)``); ``t``: 0-based index of the input.
    """
    T = trace.h.shape[0]
    if not 0 <= t < T:
        raise ValueError(f"t: expected a 0-based step in [0, {T}), got {t!r}")
    step_jac = (1 - trace.h**2)[:, :, None] * rnn.W_hh  # (T, H, H): dh_s/dh_{s-1}
    product = np.diag(1 - trace.h[t] ** 2) @ rnn.W_xh  # dh_t/dx_t
    for s in range(t + 1, T):
        product = step_jac[s] @ product
    return product


def reach_settings(T: int = 50, hidden_size: int = 8) -> dict[str, np.ndarray]:
    """The settings the chapter compares, ``{label: (T,) gradient norms}``: each model at PyTorch's default
    initialisation, the LSTM with ``b_f = 3``, the GRU with ``b_z = 3`` and a ReLU RNN of spectral norm 2."""
    norms = gradient_norms_by_model(T=T, hidden_size=hidden_size)
    biased = gradient_norms_by_model(T=T, hidden_size=hidden_size, forget_bias=3.0, update_bias=3.0)
    relu = gradient_norms_by_model(T=T, hidden_size=hidden_size, rnn_norm=2.0, rnn_nonlinearity="relu")["RNN"]
    settings = {f"{m}, default initialisation": v for m, v in norms.items()}
    settings["LSTM, forget bias b_f = 3"] = biased["LSTM"]
    settings["GRU, update bias b_z = 3"] = biased["GRU"]
    settings["RNN with ReLU, spectral norm 2"] = relu
    return settings


def key_numbers(T: int = 50, hidden_size: int = 8, input_size: int = 4) -> dict[str, str]:
    """Every number the vanishing-gradients chapter quotes in its prose, formatted, by name (glued in one loop).

    ``bptt_gap``: BPTT against the explicit product for the input ``x_31`` (index 30); ``reach20_*``: the share of
    the gradient 20 steps back; ``reach40_relu``: 40 steps back for the ReLU RNN; ``f3``: ``σ(3)`` and its 20th power.
    """
    xs = model_inputs(T, input_size)
    rnn = RNN(input_size, hidden_size, rng=0)
    J = input_jacobians(rnn, xs)
    product = explicit_input_jacobian(rnn, rnn.forward(xs), 30)
    out = {"bptt_gap": f"{float(np.max(np.abs(product - J[30])) / np.max(np.abs(J[30]))):.1e}"}
    reach = reach_table(reach_settings(T, hidden_size), steps_back=(10, 20, 40))
    rows = {"RNN": "RNN, default", "LSTM": "LSTM, default", "GRU": "GRU, default", "LSTM3": "LSTM, forget",
            "GRU3": "GRU, update"}
    for key, label in rows.items():
        row = next(r for r in reach.index if r.startswith(label))
        out[f"reach20_{key}"] = f"{reach.loc[row, '20 steps back']:.1e}"
    out["reach40_relu"] = f"{reach.loc['RNN with ReLU, spectral norm 2', '40 steps back']:.1e}"
    f3 = float(sigmoid(3.0))
    out.update(f3=f"{f3:.3f}", f3_pow20=f"{f3 ** 20:.2f}", half_pow20=f"{0.5**20:.1e}")
    return out
