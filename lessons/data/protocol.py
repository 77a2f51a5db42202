"""The RecBole ``ml-1m_seq`` filtering protocol: ratings >= 3, then the 10-core of users and items.

The case study uses MovieLens exactly the way RecBole's sequential leaderboard does (config ``ml-1m_seq``): keep
ratings of 3 and above, then keep only users and items with at least 10 interactions (repeated until it holds for
both). The split that follows is in :mod:`lessons.data.split`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lessons.data.movielens import check_frame

PROTOCOLS: tuple[str, ...] = ("recbole", "raw")

__all__ = ["PROTOCOLS", "k_core", "apply_recbole_protocol", "apply_protocol"]


def k_core(df: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """Repeatedly drop interactions of users and items with fewer than ``k`` interactions until every
    remaining user and item has at least ``k``. The result (the bipartite k-core) does not depend on the
    order in which users and items are dropped. Row order is preserved.
    """
    check_frame(df)
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive int, got {k!r}")
    u = pd.factorize(df["user"])[0]
    i = pd.factorize(df["item"])[0]
    keep = np.ones(len(df), dtype=bool)
    while True:
        ucount = np.bincount(u[keep], minlength=u.max() + 1 if len(u) else 0)
        icount = np.bincount(i[keep], minlength=i.max() + 1 if len(i) else 0)
        ok = keep & (ucount[u] >= k) & (icount[i] >= k)
        if ok.sum() == keep.sum():
            break
        keep = ok
    return df.loc[keep].reset_index(drop=True)


def apply_recbole_protocol(df: pd.DataFrame, min_rating: float = 3.0, k_core: int = 10) -> pd.DataFrame:
    """RecBole's ``ml-1m_seq`` filtering: keep ratings ``>= min_rating``, then the ``k_core``-core of users
    and items (every remaining user and item has at least ``k_core`` interactions). Row order is preserved.
    """
    check_frame(df)
    kept = df.loc[df["rating"].to_numpy() >= min_rating].reset_index(drop=True)
    return _k_core(kept, k_core)


_k_core = k_core  # the parameter name of apply_recbole_protocol shadows the function inside it


def apply_protocol(df: pd.DataFrame, protocol: str) -> pd.DataFrame:
    """Filter ``df`` with a named protocol: 'recbole' (ratings >= 3, 10-core) or 'raw' (everything)."""
    if protocol == "recbole":
        return apply_recbole_protocol(df)
    if protocol == "raw":
        check_frame(df)
        return df.reset_index(drop=True)
    raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")

