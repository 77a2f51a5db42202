"""The seen-item bias (RepeatNet's repeat/explore switch as one learned scalar), the cosine schedule, the allocator
switch behind the faster full softmax, and the run labels that keep models with and without the bias apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from lessons.casestudy.allocator import keep_freed_memory
from lessons.casestudy.models import InterestModel, ModelConfig
from lessons.casestudy.report import run_label
from lessons.casestudy.train import TrainConfig, fit, score_histories
from lessons.data import build_split

torch.set_num_threads(1)
N_ITEMS, N_USERS, D = 12, 4, 8


def make(seen_bias: bool, kind: str = "full", seed: int = 0) -> InterestModel:
    torch.manual_seed(seed)
    config = ModelConfig(kind=kind, cell="gru", n_items=N_ITEMS, n_users=N_USERS, dim=D, dropout=0.0,
                         seen_bias=seen_bias)
    return InterestModel(config).double().eval()


def test_causal_seen_holds_exactly_the_prefix() -> None:
    items = torch.tensor([[3, 5, 7, 0], [2, 2, 9, 4]])
    seen = InterestModel.causal_seen(items)
    assert seen.shape == (2, 4, 4)
    assert seen[0, 1].tolist() == [3, 5, 0, 0]
    assert seen[1, 3].tolist() == [2, 2, 9, 4]
    assert seen[0, 0].tolist() == [3, 0, 0, 0]
    with pytest.raises(ValueError, match=r"items must have shape \(B, T\)"):
        InterestModel.causal_seen(items[0])


def test_bias_moves_exactly_the_seen_items_by_beta() -> None:
    plain, biased = make(False), make(True)
    biased.load_state_dict({**plain.state_dict(), "seen_weight": torch.tensor(-2.5, dtype=torch.float64)})
    items = torch.tensor([[1, 4, 4, 9, 2]])
    users = torch.tensor([0])
    rep = plain(items, users)
    seen = InterestModel.causal_seen(items)
    diff = biased.logits(rep, seen) - plain.logits(rep)  # (1, 5, N_ITEMS)
    for t in range(5):
        read = set((items[0, : t + 1] - 1).tolist())
        expected = torch.tensor([-2.5 if i in read else 0.0 for i in range(N_ITEMS)], dtype=torch.float64)
        torch.testing.assert_close(diff[0, t], expected)  # a repeated item (4) is moved once, not twice


def _fit_beta(sequences: list[np.ndarray]) -> float:
    rows = [(f"u{u}", f"i{j}", 4.0, 1_000_000 + 60 * t) for u, seq in enumerate(sequences) for t, j in enumerate(seq)]
    split = build_split(pd.DataFrame(rows, columns=["user", "item", "rating", "timestamp"]), dataset="toy",
                        protocol="beta-test")
    model, _ = fit(split, TrainConfig(model="full-gru", epochs=8, dim=16, lr=2e-2, dropout=0.0, batch_size=16,
                                      patience=8, threads=1, seen_bias=True))
    return float(model.seen_weight.detach())


def test_bias_starts_at_zero_and_learns_the_sign_of_the_data() -> None:
    assert float(make(True).seen_weight.detach()) == 0.0
    rng = np.random.default_rng(0)
    never = [rng.permutation(20)[: rng.integers(6, 15)] for _ in range(60)]  # nothing is rated twice
    again = [np.resize(rng.permutation(20)[:3], rng.integers(6, 15)) for _ in range(60)]  # a loop of 3 items
    assert all(len(set(s)) == len(s) for s in never)
    assert _fit_beta(never) < -0.2  # explore: seen items are pushed down
    assert _fit_beta(again) > 0.2  # repeat: seen items are pulled up


def test_scores_of_histories_apply_the_bias_to_the_read_window_only() -> None:
    model = make(True)
    with torch.no_grad():
        model.seen_weight.fill_(-1e4)
    history = np.array([0, 1, 2, 3, 4, 5])
    scores = score_histories(model, [history], None, np.array([1]), max_len=3)
    assert (scores[0, [3, 4, 5]] < -1e3).all()  # the last three items are read: pushed down
    assert (scores[0, [0, 1, 2]] > -1e3).all()  # older items are outside the window the protocol allows


def test_missing_or_misshaped_seen_is_a_clear_error() -> None:
    model = make(True)
    rep = torch.zeros(2, 3, D, dtype=torch.float64)
    with pytest.raises(ValueError, match="seen must have shape"):
        model.logits(rep)
    with pytest.raises(ValueError, match=r"seen must have shape \(2, 3\) \+ \(S,\)"):
        model.logits(rep, torch.zeros(2, 4, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="seen_bias must be a bool"):
        ModelConfig(kind="full", cell="gru", n_items=3, n_users=1, seen_bias=1)


def test_gradient_reaches_beta() -> None:
    model = make(True).train()
    items = torch.tensor([[1, 2, 3, 4]])
    rep = model(items, torch.tensor([0]))
    loss = F.cross_entropy(model.logits(rep[0], InterestModel.causal_seen(items)[0]), torch.tensor([1, 2, 3, 4]))
    loss.backward()
    assert model.seen_weight.grad is not None and float(model.seen_weight.grad) != 0.0


def test_keep_freed_memory_reports_and_validates() -> None:
    assert isinstance(keep_freed_memory(), bool)
    with pytest.raises(ValueError, match="trim_threshold_bytes must be an int >= 0"):
        keep_freed_memory(-1)


def test_run_labels_keep_variants_apart() -> None:
    assert run_label({"model": "full-gru", "config": {"seen_bias": True}}) == "full-gru+seen"
    assert run_label({"model": "full-gru", "config": {"seen_bias": False}}) == "full-gru"
    assert run_label({"model": "long", "config": {}}) == "long"


def test_cosine_schedule_runs_from_one_to_the_floor() -> None:
    from lessons.casestudy.train import lr_factor

    assert lr_factor(0, 100, "cosine") == pytest.approx(1.0)
    assert lr_factor(50, 100, "cosine") == pytest.approx(0.51)
    assert lr_factor(100, 100, "cosine") == pytest.approx(0.02)
    assert lr_factor(500, 100, "cosine") == pytest.approx(0.02)  # a deadline-free run past the plan stays low
    assert lr_factor(37, 100, "constant") == 1.0
    factors = [lr_factor(s, 100, "cosine") for s in range(101)]
    assert all(a >= b for a, b in zip(factors, factors[1:], strict=False))
    with pytest.raises(ValueError, match="schedule must be one of"):
        lr_factor(0, 10, "linear")
    with pytest.raises(ValueError, match="schedule must be one of"):
        TrainConfig(schedule="step")


def test_paired_difference_and_leaderboard_gaps_known_values(tmp_path) -> None:
    from lessons.casestudy.report import paired_difference, versus_leaderboard
    from lessons.provenance import append_record

    path = tmp_path / "toy.jsonl"
    append_record(path, {"model": "a", "seed": 0, "config": {"seen_bias": True}, "test_ranks": [1, 1, 20, 3]})
    append_record(path, {"model": "a", "seed": 1, "config": {"seen_bias": True}, "test_ranks": [1, 11, 20, 3]})
    append_record(path, {"model": "b", "seed": 0, "config": {}, "test_ranks": [11, 1, 20, 3]})
    out = paired_difference("toy", "a+seen", "b", metric="hr@10", results_dir=tmp_path)
    # per-user HR@10: a = mean over seeds [1, .5, 0, 1], b = [0, 1, 0, 1]
    assert out["seeds A"] == 2 and out["seeds B"] == 1
    assert out["hr@10 A"] == pytest.approx(0.625) and out["hr@10 B"] == pytest.approx(0.5)
    assert out["A − B"] == pytest.approx(0.125)
    assert out["95% CI low"] <= 0.125 <= out["95% CI high"]
    assert paired_difference("toy", "a", "b", results_dir=tmp_path) is None  # 'a' without the bias: no runs
    gaps = versus_leaderboard(0.2776, 0.1445).set_index("row")
    assert gaps.loc["GRU4Rec", "ΔHR@10"] == pytest.approx(0.0)
    assert gaps.loc["GRU4Rec", "ΔNDCG@10"] == pytest.approx(-0.01)
    with pytest.raises(ValueError, match="k = 10 only"):
        versus_leaderboard(0.2, 0.1, k=20)


def test_seen_bias_table_summarises_beta_and_the_paired_gain(tmp_path) -> None:
    from lessons.casestudy.report import seen_bias_table
    from lessons.provenance import append_record

    path = tmp_path / "toy.jsonl"
    for seed, beta in ((0, -6.0), (1, -8.0)):
        append_record(path, {"model": "full-gru", "seed": seed, "config": {"seen_bias": True},
                             "learned": {"seen_weight": beta}, "test_ranks": [1, 2, 30]})
    append_record(path, {"model": "full-gru", "seed": 0, "config": {}, "test_ranks": [1, 30, 30]})
    append_record(tmp_path / "other.jsonl", {"model": "full-gru", "seed": 0, "config": {}, "test_ranks": [1]})
    table = seen_bias_table(["toy", "other", "missing"], metric="hr@10", results_dir=tmp_path)
    assert list(table["dataset"]) == ["toy"]  # no learned beta in 'other', no file for 'missing'
    row = table.iloc[0]
    assert row["runs"] == 2 and row["beta mean"] == -7.0 and row["beta min"] == -8.0
    assert row["with bias"] == pytest.approx(2 / 3) and row["without bias"] == pytest.approx(1 / 3)
    assert row["gain"] == pytest.approx(1 / 3)
