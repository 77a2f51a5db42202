"""How far back a gradient reaches: the norm of d h_k / d h_0 along a sequence, for any cell.

If a recommender is to learn from a click made k steps ago, the derivative of the state at step k
with respect to the state at step 0 must not vanish. For a vanilla RNN it shrinks geometrically; a GRU whose
update gate is close to 1 (PyTorch's convention: keep the old state) carries it almost unchanged, as does an
LSTM whose forget gate is close to 1. The chapter "LSTM vs GRU" uses :func:`reach_curves` to show this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lessons.checks import as_float_array, as_rng
from lessons.rnn.gru import GRU
from lessons.rnn.lstm import LSTM
from lessons.rnn.vanilla import RNN

if TYPE_CHECKING:  # pragma: no cover
    import plotly.graph_objects as go


def gradient_reach(cell: GRU | LSTM | RNN, xs: Any, u: Any = None) -> np.ndarray:
    """``(T,)``: ``|| u^T d h_k / d h_0 ||`` for ``k = 1 .. T``, from ``h_0 = 0`` (and ``c_0 = 0``).

    ``xs: (T, input_size)``; ``u: (hidden_size,)`` is a fixed read-out direction (default: all ones divided by
    sqrt(H), a unit vector). Each entry is one backward pass of :meth:`backward` with ``dh`` zero except at
    step ``k``.
    """
    xs = as_float_array("xs", xs, (None, cell.input_size))
    H = cell.hidden_size
    u = np.full(H, 1 / np.sqrt(H)) if u is None else as_float_array("u", u, (H,))
    trace = cell.forward(xs)
    out = np.zeros(xs.shape[0])
    for k in range(xs.shape[0]):
        dh = np.zeros((xs.shape[0], H))
        dh[k] = u
        out[k] = np.linalg.norm(cell.backward(trace, dh)["h0"])
    return out


def reach_curves(seq_len: int = 60, hidden_size: int = 16, input_size: int = 4, keep_bias: float = 3.0,
                 seed: int = 0) -> dict[str, np.ndarray]:
    """:func:`gradient_reach` for five cells on the same random inputs ``N(0, 1)``, PyTorch's initialisation:

    ``"RNN (tanh)"``, ``"GRU"``, ``"GRU, b_z = keep_bias"`` (update gate biased towards keeping the state),
    ``"LSTM"`` and ``"LSTM, b_f = keep_bias"`` (forget gate biased towards keeping the cell).
    """
    gen = as_rng(seed)
    xs = gen.normal(size=(seq_len, input_size))
    gru_keep = GRU(input_size, hidden_size, rng=seed)
    gru_keep.set_parameters(b_z=np.full(hidden_size, keep_bias))
    lstm_keep = LSTM(input_size, hidden_size, rng=seed)
    lstm_keep.set_parameters(b_f=np.full(hidden_size, keep_bias))
    cells = {"RNN (tanh)": RNN(input_size, hidden_size, rng=seed),
             "GRU": GRU(input_size, hidden_size, rng=seed),
             f"GRU, b_z = {keep_bias:g}": gru_keep, "LSTM": LSTM(input_size, hidden_size, rng=seed),
             f"LSTM, b_f = {keep_bias:g}": lstm_keep}
    return {name: gradient_reach(cell, xs) for name, cell in cells.items()}


def plot_reach(curves: dict[str, np.ndarray]) -> go.Figure:
    """Plotly figure: the curves of :func:`reach_curves` against the distance k, log scale."""
    import plotly.graph_objects as go

    from lessons.pictures.palette import CELL

    fig = go.Figure()
    for name, values in curves.items():
        cell = name.split(",")[0].split(" ")[0].lower()  # "GRU, b_z = 3" -> "gru": one colour per cell
        fig.add_scatter(x=np.arange(1, values.size + 1), y=values, mode="lines", name=name,
                        line={"dash": "dot" if "=" not in name and name != "RNN (tanh)" else "solid",
                              "color": CELL.get(cell)},
                        hovertemplate="k = %{x}: %{y:.2e}<extra>" + name + "</extra>")
    fig.update_layout(xaxis_title="distance k (steps)",
                      yaxis_title="|| u<sup>T</sup> ∂h<sub>k</sub>/∂h<sub>0</sub> ||",
                      yaxis_type="log", height=380, margin={"t": 30}, legend={"orientation": "h", "y": -0.25})
    return fig
