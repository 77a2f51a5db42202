"""The like-for-like ladder on planted runs with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.casestudy.ladder import (
    ARMS,
    arm_runs,
    ladder_numbers,
    ladder_records,
    ladder_table,
    ladder_view,
    seed_points,
    step_sentence,
    steps_view,
    tuning_table,
    versus_baseline,
)


def _run(arm, seed: int, rank: int, masked_rank: int, dropout: float = 0.2, valid: float = 0.1) -> dict:
    ranks = np.full(50, rank)
    return {"seed": seed, "config": {"model": arm.model, "dim": arm.dim, "seen_bias": arm.seen_bias, "epochs": 9,
                                     "dropout": dropout},
            "test": {"hr@10": float(rank <= 10), "ndcg@10": float(rank <= 10) / np.log2(rank + 1), "mrr@10": 0.0},
            "valid": {"ndcg@10": valid}, "test_ranks": ranks.tolist(),
            "test_ranks_masked": np.full(50, masked_rank).tolist(), "train_seconds": 90.0, "epochs_run": 9,
            "n_parameters": 1000}


def test_each_step_is_the_paired_difference_from_the_arm_before() -> None:
    a, b, c, d = ARMS
    records = [_run(a, s, 3, 2) for s in range(5)] + [_run(b, s, 3, 2) for s in range(5)]
    records += [_run(c, s, 1, 1) for s in range(5)] + [_run(d, s, 20, 20) for s in range(5)]
    records.append({**_run(a, 0, 1, 1), "config": {**_run(a, 0, 1, 1)["config"], "epochs": 30}})  # another plan
    table = ladder_table(records, n_boot=200).set_index("arm")
    assert table.loc["A", "seeds"] == 5 and np.isnan(table.loc["A", "step"])
    assert table.loc["B", "step"] == 0.0 and table.loc["B", "verdict"] == "no difference shown"
    assert table.loc["C", "step"] == pytest.approx(1 - 1 / np.log2(4)) and table.loc["C", "verdict"] == "helps"
    assert table.loc["C", "masked step"] == pytest.approx(1 - 1 / np.log2(3))
    assert table.loc["D", "verdict"] == "hurts" and table.loc["D", "s/epoch"] == 10.0
    assert table.loc["A", "masked ndcg@10"] == pytest.approx(1 / np.log2(3))
    assert len(arm_runs(records, a)) == 5


def test_one_arm_one_setting_and_the_tuning_table_chooses_on_validation() -> None:
    a = ARMS[0]
    with pytest.raises(ValueError, match="arm A mixes dropout values"):
        ladder_table([_run(a, 0, 3, 2, dropout=0.1), _run(a, 1, 3, 2, dropout=0.3)])
    trials = [_run(a, 0, 1, 1, dropout=p, valid=v) for p, v in ((0.1, 0.10), (0.2, 0.12), (0.3, 0.11))]
    assert tuning_table(trials).loc["A", "chosen"] == "pending"  # 0.0 is not in yet
    trials.append(_run(a, 0, 1, 1, dropout=0.0, valid=0.05))
    assert tuning_table(trials).loc["A", "chosen"] == "0.2"


def test_a_step_pairs_equal_seeds_and_needs_five_for_a_verdict() -> None:
    a, b = ARMS[:2]
    # A has seeds 0-4, B only 0-1: the step uses seeds 0 and 1 of both, and gives no verdict
    records = [_run(a, s, 3 + s, 3) for s in range(5)] + [_run(b, s, 1, 1) for s in range(2)]
    row = ladder_table(records, n_boot=200).set_index("arm").loc["B"]
    assert row["paired seeds"] == 2 and row["verdict"] == "too few seeds"
    a_mean = np.mean([1 / np.log2(3 + s + 1) for s in range(2)])  # A's seeds 0 and 1 only
    assert row["step"] == pytest.approx(1.0 - a_mean)
    assert "too few seeds for a verdict" in step_sentence(row) and "over 2 paired seeds" in step_sentence(row)
    assert ladder_table(records, n_boot=200, min_seeds=2).set_index("arm").loc["B", "verdict"] == "helps"


def test_ladder_numbers_and_view_set_the_published_row_beside_arm_a() -> None:
    a, b = ARMS[:2]
    records = [_run(a, s, 3, 2) for s in range(5)] + [_run(b, s, 1, 1) for s in range(5)]
    table = ladder_table(records, n_boot=200)
    ref = {"hr@10": 1.0, "ndcg@10": 0.6, "mrr@10": 0.5, "parameters": 2000}
    words = ladder_numbers(table, ref, [{**r, "best_epoch": 9 - r["seed"] % 2} for r in records])
    assert words["l4l_a_best_epochs"] == "9, 8, 9, 8, 9 (of 9 planned)"
    assert words["l4l_a_ndcg"] == "0.5000" and words["l4l_a_vs_ref"] == "0.1000 below"
    assert words["l4l_step_B"].endswith("it helps under this plan")
    assert words["l4l_step_D"].startswith("no runs of arm D in the ladder yet")
    assert words["l4l_seeds"] == "A 5, B 5"
    assert words["l4l_mask_gain"] == "A +0.1309 [+0.1309, +0.1309], B 0.0000 [0.0000, 0.0000]"
    view = ladder_view(table, ref)
    assert list(view.index) == ["A", "B", "RecBole GRU4Rec"] and view["NDCG@10"].tolist() == ["0.5000", "1.0000",
                                                                                              "0.6000"]
    assert view.loc["RecBole GRU4Rec", "NDCG@10, seen masked"] == "—"
    steps = steps_view(table)
    assert list(steps.index) == ["A → B: + width 128"] and steps.iloc[0]["verdict"] == "helps"
    assert steps.iloc[0]["difference"] == "+0.5000" and steps.iloc[0]["paired seeds"] == "5"
    with pytest.raises(ValueError, match="table must hold arm A"):
        ladder_numbers(table[table["arm"] == "B"], ref)


def test_the_ladder_figure_draws_every_seed_and_the_published_line() -> None:
    from lessons.pictures.casestudy_plots import ladder_figure

    a, b = ARMS[:2]
    unmasked = {k: v for k, v in _run(b, 0, 1, 1).items() if k != "test_ranks_masked"}
    records = [_run(a, s, 3, 2) for s in range(3)] + [unmasked]
    points = seed_points(records)
    assert points["seed"].tolist() == [0, 1, 2, 0] and np.isnan(points["masked ndcg@10"].iloc[-1])
    fig = ladder_figure(points, reference=0.25)
    dots = [t for t in fig.data if t.type == "scatter" and t.mode == "markers"]
    assert [len(t.y) for t in dots] == [4, 3]  # every run as ranked; only the runs with masked ranks
    assert fig.layout.shapes[0].y0 == 0.25 and "0.2500" in fig.data[-1].name  # the line and its legend entry


def test_versus_baseline_picks_the_baseline_on_validation_and_pairs_by_user() -> None:
    a = ARMS[0]
    records = [_run(a, s, 3, 2) for s in range(5)]
    base = lambda name, rank, valid, masked=False: {  # noqa: E731
        "baseline": name, "valid": {"ndcg@10": valid}, "test_ranks": [rank] * 50, "mask_seen": masked}
    pool = [base("pop", 1, 0.05), base("knn", 2, 0.20), base("knn", 1, 0.3, masked=True)]
    out = versus_baseline(records, pool, n_boot=200)
    assert out["plain"]["name"] == "knn"  # chosen on validation, although "pop" ranks better on test
    assert out["plain"]["diff"] == pytest.approx(1 / np.log2(4) - 1 / np.log2(3))
    assert out["plain"]["verdict"] == "behind" and out["masked"]["verdict"] == "behind"
    assert out["masked"]["diff"] == pytest.approx(1 / np.log2(3) - 1.0)
    assert versus_baseline(records[:2], pool, n_boot=200)["plain"]["verdict"] == "too few seeds"
    with pytest.raises(ValueError, match="runs of arm B"):
        versus_baseline(records, pool, arm="B")


def test_ladder_records_take_seed_0_from_a_complete_grid_and_drop_stale_runs() -> None:
    a, b = ARMS[:2]
    trials = [_run(a, 0, 3, 2, dropout=p, valid=v) for p, v in ((0.0, 0.2), (0.1, 0.1), (0.2, 0.1), (0.3, 0.1))]
    trials += [_run(b, 0, 3, 2, dropout=p) for p in (0.0, 0.1)]  # B's grid is not complete: B is left out
    runs = [_run(a, 0, 3, 2, dropout=0.1), _run(a, 1, 3, 2, dropout=0.1)]  # picked before the grid was widened
    runs += [_run(a, s, 3, 2, dropout=0.0) for s in (1, 2)] + [_run(b, 1, 3, 2, dropout=0.0)]
    chosen = ladder_records(runs, trials)
    assert [(r["config"]["model"], r["config"]["dim"], r["seed"], r["config"]["dropout"]) for r in chosen] == [
        ("full-gru", 64, 0, 0.0), ("full-gru", 64, 1, 0.0), ("full-gru", 64, 2, 0.0)]
    with pytest.raises(ValueError, match="one run per seed and setting"):  # a trial listed twice
        ladder_records(runs, trials + trials[:1])


def test_clear_errors_and_notes_for_what_cannot_be_compared() -> None:
    a, b, c = ARMS[:3]
    with pytest.raises(ValueError, match="arm A holds \\(seed, dropout\\)"):
        ladder_table([_run(a, 0, 3, 2), _run(a, 0, 3, 2)])
    short = {**_run(b, 0, 3, 2), "test_ranks": [3] * 40}
    with pytest.raises(ValueError, match="arm B: test_ranks_masked must rank the same test users"):
        ladder_table([_run(a, 0, 3, 2), short])
    short["test_ranks_masked"] = [1] * 40  # B is whole but ranks other users than A: the step cannot pair them
    with pytest.raises(ValueError, match="same users"):
        ladder_table([_run(a, 0, 3, 2), short])
    table = ladder_table([_run(a, 0, 3, 2), _run(b, 1, 1, 1)], n_boot=100).set_index("arm")
    assert table.loc["B", "note"] == "no shared seeds with arm A" and "step" not in table
    table = ladder_table([_run(a, 0, 3, 2), _run(c, 0, 1, 1)], n_boot=100).set_index("arm")
    assert table.loc["C", "note"] == "no runs of arm B to compare with"
    assert steps_view(table.reset_index()).loc["B → C: + seen-item bias", "verdict"] == table.loc["C", "note"]
    words = ladder_numbers(table.reset_index(), {"hr@10": 1, "ndcg@10": 1, "mrr@10": 1, "parameters": 1})
    assert words["l4l_step_C"] == "no runs of arm B to compare with" and words["l4l_step_B"].startswith("no runs")


def test_the_step_interval_holds_the_spread_between_seeds() -> None:
    a, b = ARMS[:2]
    rng = np.random.default_rng(0)
    def run(arm, seed, shift):  # noqa: E306
        r = _run(arm, seed, 3, 2)
        r["test_ranks"] = r["test_ranks_masked"] = (rng.integers(1, 30, size=400) + shift).tolist()
        return r
    steady = [run(a, s, 0) for s in range(5)] + [run(b, s, 0) for s in range(5)]
    noisy = steady[:5] + [run(b, s, 0 if s % 2 else 25) for s in range(5)]  # B's seeds differ a lot
    width = lambda records: float(np.diff(ladder_table(records, n_boot=400).set_index("arm").loc[  # noqa: E731
        "B", ["lo", "hi"]].to_numpy(dtype=float))[0])
    assert width(noisy) > 1.5 * width(steady)


def test_signed_keeps_a_bound_on_its_side_of_zero() -> None:
    from lessons.evaluation.compare import signed

    assert [signed(x) for x in (0.01234, -0.00003, 0.00004, 0.0, -0.0)] == ["+0.0123", "-0.00003", "+0.00004",
                                                                         "0.0000", "0.0000"]
    assert [signed(x, 3) for x in (0.0004, -0.0004, 0.0)] == ["+0.0004", "-0.0004", "0.000"]
    assert signed(-3e-7) == "-0.00000" and signed(3e-7, 3) == "+0.0000"  # the sign keeps the side of zero
    from lessons.evaluation.compare import interval_text

    assert interval_text(0.0021, -0.0004, 0.0046, 3) == "+0.002 [-0.0004, +0.005]"
