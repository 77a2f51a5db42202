"""The source article's worked GRU example: its numbers and its four readings, step by step.

The article feeds the sequence ``x = 1, 2, 3, 4, 5`` to a GRU from ``h_0 = [0, 0]`` with

====================  =================  ==================  ============
                      input weight       recurrent weight    bias
====================  =================  ==================  ============
update gate z         W_xz = [0.1, 0.2]  W_zh = [0.1, 0.2]   b_z = [0.3]
reset gate r          W_xr = [0.1, 0.2]  W_rh = [0.1, 0.2]   b_r = [0.3]
candidate             W_cx = [0.3, 0.4]  W_ch = [0.3, 0.4]   b_c = [0.1]
====================  =================  ==================  ============

**Interpretation**: the input size is 1 and the hidden size is 2; an input weight written ``[a, b]`` is the
(2, 1) matrix mapping the scalar ``x`` to ``[a x, b x]``; a one-element bias is added to both units. A recurrent
weight written ``[a, b]`` has two readings under which every product the article writes is defined: the
diagonal matrix ``diag(a, b)`` (an element-wise product with ``h``; the book's choice) and the rank-1 matrix
whose every row is ``[a, b]`` (each unit reads ``a h_1 + b h_2``); see :data:`RECURRENT_READINGS` and
:func:`recurrent_reading_gap`, which compares them.

Four readings (:data:`READINGS`) are computed over all five steps (:func:`run_reading`):

* ``"seed_literal"``: the article's formulas exactly as written, with the extra ``(1 - r) * x`` term in the
  candidate, ``n = tanh(W_cx x + W_ch (r * h + (1 - r) * x) + b_c)``, and its update
  ``h = (1 - z) * h_prev + z * n`` (``r_t`` is used where the formula says ``r_{t-1}``, as the article's own
  example does);
* ``"seed_corrected"``: the standard (Cho et al.) candidate ``n = tanh(W_cx x + W_ch (r * h_prev) + b_c)``
  with the article's update convention; this is :class:`lessons.rnn.GRU` with ``variant="article"``;
* ``"cho"``: the same numbers in Cho et al.'s convention ``h = (1 - z) * n + z * h_prev``
  (:class:`~lessons.rnn.GRU` ``variant="cho"``);
* ``"pytorch"``: the same numbers in PyTorch's GRU, ``b_c`` as ``b_in`` and ``b_hn = 0``.

In the last two the *same numbers* mean something else: the article's ``z`` says how much of the new candidate
enters, PyTorch's ``z`` says how much of the old state is kept. The article's model written in PyTorch's
convention has the update gate's weights and bias negated (:func:`pytorch_equivalent_gru`), because
``1 - sigmoid(a) = sigmoid(-a)``. With diagonal recurrent weights and ``b_hn = 0``, applying the reset gate
before the recurrent product (Cho) or after it (PyTorch) gives the same numbers: ``r * (W h) = W (r * h)``
when ``W`` is diagonal, so the ``"cho"`` and ``"pytorch"`` rows coincide here (they differ in general).

Time steps: function arguments are 0-based (``step = 0`` is the first input ``x_1``); the ``"t"`` field of a
step record is the equation's label ``t = 1..5``, as the article prints it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lessons.checks import check_choice
from lessons.mathfn import sigmoid
from lessons.rnn import GRU

XS: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0, 5.0)
"""The example's inputs ``x_1 .. x_5``."""
H0: tuple[float, float] = (0.0, 0.0)
"""The initial state ``h_0``."""
HIDDEN_SIZE = 2

ARTICLE_PARAMETERS: dict[str, list[float]] = {
    "W_xz": [0.1, 0.2], "W_zh": [0.1, 0.2], "b_z": [0.3],
    "W_xr": [0.1, 0.2], "W_rh": [0.1, 0.2], "b_r": [0.3],
    "W_cx": [0.3, 0.4], "W_ch": [0.3, 0.4], "b_c": [0.1],
}
"""The article's numbers, as printed in its example section."""

SEED_PRINTED: list[dict[str, Any]] = [
    {"t": 1, "x": 1.0, "z": 0.8, "r": 0.9, "candidate": [-0.5, -0.5], "h": [-0.4, -0.4]},
    {"t": 2, "x": 2.0, "z": 0.9, "r": 0.95, "candidate": [-0.6, -0.6], "h": [-0.5, -0.5]},
]
"""What the article prints for its first two steps (gates printed as single numbers)."""

READINGS: tuple[str, ...] = ("seed_literal", "seed_corrected", "cho", "pytorch")
"""The four readings of the example (not to be confused with the ``variant`` of :class:`lessons.rnn.GRU`)."""

ARTICLE_READINGS: tuple[str, ...] = ("seed_corrected", "seed_literal")
"""The two readings in the article's own update convention (the ones :func:`hand_step` writes out)."""


def input_weight(v: list[float]) -> np.ndarray:
    """An input weight written ``[a, b]``: the (2, 1) column mapping the scalar ``x`` to ``[a x, b x]``."""
    return np.array(v, dtype=np.float64).reshape(HIDDEN_SIZE, 1)


RECURRENT_READINGS: tuple[str, ...] = ("diagonal", "rank1")
"""Two well-defined readings of a recurrent weight written ``[a, b]``: ``diag(a, b)`` or every row ``[a, b]``."""


def recurrent_weight(v: list[float], reading: str = "diagonal") -> np.ndarray:
    """A recurrent weight written ``[a, b]`` as a (2, 2) matrix: ``diag(a, b)`` (``reading="diagonal"``, the
    book's choice) or the rank-1 matrix whose every row is ``[a, b]`` (``reading="rank1"``)."""
    check_choice("reading", reading, RECURRENT_READINGS)
    row = np.array(v, dtype=np.float64)
    return np.diag(row) if reading == "diagonal" else np.tile(row, (HIDDEN_SIZE, 1))


def unit_bias(v: list[float]) -> np.ndarray:
    """A one-element bias ``[b]`` added to both units: ``(2,)``."""
    return np.full(HIDDEN_SIZE, v[0], dtype=np.float64)


def parameter_arrays() -> dict[str, np.ndarray]:
    """:data:`ARTICLE_PARAMETERS` as NumPy arrays (each ``(2,)`` or ``(1,)``), for element-wise formulas."""
    return {k: np.array(v) for k, v in ARTICLE_PARAMETERS.items()}


def literal_candidate_argument(x: float, r: Any, h_prev: Any) -> np.ndarray:
    """The argument of tanh in the article's literal candidate: ``W_cx x + W_ch (r * h_prev + (1 - r) x) + b_c``.

    ``r`` and ``h_prev``: numbers or ``(2,)``; returns ``(2,)``.
    """
    p = parameter_arrays()
    return p["W_cx"] * x + p["W_ch"] * (r * h_prev + (1 - r) * x) + p["b_c"][0]


def article_gru(variant: str = "article", recurrent: str = "diagonal") -> GRU:
    """A :class:`lessons.rnn.GRU` (input 1, hidden 2) holding the article's numbers under ``variant``.

    ``variant``: ``"article"`` (the seed_corrected reading), ``"cho"`` or ``"pytorch"`` (``b_c`` becomes
    ``b_in``, ``b_hn = 0``). Weights: ``W_x* (2, 1)`` from the ``[a, b]`` input weights, ``W_h*`` (2, 2) by
    :func:`recurrent_weight` under the ``recurrent`` reading (default ``diag(a, b)``).
    """
    check_choice("variant", variant, ("article", "cho", "pytorch"))
    p = ARTICLE_PARAMETERS
    cell = GRU(1, HIDDEN_SIZE, variant=variant, rng=0)

    def rec(v: list[float]) -> np.ndarray:
        return recurrent_weight(v, recurrent)

    cell.set_parameters(W_xz=input_weight(p["W_xz"]), W_hz=rec(p["W_zh"]), b_z=unit_bias(p["b_z"]),
                        W_xr=input_weight(p["W_xr"]), W_hr=rec(p["W_rh"]), b_r=unit_bias(p["b_r"]),
                        W_xn=input_weight(p["W_cx"]), W_hn=rec(p["W_ch"]))
    if variant == "pytorch":
        cell.set_parameters(b_in=unit_bias(p["b_c"]), b_hn=np.zeros(HIDDEN_SIZE))
    else:
        cell.set_parameters(b_n=unit_bias(p["b_c"]))
    return cell


def recurrent_reading_gap() -> list[dict[str, Any]]:
    """The seed_corrected reading's states under both readings of the recurrent weights, step by step.

    One row per step: ``{"t", "h diagonal", "h rank1", "max |difference|"}``. At ``t = 1`` they agree
    (``h_0 = 0`` makes every recurrent product vanish); from ``t = 2`` on they differ.
    """
    xs = np.asarray(XS)[:, None]
    diag = article_gru("article", "diagonal").forward(xs, np.asarray(H0)).h
    rank1 = article_gru("article", "rank1").forward(xs, np.asarray(H0)).h
    pairs = enumerate(zip(diag, rank1, strict=True))
    return [{"t": t + 1, "h diagonal": np.round(d, 4).tolist(), "h rank1": np.round(r, 4).tolist(),
             "max |difference|": float(np.max(np.abs(d - r)))} for t, (d, r) in pairs]


def pytorch_equivalent_gru() -> GRU:
    """The seed_corrected model rewritten in PyTorch's convention: update-gate weights and bias negated.

    Its hidden states equal the ``"seed_corrected"`` ones (``1 - sigmoid(a) = sigmoid(-a)``); its ``z`` is
    the article's ``1 - z``.
    """
    cell = article_gru("pytorch")
    cell.set_parameters(W_xz=-cell.W_xz, W_hz=-cell.W_hz, b_z=-cell.b_z)
    return cell


def _literal_steps(xs: np.ndarray, h0: np.ndarray) -> list[dict[str, Any]]:
    """The article's formulas as printed, including ``(1 - r) * x`` inside the candidate."""
    p = parameter_arrays()
    h, steps = h0.copy(), []
    for step, x in enumerate(xs):
        z = sigmoid(p["W_xz"] * x + p["W_zh"] * h + p["b_z"][0])
        r = sigmoid(p["W_xr"] * x + p["W_rh"] * h + p["b_r"][0])
        n = np.tanh(literal_candidate_argument(x, r, h))
        h = (1 - z) * h + z * n
        steps.append(_step_record(step, x, z, r, n, h))
    return steps


def _step_record(step: int, x: float, z: np.ndarray, r: np.ndarray, n: np.ndarray,
                 h: np.ndarray) -> dict[str, Any]:
    return {"t": step + 1, "x": float(x), "z": z.tolist(), "r": r.tolist(), "candidate": n.tolist(),
            "h": h.tolist()}


def run_reading(name: str, xs: Any = XS, h0: Any = H0) -> list[dict[str, Any]]:
    """All steps of one reading of the example.

    ``name`` in :data:`READINGS`; ``xs``: the scalar inputs (T,), default 1..5; ``h0``: (2,). Returns one dict
    per step: ``{"t" (the label 1..T), "x", "z", "r", "candidate", "h"}`` with 2-element lists for the vectors.
    """
    check_choice("name", name, READINGS)
    xs_arr = np.asarray(xs, dtype=np.float64).reshape(-1)
    h0_arr = np.asarray(h0, dtype=np.float64)
    if h0_arr.shape != (HIDDEN_SIZE,):
        raise ValueError(f"h0 must have shape (2,), got shape {h0_arr.shape}")
    if name == "seed_literal":
        return _literal_steps(xs_arr, h0_arr)
    cell = article_gru({"seed_corrected": "article", "cho": "cho", "pytorch": "pytorch"}[name])
    tr = cell.forward(xs_arr[:, None], h0_arr)
    return [_step_record(t, xs_arr[t], tr.gates["z"][t], tr.gates["r"][t], tr.gates["n"][t], tr.h[t])
            for t in range(tr.T)]


def all_readings() -> dict[str, Any]:
    """The JSON object of the CLI: each reading's 5 steps, plus ``"seed_printed"`` (the article's numbers)."""
    out: dict[str, Any] = {name: run_reading(name) for name in READINGS}
    out["seed_printed"] = SEED_PRINTED
    return out


def steps_table(name: str) -> list[dict[str, Any]]:
    """Rows for a readable table of one reading: t, x, z, r, candidate and h, rounded to 4 decimals."""
    def fmt(v: Any) -> str:
        return "[" + ", ".join(f"{u:.4f}" for u in v) + "]" if isinstance(v, list) else f"{v:g}"

    return [{k: fmt(v) if k != "t" else v for k, v in s.items()} for s in run_reading(name)]


def check_step(step: int) -> int:
    """``step`` as a 0-based index into :data:`XS`, or a ValueError naming it."""
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not 0 <= step < len(XS):
        raise ValueError(f"step must be a 0-based step in 0..{len(XS) - 1}, got {step!r}")
    return int(step)


def _vec(a: Any) -> str:
    """``[0.1, 0.2]`` style: 4 decimals, trailing zeros dropped where the value is exact to 4 decimals."""
    a = np.atleast_1d(np.asarray(a, dtype=float))
    return "[" + ", ".join(f"{u:.4f}".rstrip("0").rstrip(".") if abs(u - round(u, 4)) < 1e-12
                           else f"{u:.4f}" for u in a) + "]"


def hand_step(step: int, name: str = "seed_corrected") -> list[dict[str, str]]:
    """Step ``step`` (0-based; the equations' ``t = step + 1``) with every product written out.

    ``name`` is ``"seed_corrected"`` or ``"seed_literal"``. Each row: ``{"quantity", "expression", "value"}``
    where ``expression`` shows the numbers multiplied and ``value`` the result (4 decimals); the state the
    step starts from is the one computed by :func:`run_reading`, so the rows chain from step to step.
    """
    check_choice("name", name, ARTICLE_READINGS)
    step = check_step(step)
    steps = run_reading(name)
    h = np.array(H0) if step == 0 else np.array(steps[step - 1]["h"])
    x, t, v = XS[step], step + 1, _vec
    p = parameter_arrays()
    rows: list[dict[str, str]] = []

    def add(q: str, expr: str, val: Any) -> np.ndarray:
        val = np.asarray(val, dtype=float)
        rows.append({"quantity": q, "expression": expr, "value": v(val)})
        return val

    gates = {}
    for g, (wx, wh, b) in {"z": ("W_xz", "W_zh", "b_z"), "r": ("W_xr", "W_rh", "b_r")}.items():
        a_x = add(f"{wx} x_{t}", f"{v(p[wx])} · {x:g}", p[wx] * x)
        a_h = add(f"{wh} ⊙ h_{t-1}", f"{v(p[wh])} ⊙ {v(h)}", p[wh] * h)
        a = add(f"pre-activation of {g}", f"{v(a_x)} + {v(a_h)} + {p[b][0]:g}", a_x + a_h + p[b][0])
        gates[g] = add(f"{g}_{t} = σ(·)", f"σ({v(a)})", sigmoid(a))
    z, r = gates["z"], gates["r"]
    n_x = add(f"W_cx x_{t}", f"{v(p['W_cx'])} · {x:g}", p["W_cx"] * x)
    inner = add(f"r_{t} ⊙ h_{t-1}", f"{v(r)} ⊙ {v(h)}", r * h)
    if name == "seed_literal":
        rx = add(f"(1 − r_{t}) x_{t}", f"{v(1 - r)} · {x:g}", (1 - r) * x)
        inner = add("sum inside W_ch(·)", f"{v(inner)} + {v(rx)}", inner + rx)
    n_h = add("W_ch ⊙ (·)", f"{v(p['W_ch'])} ⊙ {v(inner)}", p["W_ch"] * inner)
    a_n = add("pre-activation of candidate", f"{v(n_x)} + {v(n_h)} + {p['b_c'][0]:g}",
              n_x + n_h + p["b_c"][0])
    n = add(f"h'_{t} = tanh(·)", f"tanh({v(a_n)})", np.tanh(a_n))
    keep = add(f"(1 − z_{t}) ⊙ h_{t-1}", f"{v(1 - z)} ⊙ {v(h)}", (1 - z) * h)
    new = add(f"z_{t} ⊙ h'_{t}", f"{v(z)} ⊙ {v(n)}", z * n)
    h_new = add(f"h_{t}", f"{v(keep)} + {v(new)}", keep + new)
    if not np.allclose(h_new, steps[step]["h"], atol=1e-12):  # pragma: no cover (guarded by tests)
        raise RuntimeError("hand_step disagrees with run_reading")
    return rows
