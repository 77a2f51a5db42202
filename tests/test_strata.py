"""Strata by time and the seed-aware (hierarchical) bootstrap, on synthetic data with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.data.split import SequentialSplit
from lessons.evaluation.compare import hierarchical_bootstrap, hierarchical_contrast
from lessons.evaluation.strata import (
    DAY,
    KEY_BANDS,
    committed_strata,
    key_band_rows,
    run_strata,
    strata_table,
    user_time_strata,
)
from lessons.paths import RESULTS_DIR


def test_a_constant_shift_has_a_zero_width_interval() -> None:
    b = np.tile(np.random.default_rng(0).random(200), (3, 1))  # users differ, seeds agree
    out = hierarchical_bootstrap(b + 0.1, b, n_boot=300)
    assert out["diff"] == pytest.approx(0.1)
    assert out["lo"] == pytest.approx(0.1) and out["hi"] == pytest.approx(0.1)


def test_seed_spread_alone_widens_the_interval_exactly_as_resampling_two_seeds_predicts() -> None:
    # every user gets 0.0 under seed 0 and 0.2 under seed 1 of model A; B is 0 everywhere. Resampling two seeds
    # gives A's mean 0, 0.1 or 0.2 with probabilities 1/4, 1/2, 1/4, so the 95 % interval is [0, 0.2]. A
    # users-only bootstrap would claim [0.1, 0.1].
    a = np.vstack([np.zeros(500), np.full(500, 0.2)])
    out = hierarchical_bootstrap(a, np.zeros((3, 500)), n_boot=4000, seed=1)
    assert out["diff"] == pytest.approx(0.1)
    assert out["lo"] == pytest.approx(0.0) and out["hi"] == pytest.approx(0.2)


def test_interval_width_matches_the_analytic_standard_error() -> None:
    # value = model effect + seed effect (sd 0.01) + user effect (sd 0.3, its own for A and B), 5 seeds per model,
    # 2000 users, no seed-by-user interaction: the replicates' spread is sqrt(var_seed_a / s + var_seed_b / s +
    # var(user difference) / n), the plug-in standard error of the two-level design
    rng = np.random.default_rng(0)
    n, s = 2000, 5
    a = 0.05 + rng.normal(0, 0.01, (s, 1)) + rng.normal(0, 0.3, (1, n))
    b = rng.normal(0, 0.01, (s, 1)) + rng.normal(0, 0.3, (1, n))
    out = hierarchical_bootstrap(a, b, n_boot=3000, seed=2)
    seed_var = np.var(a.mean(axis=1)) / s + np.var(b.mean(axis=1)) / s
    se = np.sqrt(np.var(a.mean(axis=0) - b.mean(axis=0)) / n + seed_var)
    assert (out["hi"] - out["lo"]) / (2 * 1.96 * se) == pytest.approx(1.0, abs=0.08)
    assert out["lo"] < 0.05 < out["hi"]


def test_bootstrap_rejects_mismatched_users() -> None:
    with pytest.raises(ValueError, match="same users"):
        hierarchical_bootstrap(np.zeros((2, 5)), np.zeros((2, 6)))
    with pytest.raises(ValueError, match="finite"):
        hierarchical_bootstrap(np.full((1, 2), np.nan), np.zeros((1, 2)))


def test_a_contrast_of_four_models_resamples_each_models_seeds() -> None:
    # (a - b) - (c - d) with a = 0.3, b = d = 0: only c has seed spread (0.0 under one seed, 0.2 under the other,
    # for every user), so the contrast is 0.3 minus c's mean over two resampled seeds (0, 0.1 or 0.2 with
    # probabilities 1/4, 1/2, 1/4): 0.2 with the interval [0.1, 0.3]. Users agree, so they add no spread.
    n = 400
    a, b, d = np.full((3, n), 0.3), np.zeros((2, n)), np.full((4, n), 0.0)
    c = np.vstack([np.zeros(n), np.full(n, 0.2)])
    out = hierarchical_contrast([a, b, c, d], [1, -1, -1, 1], n_boot=4000, seed=3)
    assert out["diff"] == pytest.approx(0.2) and out["seeds"] == [3, 2, 2, 4] and out["n_users"] == n
    assert out["lo"] == pytest.approx(0.1) and out["hi"] == pytest.approx(0.3)


def test_the_two_model_bootstrap_is_the_contrast_with_signs_plus_minus_one() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.random((3, 50)), rng.random((5, 50))
    two = hierarchical_bootstrap(a, b, n_boot=500, seed=7)
    many = hierarchical_contrast([a, b], [1.0, -1.0], n_boot=500, seed=7)
    assert (two["diff"], two["lo"], two["hi"]) == (many["diff"], many["lo"], many["hi"])


def test_contrast_rejects_a_sign_per_group_mismatch_and_other_users() -> None:
    with pytest.raises(ValueError, match="one sign per group, got 1 signs for 2 groups"):
        hierarchical_contrast([np.zeros((2, 5)), np.zeros((2, 5))], [1.0])
    with pytest.raises(ValueError, match=r"groups\[0\] and groups\[1\] must be 2-D .* same users"):
        hierarchical_contrast([np.zeros((2, 5)), np.zeros((2, 6))], [1.0, -1.0])


def _split(first: list[int], valid: list[int], test: list[int]) -> SequentialSplit:
    n = len(first)
    return SequentialSplit(
        dataset="toy", protocol="toy", n_users=n, n_items=3,
        train=tuple(np.array([0]) for _ in range(n)), train_times=tuple(np.array([f]) for f in first),
        valid_item=np.ones(n, np.int64), test_item=np.full(n, 2, np.int64),
        valid_time=np.array(valid, np.int64), test_time=np.array(test, np.int64),
        user_labels=np.array([f"u{i}" for i in range(n)]), item_labels=np.array(["a", "b", "c"]),
    )


def test_time_strata_bands() -> None:
    split = _split(first=[0, 0, 0], valid=[100, 2 * DAY, 10], test=[100, 2 * DAY + 7200, 200 * DAY])
    s = user_time_strata(split)
    assert s["span_band"].tolist() == ["within one day", "1–7 days", "≥ 180 days"]
    assert s["gap_band"].tolist() == ["same second", "1 hour – 1 day", "≥ 30 days"]
    assert s["same_second"].tolist() == [True, False, False]


def test_strata_table_finds_the_band_where_a_loses() -> None:
    # A loses (rank 1 -> 11) only for the same-second users; elsewhere both models rank the target first
    split = _split(first=[0] * 4, valid=[5, 5, 5, 5], test=[5, 5, 50, 5000])
    ranks_b = np.ones((2, 4), dtype=np.int64)
    ranks_a = np.array([[11, 11, 1, 1], [11, 11, 1, 1]])
    t = strata_table(user_time_strata(split), ranks_a, ranks_b, n_boot=200).set_index("band")
    assert t.loc["same second", "A − B"] == pytest.approx(-1.0)
    assert t.loc["any later second", "A − B"] == 0.0 and t.loc["any later second", "users"] == 2
    assert t.loc["all users", "A − B"] == pytest.approx(-0.5)


def test_run_strata_reads_the_runs_ranks_and_counts_their_seeds() -> None:
    split = _split(first=[0] * 4, valid=[5, 5, 5, 5], test=[5, 5, 50, 5000])
    a = [{"seed": s, "test_ranks": [11, 11, 1, 1]} for s in range(3)]
    b = [{"seed": s, "test_ranks": [1, 1, 1, 1]} for s in range(2)]
    t = run_strata(a, b, split, n_boot=200)
    assert (t["seeds_A"].iloc[0], t["seeds_B"].iloc[0]) == (3, 2)
    rows = key_band_rows(t)
    assert list(rows.index) == [band for band in KEY_BANDS.values() if band in rows.index]
    assert rows.loc["same second", "A − B"] == pytest.approx(-1.0) and rows.loc["all users", "users"] == 4
    with pytest.raises(ValueError, match=r"every run must store 'test_ranks'; the runs of seeds \[0\] do not"):
        run_strata(a, [{"seed": 0}], split)
    with pytest.raises(ValueError, match="runs_a must hold at least one run, got none"):
        run_strata([], b, split)
    with pytest.raises(ValueError, match="ranks must cover the 4 users"):
        run_strata(a, [{"test_ranks": [1, 1, 1]}], split)


@pytest.mark.data
def test_committed_ml1m_strata_reproduce_the_reviewers_numbers() -> None:
    try:
        t = committed_strata("ml-1m", n_boot=400).set_index("band")
    except FileNotFoundError as err:
        pytest.skip(str(err))
    assert t.loc["within one day", "users"] == 3806
    assert t.loc["within one day", "A − B"] == pytest.approx(-0.0095, abs=5e-5)
    assert t.loc["≥ 180 days", "A − B"] == pytest.approx(-0.0011, abs=5e-5)
    assert t.loc["same second", "share"] == pytest.approx(0.386, abs=5e-4)
    assert (RESULTS_DIR / "ml-1m.jsonl").exists()
