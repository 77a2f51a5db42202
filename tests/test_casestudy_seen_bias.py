"""The seen-item bias (RepeatNet's repeat/explore switch as one learned scalar), the cosine schedule, the allocator
switch behind the faster full softmax, and the run labels that keep models with and without the bias apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from lessons.casestudy.allocator import keep_freed_memory
from lessons.casestudy.inputs import score_histories
from lessons.casestudy.models import InterestModel, ModelConfig
from lessons.casestudy.softmax_loss import dense_seen_indicator
from lessons.casestudy.train import TrainConfig, fit
from lessons.data import build_split
from lessons.evaluation.compare import run_label

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
    from lessons.casestudy.report import versus_leaderboard
    from lessons.evaluation.compare import paired_difference
    from lessons.evaluation.results import append_record

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
    assert gaps["ΔMRR@10"].isna().all()  # no MRR given, no made-up gap
    with_mrr = versus_leaderboard(0.2776, 0.1445, mrr=0.1271).set_index("row")
    # the published GRU4Rec row (ml-1m_seq.json @ 0d42ab00): MRR@10 0.1171, 281,920 parameters
    assert with_mrr.loc["GRU4Rec", "ΔMRR@10"] == pytest.approx(0.01)
    assert with_mrr.loc["GRU4Rec", "parameters"] == 281_920
    with pytest.raises(ValueError, match="k = 10 only"):
        versus_leaderboard(0.2, 0.1, k=20)


def test_seen_bias_table_summarises_beta_and_the_paired_gain(tmp_path) -> None:
    from lessons.casestudy.report import seen_bias_table
    from lessons.evaluation.results import append_record

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


def _record(dropout: float, valid: float, test: float, threads: int = 2, seed: int = 0) -> dict:
    return {"model": "fused-gate-gru", "seed": seed, "config": {"dropout": dropout, "threads": threads, "seed": seed},
            "valid": {"ndcg@10": valid}, "test": {"ndcg@10": test}}


def test_best_on_validation_chooses_on_validation_never_on_test() -> None:
    from lessons.evaluation.compare import best_on_validation

    runs = [_record(0.2, valid=0.15, test=0.10), _record(0.1, valid=0.14, test=0.20), _record(0.3, 0.99, 0.99, 1)]
    assert best_on_validation(runs, threads=2)["config"]["dropout"] == 0.2  # the higher TEST number loses
    assert best_on_validation(runs)["config"]["dropout"] == 0.3  # no filter: every record competes
    with pytest.raises(ValueError, match="no record has config"):
        best_on_validation(runs, threads=4)
    with pytest.raises(ValueError, match="missing from the validation"):
        best_on_validation(runs, "hr@10", threads=2)


def test_pick_cli_copies_the_chosen_record_and_prints_its_setting(tmp_path, capsys) -> None:
    import json

    from lessons.casestudy.__main__ import main
    from lessons.evaluation.results import append_record, read_records

    source, target = tmp_path / "tuning.jsonl", tmp_path / "table.jsonl"
    for r in (_record(0.2, 0.15, 0.10), _record(0.1, 0.16, 0.05), _record(0.0, 0.17, 0.05, seed=1)):
        append_record(source, r)
    args = ["pick", "--from", str(source), "--threads", "2", "--seed", "0"]
    assert main([*args, "--to", str(target), "--print", "dropout"]) == 0
    assert capsys.readouterr().out.strip() == "0.1"  # seed 1 scored higher but is not a candidate
    assert read_records(target) == [json.loads(json.dumps(_record(0.1, 0.16, 0.05)))]


def test_sparse_bias_matches_the_dense_indicator_in_value_and_gradient() -> None:
    model = make(True).train()
    with torch.no_grad():
        model.seen_weight.fill_(-0.7)
    rep = torch.randn(3, 4, D, dtype=torch.float64, requires_grad=True)
    seen = torch.tensor([[[2, 2, 5, 0]] * 4, [[0, 0, 0, 0]] * 4, [[1, N_ITEMS, 3, 1]] * 4])  # repeats, padding
    torch.manual_seed(0)
    got = model.logits(rep, seen)
    torch.manual_seed(0)  # same dropout mask for the reference
    plain = F.linear(model.out(model.drop(rep)), model.item_emb.weight[1:], model.item_bias)
    hit = dense_seen_indicator(seen.reshape(12, 4), N_ITEMS).double()
    assert hit.sum().item() == 4 * (2 + 0 + 3)  # repeats counted once, padding never
    want = plain + model.seen_weight * hit.reshape(plain.shape)
    torch.testing.assert_close(got, want)
    w = torch.randn_like(got)
    g_got = torch.autograd.grad((got * w).sum(), [rep, model.seen_weight])
    g_want = torch.autograd.grad((want * w).sum(), [rep, model.seen_weight])
    for a, b in zip(g_got, g_want, strict=True):
        torch.testing.assert_close(a, b)


def _run(seed: int, epochs: int, valid: float, test: float) -> dict:
    metrics = {"hr@10": 2 * test, "ndcg@10": test, "mrr@10": test / 2}
    return {"model": "fused-lstur-gru", "seed": seed, "valid": {**metrics, "ndcg@10": valid}, "test": metrics,
            "config": {"seen_bias": True, "epochs": epochs, "max_minutes": 15.0, "dim": 8},
            "train_seconds": 60.0 * epochs, "epochs_run": epochs, "best_epoch": epochs, "n_parameters": 10,
            "peak_rss_mb": 100.0}


def test_runs_under_different_plans_are_never_averaged(tmp_path) -> None:
    from lessons.casestudy.report import comparison_table, load_runs, summarize_runs
    from lessons.evaluation.results import append_record

    path = tmp_path / "toy.jsonl"
    for record in (_run(0, 9, 0.30, 0.20), _run(1, 9, 0.32, 0.22), _run(0, 12, 0.35, 0.10)):
        append_record(path, record)
    summary = summarize_runs(load_runs("toy", tmp_path)).set_index("planned_epochs")
    assert list(summary["seeds"].sort_index()) == [2, 1]
    assert summary.loc[9, "test_ndcg@10_mean"] == pytest.approx(0.21)
    assert summary.loc[9, "valid_ndcg@10_mean"] == pytest.approx(0.31)
    assert summary.loc[12, "test_ndcg@10_mean"] == pytest.approx(0.10)
    assert summary.loc[9, "train_minutes"] == pytest.approx(9.0)
    table = comparison_table("toy", results_dir=tmp_path)
    assert sorted(table["plan"]) == ["12 ep, ≤15 min", "9 ep, ≤15 min"]
    assert table.set_index("plan").loc["12 ep, ≤15 min", "epochs"] == "12"


def test_per_user_comparisons_refuse_to_stack_runs_of_different_plans(tmp_path) -> None:
    from lessons.evaluation.compare import paired_difference, rank_matrix
    from lessons.evaluation.results import append_record

    path = tmp_path / "toy.jsonl"
    for seed, epochs, ranks in ((0, 9, [1, 30]), (0, 12, [1, 1]), (1, 12, [30, 1])):
        append_record(path, {**_run(seed, epochs, 0.3, 0.2), "test_ranks": ranks})
    append_record(path, {**_run(0, 12, 0.3, 0.2), "model": "full-gru", "test_ranks": [30, 30]})
    with pytest.raises(ValueError, match=r"different plans.*fused-lstur-gru\+seen.*pass epochs="):
        rank_matrix("toy", results_dir=tmp_path)
    ranks = rank_matrix("toy", results_dir=tmp_path, epochs=12)
    np.testing.assert_array_equal(ranks["fused-lstur-gru+seen"], [[1, 1], [30, 1]])
    assert list(rank_matrix("toy", results_dir=tmp_path, epochs=9)) == ["fused-lstur-gru+seen"]
    out = paired_difference("toy", "fused-lstur-gru+seen", "full-gru+seen", "hr@10", tmp_path, epochs=12)
    # per-user HR@10 of the two 12-epoch seeds: [1, 1] and [0, 1] -> [0.5, 1]; full-gru: [0, 0]
    assert out["seeds A"] == 2 and out["A − B"] == pytest.approx(0.75)


def test_headline_row_prefers_more_seeds_then_validation_never_test(tmp_path) -> None:
    from lessons.casestudy.report import load_runs, summarize_runs
    from lessons.evaluation.compare import headline_row
    from lessons.evaluation.results import append_record

    path = tmp_path / "toy.jsonl"
    runs = [_run(0, 9, 0.30, 0.20), _run(1, 9, 0.30, 0.20), _run(0, 12, 0.40, 0.10), _run(1, 12, 0.38, 0.11),
            _run(0, 15, 0.90, 0.90)]  # one seed only: not a candidate, however good
    for r in runs:
        append_record(path, r)
    append_record(path, {**_run(0, 9, 0.99, 0.99), "model": "full-gru"})  # not fused
    summary = summarize_runs(load_runs("toy", tmp_path))
    best = headline_row(summary)
    assert (best["model"], best["planned_epochs"]) == ("fused-lstur-gru+seen", 12)  # better valid, worse test
    assert headline_row(summary, prefix="full")["model"] == "full-gru+seen"
    with pytest.raises(ValueError, match="prefix='short'"):
        headline_row(summary, prefix="short")


def test_paired_groups_is_seed_aware_and_finds_a_known_difference() -> None:
    from lessons.evaluation.compare import paired_groups, verdict

    rng = np.random.default_rng(0)
    n = 600
    groups = np.repeat([0, 1], n // 2)
    # B ranks every user's target 5th; A ranks it 1st in group 0 and like B in group 1 (two seeds each)
    rb = np.full((2, n), 5)
    ra = rb.copy()
    ra[:, :n // 2] = 1
    ra[1, n // 2:] = rng.choice([4, 6], size=n // 2)  # seed noise in group 1 only
    out = paired_groups(ra, rb, groups, ["g0", "g1", "empty"], metric="hr@1")
    assert list(out["group"]) == ["g0", "g1"]  # the empty group is left out
    g0, g1 = out.iloc[0], out.iloc[1]
    assert g0["A − B"] == pytest.approx(1.0) and g0["lo"] == pytest.approx(1.0)  # every user, every seed
    assert g1["A − B"] == pytest.approx(0.0) and g1["lo"] <= 0 <= g1["hi"]
    assert verdict(g0["lo"], g0["hi"]) == "better than" and verdict(g1["lo"], g1["hi"]) == "not distinguishable from"
    assert verdict(-0.2, -0.1) == "worse than"
    with pytest.raises(ValueError, match="ranks must cover the 600 users"):
        paired_groups(ra[:, :10], rb, groups, ["g0", "g1"])


def test_dense_seen_indicator_rejects_a_batch_of_the_wrong_rank() -> None:
    with pytest.raises(ValueError, match=r"seen must have shape \(rows, S\), got \(2, 3, 4\)"):
        dense_seen_indicator(torch.zeros(2, 3, 4, dtype=torch.long), N_ITEMS)
