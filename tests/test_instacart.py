"""The grocery data: the next-basket split (synthetic frames), its statistics, and the real sample when fetched."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from lessons.data.__main__ import main as data_main
from lessons.data.instacart import (
    BASKET_COLUMNS,
    BasketSplit,
    basket_stats,
    build_basket_split,
    load_basket_split,
)
from lessons.data.wheels import WHEELS, sha256_of
from lessons.paths import WHEEL_DIR

HAVE_INSTACART = (WHEEL_DIR / WHEELS["instacart"].filename).exists()


def purchases(rows: list[tuple[int, int, int, int, int]]) -> pd.DataFrame:
    """A purchases frame from (user, order, order_number, add_to_cart_order, item) rows, given out of order."""
    df = pd.DataFrame(rows, columns=["user", "order", "order_number", "add_to_cart_order", "item"])
    df["days_since_prior_order"] = np.where(df["order_number"] == 1, np.nan, 7.0)
    df["reordered"] = 0
    return df[list(BASKET_COLUMNS)]


@pytest.fixture
def tiny() -> BasketSplit:
    rows = [  # user 20: orders 1..3; user 10: orders 1..4 (rows shuffled on purpose)
        (20, 203, 3, 1, 500), (10, 101, 1, 2, 300), (10, 101, 1, 1, 100), (20, 201, 1, 1, 300),
        (10, 102, 2, 1, 100), (10, 103, 3, 1, 200), (10, 104, 4, 2, 100), (10, 104, 4, 1, 400),
        (20, 202, 2, 1, 300), (20, 203, 3, 2, 300),
    ]
    return build_basket_split(purchases(rows))


def test_split_orders_baskets_by_order_number_and_cart_position(tiny: BasketSplit) -> None:
    # users in increasing user_id (10 -> 0, 20 -> 1); items in increasing product_id (100 -> 0, ..., 500 -> 3)
    assert tiny.user_labels.tolist() == [10, 20] and tiny.item_labels.tolist() == [100, 200, 300, 400, 500]
    assert [b.tolist() for b in tiny.baskets[0]] == [[0, 2], [0], [1], [3, 0]]
    assert [b.tolist() for b in tiny.targets("test")] == [[3, 0], [4, 2]]
    assert [b.tolist() for b in tiny.targets("valid")] == [[1], [2]]
    assert [p.tolist() for p in tiny.purchases("valid")] == [[0, 2, 0], [2]]
    assert [p.tolist() for p in tiny.purchases("test")] == [[0, 2, 0, 1], [2, 2]]
    assert [m.tolist() for m in tiny.repeat_masks("test")] == [[False, True], [False, True]]
    assert np.isnan(tiny.days[0][0]) and tiny.days[0][1] == 7.0


def test_stats_count_everything_without_filtering(tiny: BasketSplit) -> None:
    stats = basket_stats(tiny)
    assert (stats["users"], stats["items"], stats["orders"], stats["interactions"]) == (2, 5, 7, 10)
    assert stats["median_orders_per_user"] == 3.5
    assert stats["repeat_share_test"] == 0.5  # one repeat item in each two-item test basket


def test_item_twice_in_one_order_is_rejected() -> None:
    rows = [(1, 11, 1, 1, 5), (1, 11, 1, 2, 5), (1, 12, 2, 1, 5), (1, 13, 3, 1, 5)]
    with pytest.raises(ValueError, match="one item twice"):
        build_basket_split(purchases(rows))


def test_user_with_two_orders_is_rejected() -> None:
    rows = [(1, 11, 1, 1, 5), (1, 12, 2, 1, 6)]
    with pytest.raises(ValueError, match="at least 3 orders"):
        build_basket_split(purchases(rows))


def test_bad_stage_is_a_value_error(tiny: BasketSplit) -> None:
    with pytest.raises(ValueError, match="stage must be one of"):
        tiny.targets("train")


@pytest.mark.data
@pytest.mark.skipif(not HAVE_INSTACART, reason="the Instacart wheel is not fetched (make data)")
def test_the_sample_has_the_documented_size(capsys: pytest.CaptureFixture[str]) -> None:
    path = WHEEL_DIR / WHEELS["instacart"].filename
    assert sha256_of(path) == WHEELS["instacart"].sha256
    with zipfile.ZipFile(path) as zf:
        assert zf.open(WHEELS["instacart"].member).readline().decode().startswith(",order_id,user_id")
    assert data_main(["stats", "instacart"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["users"], stats["items"], stats["orders"], stats["interactions"]) == (593, 14190, 15183, 150000)
    assert (stats["min_orders_per_user"], stats["max_orders_per_user"]) == (9, 99)
    assert 0.5 < stats["repeat_share_test"] < 0.9
    split = load_basket_split()
    assert all(len(orders) >= 9 for orders in split.baskets)
