"""The case-study models on baskets: the purchase sequence they train on, and a short seeded run scored on baskets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from lessons.casestudy.grocery import basket_scores, order_times, run_grocery, sequence_split
from lessons.casestudy.train import TrainConfig, build_model
from lessons.data.instacart import BASKET_COLUMNS, BasketSplit, build_basket_split


@pytest.fixture
def shop() -> BasketSplit:
    """Eight users with five orders each: a staple every time plus one or two random products."""
    rng = np.random.default_rng(0)
    rows, order = [], 0
    for u in range(8):
        for n in range(1, 6):
            order += 1
            items = [u] + list(rng.choice(np.arange(8, 20), size=int(rng.integers(1, 3)), replace=False))
            rows += [(u, order, n, pos + 1, int(i), np.nan if n == 1 else 7.0) for pos, i in enumerate(items)]
    df = pd.DataFrame(rows, columns=["user", "order", "order_number", "add_to_cart_order", "item",
                                     "days_since_prior_order"])
    df["reordered"] = 0
    return build_basket_split(df[list(BASKET_COLUMNS)])


def test_sequence_split_trains_only_on_purchases_before_the_validation_basket(shop: BasketSplit) -> None:
    seq = sequence_split(shop)
    for u in range(shop.n_users):
        assert np.array_equal(seq.train[u], shop.purchases("valid")[u])
        assert seq.valid_item[u] == shop.targets("valid")[u][0]
        assert seq.test_item[u] == shop.targets("test")[u][0]
        assert seq.test_time[u] - seq.valid_time[u] == 7 * 86_400
    times = order_times(shop)[0]
    assert times[0] == 0 and np.all(np.diff(times) >= 0)


def test_short_seeded_run_scores_every_basket_and_repeats_itself(shop: BasketSplit) -> None:
    torch.set_num_threads(1)
    config = TrainConfig(model="full-gru", epochs=1, dim=8, lr=1e-2, dropout=0.0, batch_size=4, seen_bias=True,
                         threads=1, patience=2)
    first = run_grocery(config, shop)
    again = run_grocery(config, shop)
    assert first["model"] == "full-gru+seen" and first["kind"] == "model"
    assert [len(r) for r in first["test_basket_ranks"]] == [len(b) for b in shop.targets("test")]
    assert first["test_basket_ranks"] == again["test_basket_ranks"]
    assert 0.0 <= first["test"]["ndcg@10"] <= 1.0 and "versions" in first


def test_basket_scores_read_the_whole_validation_basket_for_test(shop: BasketSplit) -> None:
    model = build_model(TrainConfig(model="full-gru", dim=8), shop.n_items, shop.n_users)
    assert basket_scores(model, shop, "test").shape == (shop.n_users, shop.n_items)
    with pytest.raises(ValueError, match="stage must be one of"):
        basket_scores(model, shop, "train")
