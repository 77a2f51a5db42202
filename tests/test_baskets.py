"""Next-basket metrics: ranks in one list with ties against the basket, recall/NDCG over baskets, repeat/new."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.evaluation.baskets import basket_metrics, basket_ranks, per_user_basket_metrics
from lessons.evaluation.metrics import per_user_metrics, target_ranks


def test_single_item_baskets_match_the_pessimistic_target_rank() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 4, size=(30, 12)).astype(np.float64)  # many ties
    targets = rng.integers(0, 12, size=30)
    ranks = basket_ranks(scores, [np.array([t]) for t in targets])
    assert np.array_equal(np.concatenate(ranks), target_ranks(scores, targets))


def test_ties_go_against_the_basket_and_tied_basket_items_keep_basket_order() -> None:
    scores = np.array([[5.0, 3.0, 3.0, 3.0, 1.0]])
    # basket {3, 1}: both tie with item 2 (not in the basket), which is placed first
    assert basket_ranks(scores, [np.array([3, 1])])[0].tolist() == [3, 4]
    assert basket_ranks(scores, [np.array([0, 4])])[0].tolist() == [1, 5]


def test_known_recall_and_ndcg() -> None:
    ranks = [np.array([1, 3, 30])]
    m = per_user_basket_metrics(ranks, ks=(10,))
    assert m["recall@10"][0] == pytest.approx(2 / 3)
    ideal = 1 + 1 / np.log2(3) + 1 / np.log2(4)
    assert m["ndcg@10"][0] == pytest.approx((1 + 1 / np.log2(4)) / ideal)
    # a perfect list scores 1, and a basket bigger than K is judged against K ideal slots
    assert per_user_basket_metrics([np.arange(1, 16)], ks=(10,))["ndcg@10"][0] == pytest.approx(1.0)
    assert per_user_basket_metrics([np.arange(1, 16)], ks=(10,))["recall@10"][0] == pytest.approx(10 / 15)


def test_one_item_basket_ndcg_equals_the_next_item_formula() -> None:
    ranks = np.array([1, 2, 7, 11, 40])
    ours = per_user_basket_metrics([np.array([r]) for r in ranks], ks=(10,))["ndcg@10"]
    assert np.allclose(ours, per_user_metrics(ranks, (10,))["ndcg@10"])


def test_repeat_and_new_parts_are_averaged_over_the_users_who_have_them() -> None:
    ranks = [np.array([1, 50]), np.array([2])]
    repeat = [np.array([True, False]), np.array([True])]
    m = basket_metrics(ranks, repeat, ks=(10,))
    assert m["recall@10"] == pytest.approx((0.5 + 1.0) / 2)
    assert m["recall@10_repeat"] == 1.0 and m["users_repeat"] == 2
    assert m["recall@10_new"] == 0.0 and m["users_new"] == 1
    assert m["n_users"] == 2


def test_bad_input_names_the_argument() -> None:
    with pytest.raises(ValueError, match="baskets must hold one basket per user"):
        basket_ranks(np.zeros((2, 3)), [np.array([0])])
    with pytest.raises(ValueError, match=r"baskets\[0\] must hold distinct item ids"):
        basket_ranks(np.zeros((1, 3)), [np.array([0, 0])])
    with pytest.raises(ValueError, match="scores must be a 2-D float array"):
        basket_ranks(np.zeros((1, 3), dtype=int), [np.array([0])])
