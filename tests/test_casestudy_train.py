"""Training pipeline of case study II on the toy split: windows, truncation, batching, end-to-end CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from lessons.casestudy.__main__ import main
from lessons.casestudy.inputs import encode_histories, make_windows, score_histories, score_split, time_gaps
from lessons.casestudy.train import TrainConfig, build_model, fit
from lessons.data import make_toy_split
from lessons.evaluation.results import run_identity

torch.set_num_threads(1)


def test_every_next_item_is_a_target_exactly_once_with_enough_context() -> None:
    rng = np.random.default_rng(0)
    seqs = [rng.integers(0, 40, size=n) for n in (2, 7, 50, 51, 52, 130)]
    w = make_windows(seqs, None, max_len=10, stride=4)
    for u, seq in enumerate(seqs):
        rows = np.flatnonzero(w.users == u)
        got = np.concatenate([w.targets[r][w.targets[r] > 0] for r in rows]) - 1
        np.testing.assert_array_equal(got, seq[1:])  # all next items, in order, once each
        for r in rows:
            pos = np.flatnonzero(w.targets[r] > 0)
            if r != rows[0]:
                assert (
                    pos.min() >= 10 - 4
                )  # later windows score only positions with >= max_len - stride context
    with pytest.raises(ValueError, match="at least one user"):
        make_windows([np.arange(1)], None)
    with pytest.raises(ValueError, match="stride"):
        make_windows(seqs, None, max_len=5, stride=6)


def test_windows_pair_each_input_with_the_following_item() -> None:
    seq = np.arange(23)
    w = make_windows([seq], [np.arange(23) * 60.0], max_len=8, stride=3)
    for x, t, g in zip(w.items, w.targets, w.gaps, strict=True):
        scored = t > 0
        np.testing.assert_array_equal(
            t[scored] - 1, x[scored]
        )  # stored ids are +1; item k is followed by k+1
        assert np.all(g[x > 0][1:] == 60.0)


def test_time_gaps() -> None:
    np.testing.assert_array_equal(time_gaps(np.array([5, 7, 17])), [0, 2, 10])
    assert time_gaps(np.array([])).size == 0


def test_histories_are_truncated_to_the_last_max_len_items_and_bad_ones_refused() -> None:
    x, g, lengths = encode_histories([np.arange(60) % 7, np.array([3])], None, n_items=7, max_len=50)
    assert x.shape == (2, 50)
    np.testing.assert_array_equal(x[0], (np.arange(10, 60) % 7) + 1)
    np.testing.assert_array_equal(lengths, [50, 1])
    assert x[1, 0] == 4 and (x[1, 1:] == 0).all()
    with pytest.raises(ValueError, match="non-empty"):
        encode_histories([np.array([], dtype=np.int64)], None, n_items=7)
    with pytest.raises(ValueError, match=r"item ids must be in \[0, 6\]"):
        encode_histories([np.array([1, 7])], None, n_items=7)
    with pytest.raises(ValueError, match="at least one history"):
        encode_histories([], None, n_items=7)


def test_batched_scoring_equals_one_user_at_a_time() -> None:
    split = make_toy_split(n_users=12, n_items=15, seed=3)
    model = build_model(
        TrainConfig(model="fused-gate-lstm", dim=8, dropout=0.0), split.n_items, split.n_users
    )
    items, times = split.history("test"), split.history_times("test")
    users = np.arange(split.n_users)
    batched = score_histories(model, items, times, users, batch_size=5)
    single = np.vstack(
        [
            score_histories(model, items[u : u + 1], times[u : u + 1], users[u : u + 1])
            for u in range(split.n_users)
        ]
    )
    np.testing.assert_allclose(batched, single, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(score_split(model, split, "test"), batched, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="users must have shape"):
        score_histories(model, items, times, users[:3])


def test_training_lowers_the_loss_and_beats_chance_on_the_toy_split() -> None:
    split = make_toy_split(n_users=60, n_items=20, seed=0)
    config = TrainConfig(
        model="full-gru", epochs=6, dim=16, lr=1e-2, dropout=0.0, batch_size=16, patience=6, threads=1
    )
    model, summary = fit(split, config)
    losses = [h["loss"] for h in summary["history"]]
    assert losses[-1] < losses[0] - 0.3
    best = max(h["valid_ndcg@10"] for h in summary["history"])
    assert best > 0.35  # chance NDCG@10 with 20 items is about 0.15
    assert summary["n_train_targets"] == sum(len(s) - 1 for s in split.train)
    assert summary["n_parameters"] > 0


def test_cli_end_to_end_on_the_toy_split(tmp_path, capsys) -> None:
    out = tmp_path / "toy.jsonl"
    assert (
        main(
            [
                "train",
                "--dataset",
                "toy",
                "--model",
                "fused-lstur-gru",
                "--epochs",
                "1",
                "--dim",
                "8",
                "--threads",
                "1",
                "--no-progress",
                "--out",
                str(out),
                "--checkpoint-dir",
                str(tmp_path),
            ]
        )
        == 0
    )
    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    saved = json.loads(out.read_text().strip())
    assert [p.name for p in tmp_path.glob("*.pt")] == [f"toy-fused-lstur-gru-seed0-{run_identity(saved)}.pt"]
    assert printed == saved
    for key in ("hr@10", "ndcg@10", "mrr@10", "hr@5", "ndcg@20"):
        assert 0.0 <= saved["test"][key] <= 1.0
        assert 0.0 <= saved["valid"][key] <= 1.0
    lo, hi = saved["test"]["ci"]["ndcg@10"]
    assert lo <= saved["test"]["ndcg@10"] <= hi
    assert saved["epochs_run"] == 1 and saved["model"] == "fused-lstur-gru" and saved["seed"] == 0
    assert saved["peak_rss_mb"] >= saved["rss_before_mb"] > 0
    assert {"versions", "git_commit", "config", "train_seconds", "n_parameters"} <= set(saved)
    ranks = np.array(saved["test_ranks"])
    assert ranks.shape == (saved["n_users"],) and ranks.min() >= 1
    np.testing.assert_allclose((ranks <= 10).mean(), saved["test"]["hr@10"])


def test_cli_options_are_the_config_fields_with_their_defaults() -> None:
    from lessons.casestudy.__main__ import build_parser, config_from
    from lessons.casestudy.binary import BinaryConfig

    parser = build_parser()
    assert config_from(parser.parse_args(["train"]), TrainConfig) == TrainConfig()
    assert config_from(parser.parse_args(["binary"]), BinaryConfig) == BinaryConfig()
    args = parser.parse_args(["train", "--batch-size", "64", "--hidden", "32", "--seen-bias", "--schedule", "cosine"])
    assert config_from(args, TrainConfig) == TrainConfig(batch_size=64, dim=32, seen_bias=True, schedule="cosine")


def test_config_refuses_bad_values() -> None:
    with pytest.raises(ValueError, match="model must look like"):
        TrainConfig(model="big-gru")
    with pytest.raises(ValueError, match="stride"):
        TrainConfig(stride=60)
    with pytest.raises(ValueError, match="lr"):
        TrainConfig(lr=0.0)


def test_binary_view_moves_with_the_ratio_but_auc_does_not() -> None:
    from lessons.casestudy.binary import binary_view, sampled_hit_rate

    rng = np.random.default_rng(0)
    n_users, n_items = 200, 300
    scores = rng.normal(size=(n_users, n_items))
    targets = rng.integers(0, n_items, n_users)
    scores[np.arange(n_users), targets] += 1.5  # the target tends to score higher
    negatives = np.stack(
        [rng.choice(np.setdiff1d(np.arange(n_items), [t]), 99, replace=False) for t in targets]
    )
    view = binary_view(scores, targets, negatives, ratios=(1, 9, 99))
    # a constant classifier: everything positive, so precision is the positive share and recall is 1
    flat = binary_view(np.zeros_like(scores), targets, negatives, ratios=(1, 9))
    for r in (1, 9):
        assert flat[f"1:{r}"]["precision"] == pytest.approx(1 / (1 + r))
        assert flat[f"1:{r}"]["recall"] == 1.0
        assert flat[f"1:{r}"]["accuracy"] == pytest.approx(1 / (1 + r))
    assert view["1:1"]["precision"] > view["1:9"]["precision"] > view["1:99"]["precision"]
    assert abs(view["1:1"]["auc"] - view["1:99"]["auc"]) < 0.06
    hr = sampled_hit_rate(scores, targets, negatives, k=10)
    full = float((1 + (scores >= scores[np.arange(n_users), targets][:, None]).sum(1) - 1 <= 10).mean())
    assert hr > full  # ranking against 99 sampled items overstates HR@10 over all 300


def test_binary_experiment_end_to_end_on_the_toy_split(tmp_path) -> None:
    out = tmp_path / "b.jsonl"
    assert (
        main(
            [
                "binary",
                "--dataset",
                "toy",
                "--cell",
                "lstm",
                "--epochs",
                "1",
                "--dim",
                "8",
                "--no-progress",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rec = json.loads(out.read_text())
    assert set(rec["binary"]) == {"1:1", "1:4", "1:9", "1:99"}
    assert 0 <= rec["binary"]["1:1"]["accuracy"] <= 1 and rec["cell"] == "lstm"
    assert 0 <= rec["ranking"]["ndcg@10"] <= 1 and rec["train_seconds"] > 0


def test_explanation_is_consistent_and_refuses_unknown_users(toy_split) -> None:
    from lessons.casestudy.explain import Explanation, explain_history, explain_user, explain_widget
    from lessons.pictures.casestudy_plots import explain_slider, explain_step_figure

    split = toy_split
    model = build_model(TrainConfig(model="fused-gate-gru", dim=8, dropout=0.0), split.n_items, split.n_users)
    expl = explain_user(model, split, 3, k=5)
    t = len(split.history("test")[3][-50:])
    assert expl.steps == t and expl.top_items.shape == (t, 5)
    assert ((expl.alpha > 0) & (expl.alpha < 1)).all()
    np.testing.assert_allclose(expl.attention.sum(axis=1), 1.0)
    assert np.allclose(np.triu(expl.attention, 1), 0.0)  # causal: no weight on items not yet read
    assert expl.overlap().shape == (t - 1,)
    fig = explain_slider(expl)
    assert len(fig.frames) == t
    explain_step_figure(expl, 0)
    with pytest.raises(ValueError, match="user must be in"):
        explain_user(model, split, split.n_users)
    with pytest.raises(ValueError, match="non-empty"):
        explain_history(model, np.array([], dtype=np.int64), None, 0)
    with pytest.raises(ValueError, match="t must be in"):
        explain_step_figure(expl, t)
    assert isinstance(expl, Explanation)
    widget = explain_widget(expl)  # the book's one widget idiom: a LessonWidget with one slider "t"
    assert widget.state == t - 1 and widget.image.value[:4] == b"\x89PNG"
    widget.controls["t"].value = 0
    assert widget.state == 0


def test_checkpoint_round_trip(tmp_path, toy_split) -> None:
    from lessons.casestudy.models import load_checkpoint, save_checkpoint

    split = toy_split
    model = build_model(TrainConfig(model="fused-lstur-lstm", dim=8), split.n_items, split.n_users).eval()
    again = load_checkpoint(save_checkpoint(model, tmp_path / "m.pt"))
    np.testing.assert_allclose(score_split(again, split, "test"), score_split(model, split, "test"))


def test_group_table_known_values() -> None:
    from lessons.evaluation.compare import group_table

    ranks = np.array([1, 2, 11, 3])
    table = group_table({"m": ranks[None, :]}, np.array([0, 0, 1, 1]), ["a", "b"], metric="hr@10")
    np.testing.assert_allclose(table["mean"], [1.0, 0.5])
    assert list(table["n_users"]) == [2, 2]
