"""Baselines on hand-made sequences: what each one must predict, shapes, tuning on validation only, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from lessons.baselines import (
    BPRMF,
    EASE,
    Markov1,
    Popularity,
    RecentPopularity,
    SequentialKNN,
    per_user_ranks,
    run,
    tune,
)
from lessons.data import SequentialSplit, make_toy_split
from lessons.evaluation.metrics import evaluate, sampled_ranks, target_ranks
from lessons.evaluation.results import read_records

torch.set_num_threads(1)


def split_from(seqs: list[list[int]], n_items: int, max_len: int = 50,
               times: list[list[int]] | None = None) -> SequentialSplit:
    """A split whose users have the full sequences ``seqs`` (last = test, second-last = validation), at
    ``times`` (Unix seconds; default 0, 1, 2, ...)."""
    arrs = [np.asarray(s, dtype=np.int64) for s in seqs]
    if times is None:
        times = [np.arange(len(s), dtype=np.int64) for s in arrs]
    times = [np.asarray(t, dtype=np.int64) for t in times]
    return SequentialSplit(
        dataset="hand", protocol="hand", n_users=len(arrs), n_items=n_items,
        train=tuple(a[:-2] for a in arrs), train_times=tuple(t[:-2] for t in times),
        valid_item=np.array([a[-2] for a in arrs]), test_item=np.array([a[-1] for a in arrs]),
        valid_time=np.array([t[-2] for t in times]), test_time=np.array([t[-1] for t in times]),
        user_labels=np.array([f"u{u}" for u in range(len(arrs))]),
        item_labels=np.array([f"i{j}" for j in range(n_items)]), max_len=max_len)


def test_popularity_ranks_by_count():
    split = split_from([[0, 0, 1, 2, 2, 2, 9, 9], [2, 1, 3, 9, 9]], n_items=10)
    # training parts: [0,0,1,2,2,2] and [2,1,3] -> counts 0:2, 1:2, 2:4, 3:1
    model = Popularity().fit(split, "valid")
    scores = model.score([np.array([5]), np.array([], dtype=np.int64)])
    np.testing.assert_array_equal(scores[0], [2, 2, 4, 1, 0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(scores[0], scores[1])  # the same list for everyone
    assert scores.dtype == np.float32 and scores.shape == (2, 10)
    # the test stage refits on train + validation items (one more 9 per user)
    assert Popularity().fit(split, "test").score([np.array([0])])[0, 9] == 2


def test_markov1_predicts_the_known_transition_and_falls_back_to_popularity():
    seqs = [[0, 1, 2, 3, 4, 0, 1], [1, 2, 3, 4, 0, 1, 2], [2, 3, 4, 0, 1, 2, 3]] * 3
    model = Markov1(smoothing=0.1).fit(split_from(seqs, n_items=6), "valid")
    scores = model.score([np.array([4, 0]), np.array([2]), np.array([], dtype=np.int64), np.array([5])])
    assert scores[0].argmax() == 1 and scores[1].argmax() == 3
    # empty history and an item never followed by anything: exactly the popularity distribution
    pop = np.bincount(np.concatenate([s[:-2] for s in seqs]), minlength=6) / sum(len(s) - 2 for s in seqs)
    np.testing.assert_allclose(scores[2], pop, rtol=1e-6)
    np.testing.assert_allclose(scores[3], pop, rtol=1e-6)
    # each row is a probability distribution (Dirichlet smoothing)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-5)


def test_markov1_smoothing_moves_towards_popularity():
    seqs = [[0, 1, 5, 5, 5, 5, 5, 2, 3]] * 4
    split = split_from(seqs, n_items=6)
    sharp = Markov1(smoothing=0.01).fit(split, "valid").score([np.array([0])])[0]
    smooth = Markov1(smoothing=1000.0).fit(split, "valid").score([np.array([0])])[0]
    assert sharp.argmax() == 1 and smooth.argmax() == 5


def test_sknn_decay_weights_recent_items_more():
    # 0 is always followed by 1, and 2 by 3: two separate neighbourhoods
    seqs = [[0, 1, 4, 2, 3, 4, 0, 1, 4, 2, 3, 5, 5]] * 3
    model = SequentialKNN(window=1, decay=0.5, neighbours=10).fit(split_from(seqs, n_items=6), "valid")
    s = model.score([np.array([0, 2]), np.array([2, 0])])
    # the most recent item decides: after ...,2 the next item is 3; after ...,0 it is 1
    assert s[0, 3] > s[0, 1] and s[1, 1] > s[1, 3]
    # decay = 1 weighs both equally (up to the popularity tie breaker of 1e-6)
    flat = SequentialKNN(window=1, decay=1.0, neighbours=10).fit(split_from(seqs, n_items=6), "valid")
    f = flat.score([np.array([0, 2])])[0]
    assert abs(f[1] - f[3]) < 1e-5


def test_sknn_matches_the_formula_by_hand():
    seqs = [[0, 1, 2, 0, 2, 1, 3, 3]] * 2
    model = SequentialKNN(window=2, decay=0.5, neighbours=4, directed=True).fit(split_from(seqs, 4), "valid")
    hist = [0, 1, 2, 0, 2, 1]
    counts = np.zeros((4, 4))
    for _ in range(2):
        for d in (1, 2):
            for a, b in zip(hist[:-d], hist[d:], strict=True):
                counts[a, b] += 1
    n = np.bincount(hist * 2, minlength=4).astype(float)
    sim = counts / np.sqrt(np.maximum(n, 1))[:, None] / np.sqrt(np.maximum(n, 1))[None, :]
    np.fill_diagonal(sim, 0)
    expected = sim[1] + 0.5 * sim[2] + 0.25 * sim[0] + 1e-6 * n / n.sum()
    np.testing.assert_allclose(model.score([np.array([0, 2, 1])])[0], expected, rtol=1e-5)


def test_sknn_keeps_only_k_neighbours():
    split = make_toy_split(n_users=40, n_items=20, seed=1)
    model = SequentialKNN(window=3, neighbours=2).fit(split, "valid")
    assert ((model.sim_ > 0).sum(axis=1) <= 2).all()


def test_bpr_loss_decreases_and_learns_an_obvious_preference():
    rng = np.random.default_rng(0)
    # users 0..9 like items 0..4, users 10..19 like items 5..9; 12 events each
    seqs = [list(rng.integers(0, 5, 12)) if u < 10 else list(rng.integers(5, 10, 12)) for u in range(20)]
    split = split_from(seqs, n_items=10)
    model = BPRMF(factors=4, reg=1e-4, epochs=60, lr=0.05, batch_size=256, seed=0).fit(split, "valid")
    assert model.losses_[-1] < 0.5 * model.losses_[0]
    s = model.score(split.history("valid"))
    assert s.shape == (20, 10) and s.dtype == np.float32
    assert (s[:10, :5].min(axis=1) > s[:10, 5:].max(axis=1)).all()
    assert (s[10:, 5:].min(axis=1) > s[10:, :5].max(axis=1)).all()
    # seeded: the same seed gives the same scores
    again = BPRMF(factors=4, reg=1e-4, epochs=60, lr=0.05, batch_size=256, seed=0).fit(split, "valid")
    np.testing.assert_array_equal(s, again.score(split.history("valid")))


def test_bpr_ignores_history_and_uses_user_ids():
    split = make_toy_split(n_users=10, n_items=12, seed=0)
    model = BPRMF(factors=3, epochs=2, batch_size=32).fit(split, "valid")
    a = model.score([np.array([1]), np.array([2])], users=np.array([3, 3]))
    np.testing.assert_array_equal(a[0], a[1])
    with pytest.raises(ValueError, match="users must be ids in 0..9"):
        model.score([np.array([1])], users=np.array([10]))


@pytest.mark.parametrize("model", [Popularity(), Markov1(), SequentialKNN(), BPRMF(epochs=1, factors=2)])
def test_scores_shape_dtype_chunking_and_errors(model, monkeypatch):
    split = make_toy_split(n_users=30, n_items=15, seed=2)
    model.fit(split, "valid")
    hist = split.history("valid")
    s = model.score(hist)
    assert s.shape == (30, 15) and s.dtype == np.float32 and np.isfinite(s).all()
    monkeypatch.setattr("lessons.baselines.base.CHUNK_CELLS", 15 * 4)  # 4 users per chunk
    np.testing.assert_array_equal(model.score(hist), s)
    with pytest.raises(ValueError, match=r"histories\[1\] must hold item ids in 0..14"):
        model.score([np.array([0]), np.array([3, 15])])
    with pytest.raises(ValueError, match=r"histories\[0\] must be a 1-D int array"):
        model.score([np.array([0.5])])
    empty = model.score([np.array([], dtype=np.int64)])
    assert empty.shape == (1, 15) and np.isfinite(empty).all()


def test_only_last_max_len_items_are_read():
    split = split_from([[0, 1, 2, 3, 4, 5, 0, 1]] * 3, n_items=6, max_len=2)
    model = SequentialKNN(window=1, decay=1.0, neighbours=6).fit(split, "valid")
    long = model.score([np.array([3, 3, 3, 0, 1])])
    short = model.score([np.array([0, 1])])
    np.testing.assert_array_equal(long, short)


def test_unfitted_and_bad_arguments():
    with pytest.raises(ValueError, match="call fit"):
        Popularity().score([np.array([0])])
    with pytest.raises(ValueError, match="smoothing must be a positive number"):
        Markov1(smoothing=0)
    with pytest.raises(ValueError, match="decay must be in"):
        SequentialKNN(decay=1.5)
    with pytest.raises(ValueError, match="window must be a positive int"):
        SequentialKNN(window=0)
    with pytest.raises(ValueError, match="factors must be a positive int"):
        BPRMF(factors=0)
    split = make_toy_split(n_users=10, n_items=8)
    with pytest.raises(ValueError, match="stage must be one of"):
        Popularity().fit(split, "train")
    with pytest.raises(ValueError, match="split must be a lessons.data.SequentialSplit"):
        Popularity().fit([[0, 1]], "valid")
    with pytest.raises(ValueError, match="fitted for 'test'"):
        per_user_ranks(Popularity().fit(split, "test"), split, "valid")


def test_evaluate_matches_metrics_and_gives_intervals():
    split = make_toy_split(n_users=60, n_items=20, seed=3)
    model = Markov1(1.0).fit(split, "valid")
    res = evaluate(per_user_ranks(model, split, "valid"), ci=True, n_boot=200)
    ranks = target_ranks(model.score(split.history("valid")), split.targets("valid"))
    assert res["hr@10"] == pytest.approx(np.mean(ranks <= 10))
    assert res["mrr@5"] == pytest.approx(np.mean(np.where(ranks <= 5, 1 / ranks, 0)))
    lo, hi = res["ci"]["hr@10"]
    assert lo <= res["hr@10"] <= hi and res["n_users"] == 60
    # the toy walk (j -> j+1 70 % of the time) is learnt: Markov-1 beats popularity by far
    pop = evaluate(per_user_ranks(Popularity().fit(split, "valid"), split, "valid"))
    assert res["hr@5"] > pop["hr@5"] + 0.2


def test_sampled_ranks_are_never_worse_than_full_ranks():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=(200, 50)).astype(np.float32)
    targets = rng.integers(0, 50, 200)
    full = target_ranks(scores, targets)
    sampled = sampled_ranks(scores, targets, n_negatives=10, seed=1)
    assert (sampled <= full).all() and sampled.max() <= 11 and sampled.min() >= 1
    # all other items sampled: the same as full ranking
    np.testing.assert_array_equal(sampled_ranks(scores, targets, n_negatives=49), full)
    np.testing.assert_array_equal(sampled, sampled_ranks(scores, targets, n_negatives=10, seed=1))
    with pytest.raises(ValueError, match="n_negatives must be <= n_items - 1 = 49"):
        sampled_ranks(scores, targets, n_negatives=50)


def test_tune_selects_on_validation_and_run_writes_one_line_per_baseline(tmp_path):
    split = make_toy_split(n_users=40, n_items=15, seed=4)
    best, trials = tune("markov1", split, {"smoothing": [0.1, 1000.0]})
    assert len(trials) == 2 and best == {"smoothing": 0.1}
    out = tmp_path / "b.jsonl"
    grids = {"markov1": {"smoothing": [0.1, 1.0]}, "bpr": {"factors": [2], "epochs": [1, 2]}}
    for _ in range(2):  # a second run appends (nothing is rewritten) and supersedes the first when read
        run("toy", ["popularity", "markov1", "bpr"], split=split, out=out, grids=grids, log=lambda s: None)
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["baseline"] for r in lines] == ["popularity", "markov1", "bpr"] * 2
    kept = read_records(out)
    assert kept == lines[3:]
    rec = kept[2]
    assert len(rec["trials"]) == 2 and rec["params"]["epochs"] in (1, 2)
    assert set(rec["test"]["ci"]) >= {"hr@10", "ndcg@20"} and "git_commit" in rec and rec["seed"] == 0


def test_seen_in_top_k_counts_already_rated_items():
    split = split_from([[0, 1, 2, 3, 3, 4, 5], [0, 0, 1, 2, 6, 7]], n_items=8)
    model = Popularity().fit(split, "valid")  # counts over [0,1,2,3,3] and [0,0,1,2]: 0:3, 1:2, 2:2, 3:2
    np.testing.assert_array_equal(bl_seen(model, split, k=1), [1, 1])  # top-1 = item 0, rated by both
    np.testing.assert_array_equal(bl_seen(model, split, k=8), [4, 3])  # all distinct items of each history


def bl_seen(model, split, k):
    from lessons.baselines import seen_in_top_k

    return seen_in_top_k(model, split, "valid", k=k)


def test_protocol_pictures_return_figures_and_check_input():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from lessons.baselines import results_table, sampled_vs_full
    from lessons.pictures import protocol_plots as pp

    split = make_toy_split(n_users=30, n_items=15, seed=5)
    pop, mk = Popularity().fit(split, "valid"), Markov1().fit(split, "valid")
    rec = [{"baseline": n, "params": m.params(),
            "test": evaluate(per_user_ranks(m, split, "valid"), ci=True, n_boot=50)}
           for n, m in (("popularity", pop), ("markov1", mk))]
    table = results_table(rec)
    assert list(table.index) == ["popularity", "markov1"] and (table["hr@10 lo"] <= table["hr@10"]).all()
    compare = sampled_vs_full({"popularity": pop, "markov1": mk}, split, "valid", n_negatives=5)
    assert (compare["hr@10 sampled"] >= compare["hr@10 full"]).all()
    figs = [pp.leave_one_out(split, users=[0, 1]), pp.baseline_intervals(table, "hr@10", {"ref": 0.5}),
            pp.sampled_vs_full_plot(compare, n_negatives=5)]
    for fig in figs:
        assert isinstance(fig, Figure)
        plt.close(fig)
    with pytest.raises(ValueError, match="users must be ids in 0..29"):
        pp.leave_one_out(split, users=[30])
    with pytest.raises(ValueError, match="column 'mrr@5'"):
        pp.baseline_intervals(table, "mrr@5")


def test_ease_matches_its_closed_form_and_reads_the_whole_history():
    split = split_from([[0, 1, 2, 9, 9], [0, 1, 3, 9, 9], [1, 2, 3, 9, 9], [4, 0, 1, 9, 9]], n_items=10, max_len=1)
    model = EASE(l2=2.0).fit(split, "valid")
    x = np.zeros((4, 10))
    for u, h in enumerate(split.history("valid")):
        x[u, h] = 1
    p = np.linalg.inv(x.T @ x + 2.0 * np.eye(10))
    b = np.eye(10) - p / np.diag(p)  # B = I - P diag(1/diag(P)): diag(B) = 0
    np.testing.assert_allclose(np.diag(b), 0, atol=1e-12)
    query = np.zeros((1, 10))
    query[0, [0, 4]] = 1  # max_len=1 would keep only item 4: EASE reads all of the history
    np.testing.assert_allclose(model.score([np.array([0, 4])]), (query @ b).astype(np.float32), rtol=1e-5, atol=1e-6)
    assert model.score([np.array([0, 1])])[0, 2] > model.score([np.array([0, 1])])[0, 4]  # 2 co-occurs with 0, 1
    with pytest.raises(ValueError, match="l2"):
        EASE(l2=0.0)


def test_recent_popularity_halves_an_interaction_per_half_life():
    day = 86400  # newest training event: item 2 at day 20; held-out events later still
    split = split_from([[0, 1, 9, 9], [1, 2, 9, 9]], n_items=10,
                       times=[[0, 10 * day, 30 * day, 31 * day], [10 * day, 20 * day, 30 * day, 31 * day]])
    model = RecentPopularity(half_life_days=10.0).fit(split, "valid")
    np.testing.assert_allclose(model.score([np.array([0])])[0, :3], [0.25, 1.0, 1.0])  # 0.5 + 0.5 for item 1
    with pytest.raises(ValueError, match="half_life_days"):
        RecentPopularity(half_life_days=-1)


def test_hard_seen_mask_never_recommends_a_seen_item_and_is_tuned_with_it(tmp_path):
    split = split_from([[0, 1, 0, 2, 1], [3, 0, 1, 0, 2]], n_items=4)
    model = Popularity().fit(split, "valid")  # training counts 0:3, 1:2, 3:1, 2:0 -> item 0 first for everyone
    plain = per_user_ranks(model, split, "valid")
    masked = per_user_ranks(model, split, "valid", mask_seen=True)
    # user 0 has read 0, 1: target 2 climbs above both (only item 3 stays ahead); user 1's target 0 was read
    assert plain.tolist() == [4, 1] and masked.tolist() == [2, 4]
    out = tmp_path / "m.jsonl"
    recs = run("toy", ["popularity"], split=make_toy_split(n_users=20, n_items=12, seed=3), out=out,
               log=lambda s: None, mask_seen=True)
    assert recs[0]["mask_seen"] is True and recs[0]["label"] == "popularity+mask"
    assert len(recs[0]["test_ranks"]) == 20


def test_mask_table_pairs_each_baseline_with_its_masked_run(tmp_path, monkeypatch):
    from lessons.baselines import analysis, tuning

    split = make_toy_split(n_users=20, n_items=12, seed=3)
    out = tmp_path / "baselines-toy.jsonl"
    monkeypatch.setattr(tuning, "results_path", lambda dataset: tmp_path / f"baselines-{dataset}.jsonl")
    run("toy", ["popularity", "markov1"], split=split, out=out, log=lambda s: None,
        grids={"markov1": {"smoothing": [1.0]}})
    plain = read_records(out)[0]
    masked = run("toy", ["popularity"], split=split, out=out, log=lambda s: None, mask_seen=True)[0]
    assert len(read_records(out)) == 3  # the masked run is another run: it supersedes nothing
    table = analysis.mask_table("toy").set_index("baseline")
    assert list(table.index) == ["popularity"]  # markov1 was not run with the mask
    assert table.loc["popularity", "hr@10 without"] == plain["test"]["hr@10"]
    assert table.loc["popularity", "hr@10 with mask"] == masked["test"]["hr@10"]
    # the toy data repeat items, so the mask can cost: it forbids targets the user has met before
