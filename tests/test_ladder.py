"""The like-for-like ladder on planted runs with a known answer."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.casestudy.ladder import ARMS, arm_runs, ladder_table, tuning_table


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
    assert tuning_table(trials).loc["A", "chosen"] == 0.2
