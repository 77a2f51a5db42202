"""The source article's worked GRU example, recomputed in every reading, and its errata.

The article feeds the sequence ``x = 1, 2, 3, 4, 5`` to a GRU from ``h_0 = [0, 0]`` with

====================  ==============  ====================
                      input weight    recurrent weight     bias
====================  ==============  ====================
update gate z         W_xz = [0.1, 0.2]  W_zh = [0.1, 0.2]  b_z = [0.3]
reset gate r          W_xr = [0.1, 0.2]  W_rh = [0.1, 0.2]  b_r = [0.3]
candidate             W_cx = [0.3, 0.4]  W_ch = [0.3, 0.4]  b_c = [0.1]
====================  ==============  ====================

**Interpretation** (the only one under which every product it writes has a meaning): the input size is 1 and
the hidden size is 2; an input weight written ``[a, b]`` is the (2, 1) matrix mapping the scalar ``x`` to
``[a x, b x]``; a recurrent weight written ``[a, b]`` is the diagonal matrix ``diag(a, b)``, i.e. an
element-wise product with ``h``; a one-element bias is added to both units.

Four readings are computed over all five steps (:func:`run_variant`):

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

Run ``python -m lessons.worked_example`` for readable tables, ``--json`` for one JSON object.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lessons.rnn import GRU, LSTM, sigmoid

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

XS: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0, 5.0)
H0: tuple[float, float] = (0.0, 0.0)
HIDDEN_SIZE = 2

# The article's numbers, as printed in its example section.
ARTICLE_PARAMETERS: dict[str, list[float]] = {
    "W_xz": [0.1, 0.2], "W_zh": [0.1, 0.2], "b_z": [0.3],
    "W_xr": [0.1, 0.2], "W_rh": [0.1, 0.2], "b_r": [0.3],
    "W_cx": [0.3, 0.4], "W_ch": [0.3, 0.4], "b_c": [0.1],
}

# What the article prints for steps 1 and 2 (gates printed as single numbers).
SEED_PRINTED: list[dict[str, Any]] = [
    {"t": 1, "x": 1.0, "z": 0.8, "r": 0.9, "candidate": [-0.5, -0.5], "h": [-0.4, -0.4]},
    {"t": 2, "x": 2.0, "z": 0.9, "r": 0.95, "candidate": [-0.6, -0.6], "h": [-0.5, -0.5]},
]

VARIANTS = ("seed_literal", "seed_corrected", "cho", "pytorch")


def _col(v: list[float]) -> np.ndarray:
    return np.array(v, dtype=np.float64).reshape(HIDDEN_SIZE, 1)


def _diag(v: list[float]) -> np.ndarray:
    return np.diag(np.array(v, dtype=np.float64))


def _bias(v: list[float]) -> np.ndarray:
    return np.full(HIDDEN_SIZE, v[0], dtype=np.float64)


def article_gru(variant: str = "article") -> GRU:
    """A :class:`lessons.rnn.GRU` (input 1, hidden 2) holding the article's numbers under ``variant``.

    ``variant``: ``"article"`` (the seed_corrected reading), ``"cho"`` or ``"pytorch"`` (``b_c`` becomes
    ``b_in``, ``b_hn = 0``). Weights: ``W_x* (2, 1)`` from the ``[a, b]`` input weights,
    ``W_h* = diag(a, b)``.
    """
    if variant not in ("article", "cho", "pytorch"):
        raise ValueError(f"variant must be one of ('article', 'cho', 'pytorch'), got {variant!r}")
    p = ARTICLE_PARAMETERS
    cell = GRU(1, HIDDEN_SIZE, variant=variant, rng=0)
    cell.set_parameters(W_xz=_col(p["W_xz"]), W_hz=_diag(p["W_zh"]), b_z=_bias(p["b_z"]),
                        W_xr=_col(p["W_xr"]), W_hr=_diag(p["W_rh"]), b_r=_bias(p["b_r"]),
                        W_xn=_col(p["W_cx"]), W_hn=_diag(p["W_ch"]))
    if variant == "pytorch":
        cell.set_parameters(b_in=_bias(p["b_c"]), b_hn=np.zeros(HIDDEN_SIZE))
    else:
        cell.set_parameters(b_n=_bias(p["b_c"]))
    return cell


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
    p = ARTICLE_PARAMETERS
    W_xz, W_zh, b_z = np.array(p["W_xz"]), np.array(p["W_zh"]), p["b_z"][0]
    W_xr, W_rh, b_r = np.array(p["W_xr"]), np.array(p["W_rh"]), p["b_r"][0]
    W_cx, W_ch, b_c = np.array(p["W_cx"]), np.array(p["W_ch"]), p["b_c"][0]
    h, steps = h0.copy(), []
    for t, x in enumerate(xs, start=1):
        z = sigmoid(W_xz * x + W_zh * h + b_z)
        r = sigmoid(W_xr * x + W_rh * h + b_r)
        n = np.tanh(W_cx * x + W_ch * (r * h + (1 - r) * x) + b_c)
        h = (1 - z) * h + z * n
        steps.append(_step_record(t, x, z, r, n, h))
    return steps


def _step_record(t: int, x: float, z: np.ndarray, r: np.ndarray, n: np.ndarray,
                 h: np.ndarray) -> dict[str, Any]:
    return {"t": t, "x": float(x), "z": z.tolist(), "r": r.tolist(), "candidate": n.tolist(),
            "h": h.tolist()}


def run_variant(name: str, xs: Any = XS, h0: Any = H0) -> list[dict[str, Any]]:
    """All steps of one reading of the example.

    ``name`` in :data:`VARIANTS`; ``xs``: the scalar inputs (T,), default 1..5; ``h0``: (2,). Returns one dict
    per step: ``{"t", "x", "z", "r", "candidate", "h"}`` with 2-element lists for the vectors.
    """
    if name not in VARIANTS:
        raise ValueError(f"name must be one of {VARIANTS}, got {name!r}")
    xs_arr = np.asarray(xs, dtype=np.float64).reshape(-1)
    h0_arr = np.asarray(h0, dtype=np.float64)
    if h0_arr.shape != (HIDDEN_SIZE,):
        raise ValueError(f"h0 must have shape (2,), got shape {h0_arr.shape}")
    if name == "seed_literal":
        return _literal_steps(xs_arr, h0_arr)
    cell = article_gru({"seed_corrected": "article", "cho": "cho", "pytorch": "pytorch"}[name])
    tr = cell.forward(xs_arr[:, None], h0_arr)
    return [_step_record(t + 1, xs_arr[t], tr.gates["z"][t], tr.gates["r"][t], tr.gates["n"][t], tr.h[t])
            for t in range(tr.T)]


def all_variants() -> dict[str, Any]:
    """The JSON object of the CLI: each reading's 5 steps, plus ``"seed_printed"`` (the article's numbers)."""
    out: dict[str, Any] = {name: run_variant(name) for name in VARIANTS}
    out["seed_printed"] = SEED_PRINTED
    return out


def steps_table(name: str) -> list[dict[str, Any]]:
    """Rows for a readable table of one reading: t, x, z, r, candidate and h, rounded to 4 decimals."""
    def fmt(v: Any) -> str:
        return "[" + ", ".join(f"{u:.4f}" for u in v) + "]" if isinstance(v, list) else f"{v:g}"

    return [{k: fmt(v) if k != "t" else v for k, v in s.items()} for s in run_variant(name)]


# ---------------------------------------------------------------------------- by hand
def hand_step(t: int, name: str = "seed_corrected") -> list[dict[str, str]]:
    """Step ``t`` (1-based) of a reading with every product written out, for a readable table.

    ``name`` is ``"seed_corrected"`` or ``"seed_literal"``. Each row: ``{"quantity", "expression", "value"}``
    where ``expression`` shows the numbers multiplied and ``value`` the result (4 decimals); the state the
    step starts from is the one computed by :func:`run_variant`, so the rows chain from step to step.
    """
    if name not in ("seed_corrected", "seed_literal"):
        raise ValueError(f"name must be 'seed_corrected' or 'seed_literal', got {name!r}")
    if not 1 <= t <= len(XS):
        raise ValueError(f"t must be a step in 1..{len(XS)}, got {t}")
    steps = run_variant(name)
    h = np.array(H0) if t == 1 else np.array(steps[t - 2]["h"])
    x = XS[t - 1]
    p = {k: np.array(v) for k, v in ARTICLE_PARAMETERS.items()}

    def v(a: Any) -> str:
        a = np.atleast_1d(np.asarray(a, dtype=float))
        return "[" + ", ".join(f"{u:.4f}".rstrip("0").rstrip(".") if abs(u - round(u, 4)) < 1e-12
                               else f"{u:.4f}" for u in a) + "]"

    rows: list[dict[str, str]] = []

    def add(q: str, expr: str, val: Any) -> np.ndarray:
        val = np.asarray(val, dtype=float)
        rows.append({"quantity": q, "expression": expr, "value": v(val)})
        return val

    gate_sym = {"z": ("W_xz", "W_zh", "b_z"), "r": ("W_xr", "W_rh", "b_r")}
    gates = {}
    for g, (wx, wh, b) in gate_sym.items():
        a_x = add(f"{wx} x_{t}", f"{v(p[wx])} · {x:g}", p[wx] * x)
        a_h = add(f"{wh} ⊙ h_{t-1}", f"{v(p[wh])} ⊙ {v(h)}", p[wh] * h)
        a = add(f"pre-activation of {g}", f"{v(a_x)} + {v(a_h)} + {p[b][0]:g}", a_x + a_h + p[b][0])
        gates[g] = add(f"{g}_{t} = σ(·)", f"σ({v(a)})", sigmoid(a))
    z, r = gates["z"], gates["r"]
    n_x = add(f"W_cx x_{t}", f"{v(p['W_cx'])} · {x:g}", p["W_cx"] * x)
    rh = add(f"r_{t} ⊙ h_{t-1}", f"{v(r)} ⊙ {v(h)}", r * h)
    if name == "seed_literal":
        rx = add(f"(1 − r_{t}) x_{t}", f"{v(1 - r)} · {x:g}", (1 - r) * x)
        inner = add("sum inside W_ch(·)", f"{v(rh)} + {v(rx)}", rh + rx)
    else:
        inner = rh
    n_h = add("W_ch ⊙ (·)", f"{v(p['W_ch'])} ⊙ {v(inner)}", p["W_ch"] * inner)
    a_n = add("pre-activation of candidate", f"{v(n_x)} + {v(n_h)} + {p['b_c'][0]:g}",
              n_x + n_h + p["b_c"][0])
    n = add(f"h'_{t} = tanh(·)", f"tanh({v(a_n)})", np.tanh(a_n))
    keep = add(f"(1 − z_{t}) ⊙ h_{t-1}", f"{v(1 - z)} ⊙ {v(h)}", (1 - z) * h)
    new = add(f"z_{t} ⊙ h'_{t}", f"{v(z)} ⊙ {v(n)}", z * n)
    h_new = add(f"h_{t}", f"{v(keep)} + {v(new)}", keep + new)
    if not np.allclose(h_new, steps[t - 1]["h"], atol=1e-12):  # pragma: no cover (guarded by tests)
        raise RuntimeError("hand_step disagrees with run_variant")
    return rows


# ---------------------------------------------------------------------------- errata
@dataclass(frozen=True)
class Erratum:
    """One printed number (or statement) of the example that cannot follow from the stated parameters."""

    key: str        # short id, e.g. "z1"
    quantity: str   # what is printed, e.g. "z_1"
    printed: str    # the printed value
    correct: str    # what the stated parameters give (seed_corrected reading unless said otherwise)
    proof: str      # a short argument anyone can check
    impossible: bool  # True when the printed value cannot follow from the parameters under any reading


def logit(p: float) -> float:
    """The argument a sigmoid needs to output ``p`` (0 < p < 1): ``log(p / (1 - p))``."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be strictly between 0 and 1, got {p}")
    return math.log(p / (1 - p))


def gate_check(t: int, gate: str) -> dict[str, Any]:
    """Printed vs computed gate at step ``t`` in {1, 2}, ``gate`` in {"z", "r"}.

    Returns ``{"printed", "argument" (2,), "computed" (2,), "argument_needed"}``: the pre-activation and the
    sigmoid from the stated parameters, *using the article's own printed h_{t-1}* (so the check does not
    depend on earlier errors), and the argument the printed value would need.
    """
    if t not in (1, 2) or gate not in ("z", "r"):
        raise ValueError(f"t must be 1 or 2 and gate 'z' or 'r', got t={t!r}, gate={gate!r}")
    wx, wh, b = ("W_xz", "W_zh", "b_z") if gate == "z" else ("W_xr", "W_rh", "b_r")
    p = {k: np.array(v) for k, v in ARTICLE_PARAMETERS.items()}
    h_prev = np.array(H0) if t == 1 else np.array(SEED_PRINTED[0]["h"])
    a = p[wx] * XS[t - 1] + p[wh] * h_prev + p[b][0]
    printed = SEED_PRINTED[t - 1][gate]
    return {"printed": printed, "argument": a.tolist(), "computed": sigmoid(a).tolist(),
            "argument_needed": logit(printed)}


def candidate_lower_bound(name: str = "seed_corrected") -> float:
    """The smallest pre-activation of the candidate over all steps and both units of a reading.

    Every input, weight and bias of the example is positive and ``h_0 = 0``, so in both article readings the
    argument of tanh stays positive at every step (and so do the candidate and ``h``); the returned minimum
    is > 0. ``name`` is ``"seed_corrected"`` or ``"seed_literal"``.
    """
    if name not in ("seed_corrected", "seed_literal"):
        raise ValueError(f"name must be 'seed_corrected' or 'seed_literal', got {name!r}")
    steps = run_variant(name)
    return float(min(min(np.arctanh(np.array(s["candidate"]))) for s in steps))


def printed_candidate_from_printed_values(t: int) -> dict[str, Any]:
    """The article's candidate at step ``t`` in {1, 2} recomputed *from its own printed r and h_{t-1}*.

    Uses the literal formula (with ``(1 - r) x``). Returns ``{"argument" (2,), "candidate" (2,), "printed"}``:
    even from the article's own intermediate numbers the candidate comes out positive.
    """
    if t not in (1, 2):
        raise ValueError(f"t must be 1 or 2, got {t!r}")
    p = {k: np.array(v) for k, v in ARTICLE_PARAMETERS.items()}
    x = XS[t - 1]
    r = SEED_PRINTED[t - 1]["r"]
    h_prev = np.array(H0) if t == 1 else np.array(SEED_PRINTED[0]["h"])
    a = p["W_cx"] * x + p["W_ch"] * (r * h_prev + (1 - r) * x) + p["b_c"][0]
    return {"argument": a.tolist(), "candidate": np.tanh(a).tolist(),
            "printed": SEED_PRINTED[t - 1]["candidate"]}


def printed_update_arithmetic(t: int) -> dict[str, Any]:
    """``(1 - z) h_{t-1} + z h'`` evaluated with the article's *printed* z, h_{t-1} and h' at step ``t``.

    Returns ``{"recomputed" (2,), "printed" (2,)}``: step 1 is consistent with its own numbers
    (0.2·0 + 0.8·(−0.5) = −0.4); step 2 is not (0.1·(−0.4) + 0.9·(−0.6) = −0.58, printed −0.5).
    """
    if t not in (1, 2):
        raise ValueError(f"t must be 1 or 2, got {t!r}")
    s = SEED_PRINTED[t - 1]
    h_prev = np.array(H0) if t == 1 else np.array(SEED_PRINTED[0]["h"])
    rec = (1 - s["z"]) * h_prev + s["z"] * np.array(s["candidate"])
    return {"recomputed": rec.tolist(), "printed": s["h"]}


def errata() -> list[Erratum]:
    """Every printed number of the example that the stated parameters contradict, with a short proof."""
    f4 = lambda a: "[" + ", ".join(f"{u:.3f}" for u in a) + "]"  # noqa: E731
    corr = run_variant("seed_corrected")
    out: list[Erratum] = []
    for t in (1, 2):
        for g in ("z", "r"):
            c = gate_check(t, g)
            out.append(Erratum(
                key=f"{g}{t}", quantity=f"{g}_{t}", printed=f"{c['printed']:g}", correct=f4(corr[t - 1][g]),
                proof=(f"the argument of σ is {f4(c['argument'])}"
                       + (" (even with the printed h_1)" if t == 2 else "")
                       + f", so σ gives {f4(c['computed'])}; σ = {c['printed']:g} would need an argument "
                       f"of {c['argument_needed']:.3f}. A gate of a 2-unit state is also a 2-vector, "
                       "not one number."),
                impossible=True))
    out.append(Erratum(
        key="z_equals_r", quantity="z_t versus r_t", printed="z_1 = 0.8, r_1 = 0.9; z_2 = 0.9, r_2 = 0.95",
        correct="z_t = r_t at every step",
        proof="z and r have the same formula and the same weights and biases (W_xz = W_xr, W_zh = W_rh, "
              "b_z = b_r), so from the same x_t and h_{t-1} they must be equal.", impossible=True))
    lo = candidate_lower_bound("seed_literal")
    for t in (1, 2):
        own = printed_candidate_from_printed_values(t)
        out.append(Erratum(
            key=f"candidate{t}", quantity=f"h'_{t}", printed=f4(SEED_PRINTED[t - 1]["candidate"]),
            correct=f"{f4(corr[t - 1]['candidate'])} (standard); "
                    f"{f4(run_variant('seed_literal')[t - 1]['candidate'])} (literal formula)",
            proof=("x_t, every weight and every bias are positive and h_0 = 0, so the argument of tanh is "
                   "positive at every step (smallest over the 5 steps, literal formula: "
                   f"{lo:.3f}) and tanh of a positive number is positive. Even from the article's own "
                   f"printed r_{t} and h_{t - 1} the argument is {f4(own['argument'])}."
                   + (" The article also writes (1 − 0.9)·1 = 0.1 as 1 inside tanh." if t == 1 else "")),
            impossible=True))
    out.append(Erratum(
        key="h1", quantity="h_1", printed="[-0.400, -0.400]", correct=f4(corr[0]["h"]),
        proof="with h_0 = 0 the update gives h_1 = z_1 ⊙ h'_1, a product of a gate in (0, 1) and a positive "
              "candidate, so h_1 > 0. (The printed −0.4 = 0.8 × (−0.5) only carries the earlier errors.)",
        impossible=True))
    u2 = printed_update_arithmetic(2)
    out.append(Erratum(
        key="h2", quantity="h_2", printed="[-0.500, -0.500]", correct=f4(corr[1]["h"]),
        proof=f"h_2 > 0 for the same reason as h_1; and even the article's own numbers give "
              f"0.1 × (−0.4) + 0.9 × (−0.6) = {u2['recomputed'][0]:.2f}, not −0.5.", impossible=True))
    return out


# ---------------------------------------------------------------------------- LSTM
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
        cell.set_parameters(**{f"W_x{k}": _col(p["W_x"]), f"W_h{k}": _diag(p["W_h"]),
                               f"b_{k}": _bias(p["b"])})
    return cell


def lstm_steps(xs: Any = XS) -> list[dict[str, Any]]:
    """The correct LSTM over ``xs`` (T,) from ``h_0 = c_0 = 0``.

    One record per step: ``{"t", "x", "i", "f", "g", "o", "c", "h"}`` with 2-element lists.
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
    H = HIDDEN_SIZE
    h, c = np.zeros(H), np.zeros(H)
    prev = {k: sigmoid(getattr(cell, "b_" + k)) for k in "ifo"}  # the undefined "step 0" gates
    out = []
    for t, x in enumerate(xs_arr, start=1):
        a = {k: getattr(cell, "W_x" + k)[:, 0] * x + getattr(cell, "W_h" + k) @ h + getattr(cell, "b_" + k)
             for k in "ifgo"}
        gates = {"i": sigmoid(a["i"]), "f": sigmoid(a["f"]), "g": np.tanh(a["g"]), "o": sigmoid(a["o"])}
        c_new = prev["f"] * c + prev["i"] * gates["g"]
        h = prev["o"] * np.tanh(c)
        c = c_new
        prev = {k: gates[k] for k in "ifo"}
        out.append({"t": t, "x": float(x), **{k: gates[k].tolist() for k in "ifgo"}, "c": c.tolist(),
                    "h": h.tolist()})
    return out


def input_reaches_output(wrong_index: bool, xs: Any = XS, eps: float = 1e-6) -> list[float]:
    """For each step t, ``max |d h_t / d x_t|`` (finite differences): does the input of step t reach h_t?

    The correct LSTM gives positive numbers; the article's indices give exactly 0 at every step (the input
    reaches ``h`` only one step later).
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


def key_numbers() -> dict[str, float]:
    """Every number the chapter quotes in its prose, by name (the notebook glues them)."""
    out: dict[str, float] = {}
    corr, lit = run_variant("seed_corrected"), run_variant("seed_literal")
    for t in (1, 2):
        c = gate_check(t, "z")
        for u in (0, 1):
            out[f"arg_z{t}_{u + 1}"] = c["argument"][u]
            out[f"sig_z{t}_{u + 1}"] = c["computed"][u]
        own = printed_candidate_from_printed_values(t)
        for u in (0, 1):
            out[f"own_arg{t}_{u + 1}"] = own["argument"][u]
        out[f"own_h{t}"] = printed_update_arithmetic(t)["recomputed"][0]
        for u in (0, 1):
            out[f"corr_h{t}_{u + 1}"] = corr[t - 1]["h"][u]
            out[f"corr_n{t}_{u + 1}"] = corr[t - 1]["candidate"][u]
            out[f"lit_n{t}_{u + 1}"] = lit[t - 1]["candidate"][u]
            out[f"lit_h{t}_{u + 1}"] = lit[t - 1]["h"][u]
    for p in (0.8, 0.9, 0.95):
        out[f"logit_{p:g}".replace(".", "")] = logit(p)
    out["lit_min_arg"] = candidate_lower_bound("seed_literal")
    out["corr_min_arg"] = candidate_lower_bound("seed_corrected")
    out["corr_h5_1"], out["corr_h5_2"] = corr[-1]["h"]
    right, wrong = lstm_steps(), lstm_wrong_index_steps()
    for u in (0, 1):
        out[f"lstm_h1_{u + 1}"] = right[0]["h"][u]
        out[f"lstm_c1_{u + 1}"] = right[0]["c"][u]
        out[f"wrong_h2_{u + 1}"] = wrong[1]["h"][u]
    reach = input_reaches_output(False)
    out["reach_min"], out["reach_max"] = min(reach), max(reach)
    out["reach_wrong_max"] = max(input_reaches_output(True))
    return out


# ---------------------------------------------------------------------------- figures
def plot_readings() -> Figure:
    """Matplotlib figure: h_t of both units over the 5 steps of each reading, and the article's printed h."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    styles = {"seed_literal": ("tab:orange", "o"), "seed_corrected": ("tab:blue", "s"),
              "cho": ("tab:green", "^"), "pytorch": ("k", "x")}
    for unit, ax in enumerate(axes):
        for name in VARIANTS:
            steps = run_variant(name)
            color, marker = styles[name]
            ax.plot([s["t"] for s in steps], [s["h"][unit] for s in steps], marker=marker, color=color,
                    label=name, lw=1.5, ls=":" if name == "pytorch" else "-")
        ax.plot([s["t"] for s in SEED_PRINTED], [s["h"][unit] for s in SEED_PRINTED], "D", color="tab:red",
                ms=8, label="printed in the article")
        ax.axhline(0, color="gray", lw=0.8)
        ax.set(title=f"hidden unit {unit + 1}", xlabel="step t", xticks=range(1, len(XS) + 1))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("h_t")
    axes[1].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_lstm_time_indices() -> Figure:
    """Matplotlib figure: h_t (both units) of the correct LSTM and with the article's time indices."""
    import matplotlib.pyplot as plt

    right, wrong = lstm_steps(), lstm_wrong_index_steps()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    for unit, ax in enumerate(axes):
        ax.plot([s["t"] for s in right], [s["h"][unit] for s in right], "o-", label="correct LSTM")
        ax.plot([s["t"] for s in wrong], [s["h"][unit] for s in wrong], "s--", label="article's indices")
        ax.set(title=f"hidden unit {unit + 1}", xlabel="step t", xticks=range(1, len(XS) + 1))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("h_t")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------- CLI
def _print_tables() -> None:
    for name in VARIANTS:
        print(f"\n{name}")
        rows = steps_table(name)
        cols = list(rows[0])
        widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
        print("  ".join(c.ljust(widths[c]) for c in cols))
        for r in rows:
            print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    print("\nseed_printed (the article's numbers)")
    for s in SEED_PRINTED:
        print(s)
    print("\nerrata")
    for e in errata():
        print(f"- {e.quantity}: printed {e.printed}; from the parameters {e.correct}. {e.proof}")


def main(argv: list[str] | None = None) -> None:
    """``python -m lessons.worked_example [--json]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = parser.parse_args(argv)
    if args.json:
        print(json.dumps(all_variants(), indent=1))
    else:
        _print_tables()


def errata_records() -> list[dict[str, Any]]:
    """:func:`errata` as plain dicts (for tables and JSON)."""
    return [asdict(e) for e in errata()]


if __name__ == "__main__":
    main()
