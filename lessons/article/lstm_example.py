"""The worked example's numbers in an LSTM, and what the article's shifted time indices do to it.

The article writes ``c_t = f_{t-1} c_{t-1} + i_{t-1} g_t`` and ``h_t = o_{t-1} tanh(c_{t-1})``; the standard
LSTM uses the gates of the current step throughout. :func:`lstm_steps` runs the standard cell,
:func:`lstm_wrong_index_steps` the article's indices, and :func:`input_reaches_output` shows the consequence:
with the shifted indices the input of step t never reaches ``h_t``. Step records carry the equations' label
``"t" = 1..T``; arguments and list positions are 0-based.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lessons.article.gru_example import HIDDEN_SIZE, XS, input_weight, recurrent_weight, unit_bias
from lessons.checks import check_number
from lessons.mathfn import sigmoid
from lessons.rnn import LSTM

LSTM_PARAMETERS: dict[str, dict[str, list[float]]] = {
    # gate: input weight [a, b] (a (2,1) column), recurrent weight [a, b] (a diagonal), bias (both units)
    "i": {"W_x": [0.1, 0.2], "W_h": [0.1, 0.2], "b": [0.3]},
    "f": {"W_x": [0.1, 0.2], "W_h": [0.1, 0.2], "b": [1.0]},
    "g": {"W_x": [0.3, 0.4], "W_h": [0.3, 0.4], "b": [0.1]},
    "o": {"W_x": [0.1, 0.2], "W_h": [0.1, 0.2], "b": [0.3]},
}
"""The LSTM worked example: the GRU example's numbers (its gate numbers for i, f, o; its candidate numbers for
g) with a forget-gate bias of 1, the usual initialisation recommended by Jozefowicz et al. (2015)."""


def article_lstm() -> LSTM:
    """A :class:`lessons.rnn.LSTM` (input 1, hidden 2) with :data:`LSTM_PARAMETERS`."""
    cell = LSTM(1, HIDDEN_SIZE, rng=0)
    for k, p in LSTM_PARAMETERS.items():
        cell.set_parameters(**{f"W_x{k}": input_weight(p["W_x"]), f"W_h{k}": recurrent_weight(p["W_h"]),
                               f"b_{k}": unit_bias(p["b"])})
    return cell


def lstm_steps(xs: Any = XS) -> list[dict[str, Any]]:
    """The correct LSTM over ``xs`` (T,) from ``h_0 = c_0 = 0``.

    One record per step: ``{"t" (label 1..T), "x", "i", "f", "g", "o", "c", "h"}`` with 2-element lists.
    """
    cell = article_lstm()
    xs_arr = np.asarray(xs, dtype=np.float64).reshape(-1, 1)
    tr = cell.forward(xs_arr)
    return [{"t": t + 1, "x": float(xs_arr[t, 0]), **{k: tr.gates[k][t].tolist() for k in "ifgo"},
             "c": tr.c[t].tolist(), "h": tr.h[t].tolist()} for t in range(tr.T)]


def lstm_wrong_index_steps(xs: Any = XS) -> list[dict[str, Any]]:
    """The article's LSTM with its time indices: ``c_t = f_{t-1} c_{t-1} + i_{t-1} g_t``,
    ``h_t = o_{t-1} tanh(c_{t-1})``, gates computed as usual from ``x_t`` and ``h_{t-1}``.

    The formulas need gates "at step 0", which do not exist; they are taken as the gates of a zero input
    from ``h_0`` (``sigmoid(b)``). Whatever they are, ``h_1 = o_0 tanh(c_0) = 0`` when ``c_0 = 0``.
    Returns the same records as :func:`lstm_steps`.
    """
    cell = article_lstm()
    xs_arr = np.asarray(xs, dtype=np.float64).reshape(-1)
    h, c = np.zeros(HIDDEN_SIZE), np.zeros(HIDDEN_SIZE)
    prev = {k: sigmoid(getattr(cell, "b_" + k)) for k in "ifo"}  # the undefined "step 0" gates
    out = []
    for step, x in enumerate(xs_arr):
        a = {k: getattr(cell, "W_x" + k)[:, 0] * x + getattr(cell, "W_h" + k) @ h + getattr(cell, "b_" + k)
             for k in "ifgo"}
        gates = {"i": sigmoid(a["i"]), "f": sigmoid(a["f"]), "g": np.tanh(a["g"]), "o": sigmoid(a["o"])}
        c_new = prev["f"] * c + prev["i"] * gates["g"]
        h = prev["o"] * np.tanh(c)
        c = c_new
        prev = {k: gates[k] for k in "ifo"}
        out.append({"t": step + 1, "x": float(x), **{k: gates[k].tolist() for k in "ifgo"}, "c": c.tolist(),
                    "h": h.tolist()})
    return out


def input_reaches_output(wrong_index: bool, xs: Any = XS, eps: float = 1e-6) -> list[float]:
    """For each step, ``max |d h_t / d x_t|`` (finite differences): does the input of step t reach h_t?

    Returns a list of length T (position 0 is ``t = 1``). The correct LSTM gives positive numbers; the article's
    indices give exactly 0 at every step (the input reaches ``h`` only one step later).
    """
    run = lstm_wrong_index_steps if wrong_index else lstm_steps
    xs_arr = np.asarray(xs, dtype=np.float64).reshape(-1)
    out = []
    for t in range(xs_arr.size):
        up, down = xs_arr.copy(), xs_arr.copy()
        up[t] += eps
        down[t] -= eps
        d = (np.array(run(up)[t]["h"]) - np.array(run(down)[t]["h"])) / (2 * eps)
        out.append(float(np.max(np.abs(d))))
    return out


def step_rows(steps: list[dict[str, Any]], decimals: int = 4) -> list[dict[str, Any]]:
    """Step records (:func:`lstm_steps`, :func:`lstm_wrong_index_steps`) as table rows: every vector (a list,
    e.g. ``"c": [0.569, 0.7383]``) as text with the same number of ``decimals`` (``"[0.5690, 0.7383]"``); other
    fields unchanged."""
    places = int(check_number("decimals", decimals, low=0, high=15, integer=True))
    return [{k: "[" + ", ".join(f"{x:.{places}f}" for x in v) + "]" if isinstance(v, list) else v
             for k, v in step.items()} for step in steps]
