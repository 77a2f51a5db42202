"""Many verdicts at once: Holm's step-down correction over a family of paired comparisons.

Each comparison in a chapter gets its own 95 % interval, so each verdict alone is wrong one time in twenty when the
true difference is zero. A page with twenty verdicts should then expect about one false one. Holm's method
(Holm 1979) keeps the chance of *any* false verdict in the family at ``alpha``: sort the ``k`` p-values, and let
the ``i``-th smallest (``i = 1..k``) stand while ``p_(i) <= alpha / (k - i + 1)``; the first that fails and every
later one fall. It is never less powerful than Bonferroni (every ``p <= alpha / k``).

The book's intervals come from a seed-aware bootstrap (:func:`lessons.evaluation.compare.hierarchical_bootstrap`),
which gives no p-value. :func:`holm_table` reads one from each interval by the normal approximation: standard error
``(hi - lo) / (2 z)`` with ``z`` the normal quantile of the interval's level, ``z_stat = diff / se`` and the two-sided
``p = 2 (1 - Phi(|z_stat|))``. That is exact for a symmetric normal bootstrap distribution and close for the
near-symmetric intervals of large paired samples; it is an approximation, and the table says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from statistics import NormalDist

import pandas as pd

from lessons.checks import check_number

__all__ = ["parse_interval", "holm_table", "holm_numbers"]

_NUMBER = r"([+-]?\d+(?:\.\d+)?)"
_INTERVAL = re.compile(rf"^\s*{_NUMBER}\s*\[\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\]")


def parse_interval(text: str) -> tuple[float, float, float]:
    """``(diff, lo, hi)`` from a glued ``'-0.0077 [-0.0108, -0.0046], hurts'`` (the form of
    :func:`lessons.evaluation.compare.interval_text`; anything after the bracket is ignored). ``ValueError`` naming
    the text when it does not start with a difference and its interval, or when ``lo > hi``."""
    m = _INTERVAL.match(str(text))
    if m is None:
        raise ValueError(f"text must start with 'difference [lo, hi]', got {text!r}")
    diff, lo, hi = (float(g) for g in m.groups())
    if lo > hi:
        raise ValueError(f"text holds an interval with lo > hi: {text!r}")
    return diff, lo, hi


def holm_table(intervals: Mapping[str, tuple[float, float, float]], alpha: float = 0.05,
               level: float = 0.95) -> pd.DataFrame:
    """Holm's step-down test over ``{label: (diff, lo, hi)}``, each ``(lo, hi)`` a ``level`` interval of ``diff``.

    Returns one row per label in order of evidence (smallest p first), indexed by label, with columns ``z``
    (``diff`` over its standard error), ``p`` (normal approximation, two-sided), ``threshold``
    (``alpha / (k - i + 1)``), ``alone`` (the interval excludes 0: the verdict the chapter gives it) and
    ``family`` (it still stands under Holm). ``ValueError`` for an empty family, a zero-width interval, or an
    interval that does not hold its own ``diff``."""
    if not intervals:
        raise ValueError("intervals must hold at least one comparison, got none")
    alpha = check_number("alpha", alpha, low=0.0, high=1.0, low_open=True)
    level = check_number("level", level, low=0.0, high=1.0, low_open=True)
    if level == 1.0:
        raise ValueError("level must be below 1 (a 100 % interval has no finite width), got 1.0")
    z_level = NormalDist().inv_cdf(0.5 + level / 2)
    rows = []
    for label, (diff, lo, hi) in intervals.items():
        if not lo <= diff <= hi or hi <= lo:
            raise ValueError(f"intervals[{label!r}]: need lo <= diff <= hi and lo < hi, got ({diff}, {lo}, {hi})")
        z = diff / ((hi - lo) / (2 * z_level))
        rows.append({"label": label, "z": z, "p": 2 * (1 - NormalDist().cdf(abs(z))), "alone": lo > 0 or hi < 0})
    table = pd.DataFrame(rows).sort_values("p", kind="stable").set_index("label")
    k = len(table)
    table["threshold"] = [alpha / (k - i) for i in range(k)]
    passed = (table["p"] <= table["threshold"]).to_numpy()
    first_fail = int(passed.argmin()) if not passed.all() else k
    table["family"] = [i < first_fail for i in range(k)]
    return table[["z", "p", "threshold", "alone", "family"]]


def holm_numbers(table: pd.DataFrame, untested: Mapping[str, str] | None = None,
                 prefix: str = "lt_family") -> dict[str, str]:
    """Glue-ready strings for :func:`holm_table`: ``<prefix>_k`` (the family's size), ``<prefix>_alone`` (how many
    intervals exclude 0 alone), ``<prefix>_stand`` (how many of those still stand), ``<prefix>_fall``, a
    sentence true in each case naming the verdicts that do not survive the correction, and ``<prefix>_untested``,
    the ``{label: text}`` rows left out for carrying no interval (``'label (text); ...'``, or ``'none'``)."""
    alone = table[table["alone"]]
    fall = alone[~alone["family"]]
    sentence = ("every one of them stands" if fall.empty else
                f"{'this one does' if len(fall) == 1 else 'these do'} not: "
                + "; ".join(f"{label} (p ≈ {r['p']:.3f}, against a threshold of {r['threshold']:.4f})"
                            for label, r in fall.iterrows()))
    return {f"{prefix}_k": str(len(table)), f"{prefix}_alone": str(len(alone)),
            f"{prefix}_stand": str(int(alone["family"].sum())), f"{prefix}_fall": sentence,
            f"{prefix}_untested": "; ".join(f"{label} ({text})" for label, text in (untested or {}).items()) or "none"}
