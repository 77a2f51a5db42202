"""Holm's correction over a family of interval verdicts (lessons.evaluation.family)."""

from __future__ import annotations

from statistics import NormalDist

import pytest

from lessons.evaluation.family import holm_numbers, holm_table, parse_interval

Z95 = NormalDist().inv_cdf(0.975)


def _interval_with_p(p: float, sign: float = 1.0) -> tuple[float, float, float]:
    """A symmetric 95 % interval (standard error 1) whose normal-approximation two-sided p-value is ``p``."""
    z = sign * NormalDist().inv_cdf(1 - p / 2)
    return z, z - Z95, z + Z95


def test_parse_interval_reads_the_books_glued_form() -> None:
    assert parse_interval("-0.0077 [-0.0108, -0.0046], hurts") == (-0.0077, -0.0108, -0.0046)
    assert parse_interval("+0.029 [+0.009, +0.050], helps") == (0.029, 0.009, 0.05)
    assert parse_interval("-0.0095 [-0.0152, -0.0042]") == (-0.0095, -0.0152, -0.0042)
    with pytest.raises(ValueError, match="must start with 'difference \\[lo, hi\\]', got 'not run'"):
        parse_interval("not run")
    with pytest.raises(ValueError, match="lo > hi"):
        parse_interval("+0.1 [+0.2, +0.0]")


def test_an_interval_that_just_touches_zero_has_p_005() -> None:
    table = holm_table({"edge": (Z95, 0.0, 2 * Z95)})
    assert table.loc["edge", "z"] == pytest.approx(Z95)
    assert table.loc["edge", "p"] == pytest.approx(0.05)


def test_holm_steps_down_and_beats_bonferroni() -> None:
    # p = 0.001, 0.014, 0.02, 0.2 with k = 4: thresholds 0.0125, 0.0167, 0.025, 0.05. Bonferroni (all at 0.0125)
    # keeps only the first; Holm keeps three and stops at 0.2.
    ps = {"a": 0.02, "b": 0.001, "c": 0.2, "d": 0.014}
    table = holm_table({k: _interval_with_p(p, -1.0 if k == "c" else 1.0) for k, p in ps.items()})
    assert list(table.index) == ["b", "d", "a", "c"]
    assert table["p"].to_numpy() == pytest.approx([0.001, 0.014, 0.02, 0.2])
    assert table["threshold"].to_numpy() == pytest.approx([0.05 / 4, 0.05 / 3, 0.05 / 2, 0.05])
    assert table["family"].tolist() == [True, True, True, False]
    assert table["alone"].tolist() == [True, True, True, False]
    assert table.loc["c", "z"] < 0


def test_the_first_failure_takes_every_later_comparison_with_it() -> None:
    # 0.03 fails its threshold 0.05 / 3, so 0.04 and 0.045 fall too, though each is below 0.05 / 2 or 0.05 alone
    table = holm_table({k: _interval_with_p(p) for k, p in {"w": 0.001, "x": 0.03, "y": 0.04, "z": 0.045}.items()})
    assert table["family"].tolist() == [True, False, False, False]
    assert table["alone"].all()
    numbers = holm_numbers(table)
    assert (numbers["lt_family_k"], numbers["lt_family_alone"], numbers["lt_family_stand"]) == ("4", "4", "1")
    assert numbers["lt_family_fall"].startswith("these do not: x (p ≈ 0.030, against a threshold of 0.0167); y")


def test_holm_numbers_when_everything_stands() -> None:
    numbers = holm_numbers(holm_table({"only": _interval_with_p(1e-6)}))
    assert numbers["lt_family_fall"] == "every one of them stands" and numbers["lt_family_stand"] == "1"
    assert numbers["lt_family_untested"] == "none"
    untested = holm_numbers(holm_table({"only": _interval_with_p(1e-6)}), {"reg": "not run", "x": "pending"})
    assert untested["lt_family_untested"] == "reg (not run); x (pending)"


def test_bad_families_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="at least one comparison"):
        holm_table({})
    with pytest.raises(ValueError, match=r"intervals\['odd'\]: need lo <= diff <= hi"):
        holm_table({"odd": (0.5, 0.0, 0.2)})
    with pytest.raises(ValueError, match="level must be below 1"):
        holm_table({"a": (0.1, 0.0, 0.2)}, level=1.0)
    with pytest.raises(ValueError, match="alpha"):
        holm_table({"a": (0.1, 0.0, 0.2)}, alpha=0.0)
