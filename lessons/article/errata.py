"""The worked example's errata: every printed number the stated parameters contradict, each with a short proof.

The checks recompute the article's intermediate numbers *from its own printed values* where that makes the
argument independent of earlier errors. Steps are 0-based arguments (``step = 0`` is the equations' ``t = 1``);
the article prints two steps, so ``step`` is 0 or 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from lessons.article.gru_example import (
    ARTICLE_READINGS,
    H0,
    SEED_PRINTED,
    XS,
    literal_candidate_argument,
    parameter_arrays,
    run_reading,
)
from lessons.checks import check_choice
from lessons.mathfn import logit, sigmoid

PRINTED_STEPS: tuple[int, ...] = (0, 1)
"""The steps the article prints (0-based)."""


@dataclass(frozen=True)
class Erratum:
    """One printed number (or statement) of the example that cannot follow from the stated parameters."""

    key: str        # short id, e.g. "z1"
    quantity: str   # what is printed, e.g. "z_1"
    printed: str    # the printed value
    correct: str    # what the stated parameters give (seed_corrected reading unless said otherwise)
    proof: str      # a short argument anyone can check
    impossible: bool  # True when the printed value cannot follow from the parameters under any reading


def _printed_step(step: int) -> int:
    if step not in PRINTED_STEPS:
        raise ValueError(f"step must be 0 or 1 (the printed steps, 0-based), got {step!r}")
    return step


def _printed_h_prev(step: int) -> np.ndarray:
    """The state the article's step ``step`` starts from, as the article prints it."""
    return np.array(H0) if step == 0 else np.array(SEED_PRINTED[step - 1]["h"])


def gate_check(step: int, gate: str) -> dict[str, Any]:
    """Printed vs computed gate at printed step ``step`` (0 or 1), ``gate`` in {"z", "r"}.

    Returns ``{"printed", "argument" (2,), "computed" (2,), "argument_needed"}``: the pre-activation and the
    sigmoid from the stated parameters, *using the article's own printed h_{t-1}* (so the check does not
    depend on earlier errors), and the argument the printed value would need.
    """
    step = _printed_step(step)
    check_choice("gate", gate, ("z", "r"))
    wx, wh, b = ("W_xz", "W_zh", "b_z") if gate == "z" else ("W_xr", "W_rh", "b_r")
    p = parameter_arrays()
    a = p[wx] * XS[step] + p[wh] * _printed_h_prev(step) + p[b][0]
    printed = SEED_PRINTED[step][gate]
    return {"printed": printed, "argument": a.tolist(), "computed": sigmoid(a).tolist(),
            "argument_needed": logit(printed)}


def candidate_lower_bound(name: str = "seed_corrected") -> float:
    """The smallest pre-activation of the candidate over all steps and both units of a reading.

    Every input, weight and bias of the example is positive and ``h_0 = 0``, so in both article readings the
    argument of tanh stays positive at every step (and so do the candidate and ``h``); the returned minimum
    is > 0. ``name`` is ``"seed_corrected"`` or ``"seed_literal"``.
    """
    check_choice("name", name, ARTICLE_READINGS)
    steps = run_reading(name)
    return float(min(min(np.arctanh(np.array(s["candidate"]))) for s in steps))


def printed_candidate_from_printed_values(step: int) -> dict[str, Any]:
    """The article's candidate at printed step ``step`` (0 or 1) recomputed *from its own printed r and h_{t-1}*.

    Uses the literal formula (with ``(1 - r) x``). Returns ``{"argument" (2,), "candidate" (2,), "printed"}``:
    even from the article's own intermediate numbers the candidate comes out positive.
    """
    step = _printed_step(step)
    a = literal_candidate_argument(XS[step], SEED_PRINTED[step]["r"], _printed_h_prev(step))
    return {"argument": a.tolist(), "candidate": np.tanh(a).tolist(), "printed": SEED_PRINTED[step]["candidate"]}


def printed_update_arithmetic(step: int) -> dict[str, Any]:
    """``(1 - z) h_{t-1} + z h'`` evaluated with the article's *printed* z, h_{t-1} and h' at printed ``step``.

    Returns ``{"recomputed" (2,), "printed" (2,)}``: the first step is consistent with its own numbers
    (0.2·0 + 0.8·(−0.5) = −0.4); the second is not (0.1·(−0.4) + 0.9·(−0.6) = −0.58, printed −0.5).
    """
    s = SEED_PRINTED[_printed_step(step)]
    rec = (1 - s["z"]) * _printed_h_prev(step) + s["z"] * np.array(s["candidate"])
    return {"recomputed": rec.tolist(), "printed": s["h"]}


def first_step_values() -> dict[str, Any]:
    """The first step recomputed from the printed parameters, next to what the article prints.

    Returns ``z1`` and ``r1`` (2,): equal, because their formulas and parameters are; ``article_z1`` and
    ``article_r1``: the printed scalars 0.8 and 0.9; ``candidate_preact`` (2,): the pre-activation of the
    candidate as the article writes it (with its extra ``(1 - r) * x`` term), ``candidate``: its tanh;
    ``article_candidate``: the printed ``[-0.5, -0.5]``.
    """
    z1 = np.array(gate_check(0, "z")["computed"])
    r1 = np.array(gate_check(0, "r")["computed"])
    pre = literal_candidate_argument(XS[0], r1, np.array(H0))
    return {"z1": z1, "r1": r1, "article_z1": SEED_PRINTED[0]["z"], "article_r1": SEED_PRINTED[0]["r"],
            "candidate_preact": pre, "candidate": np.tanh(pre),
            "article_candidate": np.array(SEED_PRINTED[0]["candidate"])}


def _f3(a: Any) -> str:
    return "[" + ", ".join(f"{u:.3f}" for u in a) + "]"


def _gate_errata(corr: list[dict[str, Any]]) -> list[Erratum]:
    out = []
    for step in PRINTED_STEPS:
        for g in ("z", "r"):
            c = gate_check(step, g)
            out.append(Erratum(
                key=f"{g}{step + 1}", quantity=f"{g}_{step + 1}", printed=f"{c['printed']:g}",
                correct=_f3(corr[step][g]),
                proof=(f"the argument of σ is {_f3(c['argument'])}"
                       + (" (even with the printed h_1)" if step == 1 else "")
                       + f", so σ gives {_f3(c['computed'])}; σ = {c['printed']:g} would need an argument "
                       f"of {c['argument_needed']:.3f}. A gate of a 2-unit state is also a 2-vector, "
                       "not one number."),
                impossible=True))
    out.append(Erratum(
        key="z_equals_r", quantity="z_t versus r_t", printed="z_1 = 0.8, r_1 = 0.9; z_2 = 0.9, r_2 = 0.95",
        correct="z_t = r_t at every step",
        proof="z and r have the same formula and the same weights and biases (W_xz = W_xr, W_zh = W_rh, "
              "b_z = b_r), so from the same x_t and h_{t-1} they must be equal.", impossible=True))
    return out


def _state_errata(corr: list[dict[str, Any]]) -> list[Erratum]:
    out = []
    lo, lit = candidate_lower_bound("seed_literal"), run_reading("seed_literal")
    for step in PRINTED_STEPS:
        own, t = printed_candidate_from_printed_values(step), step + 1
        out.append(Erratum(
            key=f"candidate{t}", quantity=f"h'_{t}", printed=_f3(SEED_PRINTED[step]["candidate"]),
            correct=f"{_f3(corr[step]['candidate'])} (standard); {_f3(lit[step]['candidate'])} (literal formula)",
            proof=("x_t, every weight and every bias are positive and h_0 = 0, so the argument of tanh is "
                   "positive at every step (smallest over the 5 steps, literal formula: "
                   f"{lo:.3f}) and tanh of a positive number is positive. Even from the article's own "
                   f"printed r_{t} and h_{t - 1} the argument is {_f3(own['argument'])}."
                   + (" The article also writes (1 − 0.9)·1 = 0.1 as 1 inside tanh." if step == 0 else "")),
            impossible=True))
    out.append(Erratum(
        key="h1", quantity="h_1", printed="[-0.400, -0.400]", correct=_f3(corr[0]["h"]),
        proof="with h_0 = 0 the update gives h_1 = z_1 ⊙ h'_1, a product of a gate in (0, 1) and a positive "
              "candidate, so h_1 > 0. (The printed −0.4 = 0.8 × (−0.5) only carries the earlier errors.)",
        impossible=True))
    u2 = printed_update_arithmetic(1)
    out.append(Erratum(
        key="h2", quantity="h_2", printed="[-0.500, -0.500]", correct=_f3(corr[1]["h"]),
        proof=f"h_2 > 0 for the same reason as h_1; and even the article's own numbers give "
              f"0.1 × (−0.4) + 0.9 × (−0.6) = {u2['recomputed'][0]:.2f}, not −0.5.", impossible=True))
    return out


def errata() -> list[Erratum]:
    """Every printed number of the example that the stated parameters contradict, with a short proof."""
    corr = run_reading("seed_corrected")
    return _gate_errata(corr) + _state_errata(corr)


def errata_records() -> list[dict[str, Any]]:
    """:func:`errata` as plain dicts (for tables and JSON)."""
    return [asdict(e) for e in errata()]
