"""Next-basket metrics: recall@K and NDCG@K over a whole target basket, split into repeat and new items.

Every model ranks all items for every user. A target basket ``B`` holds several items, so each of them gets a
rank in ONE ranked list, the list in which ties are broken against the basket (:func:`basket_ranks`): an item of
``B`` is placed after every non-basket item with an equal score, and tied basket items keep their basket order.
With one item in ``B`` this is exactly the pessimistic rank of :func:`lessons.evaluation.metrics.target_ranks`.

From the ranks ``r_b`` (1 = top) of the items ``b`` in ``B``:

* ``recall@K = #{b in B: r_b <= K} / |B|``;
* ``ndcg@K = DCG / IDCG`` with ``DCG = sum_{b in B, r_b <= K} 1 / log2(r_b + 1)`` and
  ``IDCG = sum_{j=1}^{min(K, |B|)} 1 / log2(j + 1)`` (the DCG of a list that starts with the whole basket).

Following the next-basket "reality check" of Li et al. (2023), the same formulas are also computed over the
basket's *repeat* items (bought by the user before) and over its *new* items, each in the same ranked list, and
averaged over the users whose basket has at least one such item (:func:`basket_metrics`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.evaluation.metrics import _check_ks

__all__ = ["BASKET_KS", "basket_ranks", "per_user_basket_metrics", "basket_metrics"]

BASKET_KS: tuple[int, ...] = (10, 20)


def basket_ranks(scores: np.ndarray, baskets: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Rank of every basket item in the user's ranked list, ties broken against the basket.

    scores: (n_users, n_items) finite floats, larger = recommend first. baskets: per user a non-empty
    (|B_u|,) int array of distinct item ids. Returns per user an int64 array (|B_u|,) of distinct ranks in
    ``1..n_items``: ``1 + #{j not in B: s_j >= s_b} + #{basket items before b}``, where the basket items are taken
    in decreasing score and, among equal scores, in basket order.
    """
    scores = np.asarray(scores)
    if scores.ndim != 2 or not np.issubdtype(scores.dtype, np.floating):
        raise ValueError(f"scores must be a 2-D float array (n_users, n_items), got shape {scores.shape} "
                         f"dtype {scores.dtype}")
    n_users, n_items = scores.shape
    if len(baskets) != n_users:
        raise ValueError(f"baskets must hold one basket per user ({n_users}), got {len(baskets)}")
    out = []
    for u, basket in enumerate(baskets):
        b = np.asarray(basket)
        if b.ndim != 1 or b.size == 0 or not np.issubdtype(b.dtype, np.integer):
            raise ValueError(f"baskets[{u}] must be a non-empty 1-D int array, got shape {b.shape} dtype {b.dtype}")
        if b.min() < 0 or b.max() >= n_items or np.unique(b).size != b.size:
            raise ValueError(f"baskets[{u}] must hold distinct item ids in 0..{n_items - 1}, got {b.tolist()}")
        s = scores[u]
        if not np.all(np.isfinite(s)):
            raise ValueError(f"scores must be finite; user row {u} is not")
        sb = s[b]
        at_least = n_items - np.searchsorted(np.sort(s), sb, side="left")     # all items with s_j >= s_b
        basket_at_least = (sb[None, :] >= sb[:, None]).sum(axis=1)            # ... of which in the basket
        order = np.argsort(-sb, kind="stable")                                # basket items, best first
        before = np.empty(b.size, dtype=np.int64)
        before[order] = np.arange(b.size)
        out.append((1 + at_least - basket_at_least + before).astype(np.int64))
    return out


def _dcg_discounts(n: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, n + 2, dtype=np.float64))


def per_user_basket_metrics(ranks: Sequence[np.ndarray], ks: Sequence[int] = BASKET_KS,
                            masks: Sequence[np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Per-user ``recall@K`` and ``ndcg@K`` over the basket items selected by ``masks`` (all items if None).

    ranks: per user (|B_u|,) ranks from :func:`basket_ranks`; masks: per user (|B_u|,) bools. Returns
    ``{"recall@10": (n_users,), "ndcg@10": (n_users,), ...}`` with NaN for users with no selected item.
    """
    ks = _check_ks(ks)
    n = len(ranks)
    if masks is not None and len(masks) != n:
        raise ValueError(f"masks must hold one array per user ({n}), got {len(masks)}")
    out = {f"{m}@{k}": np.full(n, np.nan) for k in ks for m in ("recall", "ndcg")}
    discounts = _dcg_discounts(max(ks))
    for u, r in enumerate(ranks):
        r = np.asarray(r)
        if masks is not None:
            m = np.asarray(masks[u], dtype=bool)
            if m.shape != r.shape:
                raise ValueError(f"masks[{u}] must have shape {r.shape}, got {m.shape}")
            r = r[m]
        if r.size == 0:
            continue
        for k in ks:
            hit = r <= k
            out[f"recall@{k}"][u] = hit.mean()
            dcg = float((1.0 / np.log2(r[hit] + 1.0)).sum())
            out[f"ndcg@{k}"][u] = dcg / discounts[:min(k, r.size)].sum()
    return out


def basket_metrics(ranks: Sequence[np.ndarray], repeat_masks: Sequence[np.ndarray],
                   ks: Sequence[int] = BASKET_KS) -> dict[str, float | int | None]:
    """Mean basket metrics over users: ``recall@K``, ``ndcg@K`` over the whole basket, and the same over its
    repeat items (``recall@K_repeat``, ...) and new items (``..._new``), each averaged over the users who have
    such items (``users_repeat``, ``users_new``); ``n_users`` counts everyone. A mean over no user is ``None``
    (JSON null: undefined, not a number), never NaN.

    ranks: per user (|B_u|,) ranks from :func:`basket_ranks`; repeat_masks: per user (|B_u|,) bools.
    """
    if len(ranks) == 0:
        raise ValueError("ranks must not be empty")
    out: dict[str, float | int | None] = {}
    for suffix, masks in (("", None), ("_repeat", repeat_masks),
                          ("_new", [~np.asarray(m, dtype=bool) for m in repeat_masks])):
        per_user = per_user_basket_metrics(ranks, ks, masks)
        for name, values in per_user.items():
            out[name + suffix] = float(np.nanmean(values)) if np.isfinite(values).any() else None
        if suffix:
            out["users" + suffix] = int(np.isfinite(next(iter(per_user.values()))).sum())
    out["n_users"] = len(ranks)
    return out
