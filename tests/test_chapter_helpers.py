"""Small helpers that used to be logic inside notebook cells: the GRU conventions' gaps, the RecBole leaderboard
comparison of the data chapter and the LSTM worked example's table rows."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.article import lstm_example
from lessons.data.facts import RECBOLE_ML1M_LEADERBOARD, leaderboard_table
from lessons.rnn import GRU
from lessons.rnn.gru import convention_gaps

XS = np.repeat(np.eye(3)[[0, 1]], 10, axis=0)  # the chapter's input: 10 steps of one genre, then 10 of another


def test_convention_gaps_flip_and_diagonal_agree_reset_placement_does_not() -> None:
    gaps = convention_gaps(XS)
    assert set(gaps) == {"flip", "reset", "diag"}
    assert gaps["flip"] < 1e-12 and gaps["diag"] < 1e-12  # 1 - sigmoid(a) = sigmoid(-a); diagonal W_hn commutes
    assert gaps["reset"] > 1e-3  # before or after W_hn: different models once W_hn mixes units


def test_convention_gaps_match_a_direct_comparison() -> None:
    cho, pt = GRU(3, 4, variant="cho", rng=1), GRU(3, 4, variant="pytorch", rng=1)
    pt.set_parameters(b_in=cho.b_n, b_hn=np.zeros(4))
    direct = float(np.max(np.abs(cho.forward(XS).h - pt.forward(XS).h)))
    assert convention_gaps(XS, hidden_size=4, seed=1)["reset"] == direct


def test_convention_gaps_check_their_input() -> None:
    with pytest.raises(ValueError, match="xs"):
        convention_gaps(np.ones(5))
    with pytest.raises(ValueError, match="hidden_size"):
        convention_gaps(XS, hidden_size=0)


def test_leaderboard_table_sparsity_follows_the_counts() -> None:
    ours = {"users": 6033, "items": 3123, "interactions": 834449}
    table = leaderboard_table(ours)
    sparsity = table.columns[-1]
    assert list(table.index) == ["leaderboard as printed", "this book", "this book + RecBole's padding id"]
    assert table.loc["this book + RecBole's padding id", "items"] == RECBOLE_ML1M_LEADERBOARD["items"]
    assert table.loc["this book", sparsity] == round(1 - 834449 / (6033 * 3123), 5)
    assert (table["interactions"] == 834449).all()
    # the printed counts do not give the printed sparsity 0.9557; this book's counts plus a padding id do
    assert round(table.loc["leaderboard as printed", sparsity], 4) != RECBOLE_ML1M_LEADERBOARD["sparsity"]
    assert round(table.loc["this book + RecBole's padding id", sparsity], 4) == RECBOLE_ML1M_LEADERBOARD["sparsity"]
    with pytest.raises(ValueError, match="ours: expected the keys users, items, interactions"):
        leaderboard_table({"users": 1})


def test_step_rows_give_every_vector_the_same_decimals() -> None:
    rows = lstm_example.step_rows(lstm_example.lstm_steps())
    steps = lstm_example.lstm_steps()
    assert [r["t"] for r in rows] == [1, 2, 3, 4, 5] and rows[0]["x"] == steps[0]["x"]
    assert rows[1]["c"] == "[0.5690, 0.7383]"  # 0.569 keeps its trailing zero next to 0.7383
    assert rows[2]["h"] == f"[{steps[2]['h'][0]:.4f}, {steps[2]['h'][1]:.4f}]"
    assert lstm_example.step_rows(steps, decimals=1)[0]["f"] == "[0.8, 0.8]"
    with pytest.raises(ValueError, match="decimals"):
        lstm_example.step_rows(steps, decimals=-1)
