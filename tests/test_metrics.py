"""Ranking and binary metrics: hand-made cases (ties included) and cross-checks with scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score, ndcg_score, precision_score, recall_score, roc_auc_score

from lessons.evaluation.metrics import (
    KS,
    binary_metrics,
    bootstrap_ci,
    evaluate,
    per_user_metric,
    per_user_metrics,
    ranking_metrics,
    ranks_among,
    target_ranks,
)


def test_ranks_hand_made_with_pessimistic_ties():
    scores = np.array([
        [0.9, 0.1, 0.5, 0.3],   # target 0 is the best -> 1
        [0.9, 0.1, 0.5, 0.3],   # target 1 is the worst -> 4
        [0.5, 0.5, 0.5, 0.5],   # all tied -> placed below every tie -> 4
        [0.2, 0.7, 0.7, 0.1],   # target 2 ties with item 1 -> 2 (not 1)
        [0.2, 0.7, 0.7, 0.1],   # target 0: items 1, 2 above -> 3
    ])
    targets = np.array([0, 1, 2, 2, 0])
    np.testing.assert_array_equal(target_ranks(scores, targets), [1, 4, 4, 2, 3])


def test_ranks_match_definition_and_chunking():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 5, size=(37, 11)).astype(float)  # many ties on purpose
    targets = rng.integers(0, 11, size=37)
    expected = np.array([1 + sum(scores[u, j] >= scores[u, t] for j in range(11) if j != t)
                         for u, t in enumerate(targets)])
    for chunk in (None, 1, 4, 100):
        np.testing.assert_array_equal(target_ranks(scores, targets, chunk=chunk), expected)


def test_ranks_with_infinities():
    scores = np.array([[-np.inf, 1.0, 2.0], [np.inf, 1.0, np.inf]])
    np.testing.assert_array_equal(target_ranks(scores, np.array([0, 0])), [3, 2])


@pytest.mark.parametrize(
    ("scores", "targets", "match"),
    [
        (np.array([[0.1, np.nan]]), np.array([0]), "NaN"),
        (np.zeros(3), np.array([0]), "2-D"),
        (np.zeros((2, 3)), np.array([0]), "shape"),
        (np.zeros((1, 3)), np.array([3]), "0..2"),
        (np.zeros((1, 3)), np.array([0.0]), "integer"),
    ],
)
def test_ranks_bad_input(scores, targets, match):
    with pytest.raises(ValueError, match=match):
        target_ranks(scores, targets)


def test_per_user_metrics_known_values():
    m = per_user_metrics(np.array([1, 2, 10, 11]), ks=(10,))
    np.testing.assert_allclose(m["hr@10"], [1, 1, 1, 0])
    np.testing.assert_allclose(m["ndcg@10"], [1.0, 1 / np.log2(3), 1 / np.log2(11), 0.0])
    np.testing.assert_allclose(m["mrr@10"], [1.0, 0.5, 0.1, 0.0])
    assert set(per_user_metrics(np.array([1]))) == {f"{m}@{k}" for m in ("hr", "ndcg", "mrr") for k in KS}


def test_invariants_hr_ge_ndcg_ge_mrr_and_monotone_in_k():
    ranks = np.random.default_rng(0).integers(1, 60, size=500)
    m = ranking_metrics(ranks, ks=(1, 5, 10, 20))
    assert m["hr@1"] == m["ndcg@1"] == m["mrr@1"]
    for k in (5, 10, 20):
        assert m[f"hr@{k}"] >= m[f"ndcg@{k}"] >= m[f"mrr@{k}"]
    for a, b in ((1, 5), (5, 10), (10, 20)):
        for name in ("hr", "ndcg", "mrr"):
            assert m[f"{name}@{a}"] <= m[f"{name}@{b}"]


def test_ndcg_matches_sklearn_for_one_relevant_item():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(40, 25))
    targets = rng.integers(0, 25, size=40)
    relevance = np.zeros_like(scores)
    relevance[np.arange(40), targets] = 1.0
    ours = per_user_metrics(target_ranks(scores, targets), ks=(5, 10))
    for k in (5, 10):
        theirs = [ndcg_score(relevance[u:u + 1], scores[u:u + 1], k=k) for u in range(40)]
        np.testing.assert_allclose(ours[f"ndcg@{k}"], theirs, atol=1e-12)


def test_constant_model_is_not_rewarded():
    out = evaluate(target_ranks(np.zeros((20, 100)), np.arange(20)))
    assert out["hr@20"] == 0.0 and out["ndcg@10"] == 0.0 and out["n_users"] == 20


def test_evaluate_with_ci():
    rng = np.random.default_rng(2)
    scores = rng.normal(size=(200, 30))
    targets = rng.integers(0, 30, size=200)
    scores[np.arange(100), targets[:100]] += 5.0  # half the users are easy
    out = evaluate(target_ranks(scores, targets), ci=True, n_boot=300)
    assert out["hr@10"] == pytest.approx(ranking_metrics(target_ranks(scores, targets))["hr@10"])
    for name, (lo, hi) in out["ci"].items():
        assert lo <= out[name] <= hi, name


def test_per_user_metric_is_the_per_user_metrics_formula():
    ranks = np.array([1, 3, 11, 2])
    np.testing.assert_allclose(per_user_metric(ranks, "hr@10"), [1, 1, 0, 1])
    np.testing.assert_allclose(per_user_metric(ranks, "mrr@10"), [1, 1 / 3, 0, 0.5])
    np.testing.assert_allclose(per_user_metric(ranks, "ndcg@10"), [1, 0.5, 0, 1 / np.log2(3)])
    for name, values in per_user_metrics(ranks, (5,)).items():
        np.testing.assert_array_equal(per_user_metric(ranks, name), values)
    with pytest.raises(ValueError, match="metric must look like"):
        per_user_metric(ranks, "recall@10")
    with pytest.raises(ValueError, match="ranks must not be empty"):
        evaluate(np.zeros(0, dtype=np.int64))


def test_ranks_among_candidates_with_pessimistic_ties():
    scores = np.array([[0.5, 0.9, 0.5, 0.1], [0.2, 0.1, 0.3, 0.4]])
    # user 0: target 0 against items 1 (higher) and 2 (tied) -> rank 3; user 1: target 3 beats 0 and 1 -> 1
    np.testing.assert_array_equal(ranks_among(scores, np.array([0, 3]), np.array([[1, 2], [0, 1]])), [3, 1])


def test_bootstrap_ci_properties():
    v = np.random.default_rng(4).random(400)
    lo, hi = bootstrap_ci(v, n_boot=500, seed=7)
    assert lo < v.mean() < hi
    assert (lo, hi) == bootstrap_ci(v, n_boot=500, seed=7)  # deterministic
    se = v.std(ddof=1) / np.sqrt(v.size)
    assert hi - lo == pytest.approx(2 * 1.96 * se, rel=0.2)  # close to the normal interval
    assert bootstrap_ci(np.full(10, 0.3)) == pytest.approx((0.3, 0.3))
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci(v, level=1.5)
    with pytest.raises(ValueError, match="values"):
        bootstrap_ci(np.array([]))


def test_binary_metrics_match_sklearn():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, size=300)
    s = np.round(rng.random(300) * 0.6 + 0.4 * y, 1)  # rounded: many ties for the AUC
    ours = binary_metrics(y, s, threshold=0.5)
    pred = s >= 0.5
    assert ours["auc"] == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert ours["accuracy"] == pytest.approx(accuracy_score(y, pred))
    assert ours["precision"] == pytest.approx(precision_score(y, pred))
    assert ours["recall"] == pytest.approx(recall_score(y, pred))
    assert ours["f1"] == pytest.approx(f1_score(y, pred))


def test_binary_metrics_hand_made_and_errors():
    out = binary_metrics(np.array([1, 0, 1, 0]), np.array([0.9, 0.8, 0.3, 0.1]))
    assert out == pytest.approx({"auc": 0.75, "accuracy": 0.5, "precision": 0.5, "recall": 0.5, "f1": 0.5})
    assert binary_metrics(np.array([1, 0]), np.array([0.1, 0.2]))["precision"] == 0.0
    with pytest.raises(ValueError, match="both classes"):
        binary_metrics(np.array([1, 1]), np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="0/1"):
        binary_metrics(np.array([2, 0]), np.array([0.1, 0.2]))
