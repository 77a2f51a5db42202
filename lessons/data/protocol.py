"""The RecBole ``ml-1m_seq`` filtering protocol: ratings >= 3, then the 10-core of users and items.

The case study uses MovieLens exactly the way RecBole's sequential leaderboard does (config ``ml-1m_seq``): keep
ratings of 3 and above, then keep only users and items with at least 10 interactions (repeated until it holds for
both). The split that follows is in :mod:`lessons.data.split`.

``recbole-later`` is the strictly-later variant: after the same filtering, the events that share the second of a
user's test rating (other than the test rating itself) are dropped, then likewise for the validation rating, so
each held-out rating is strictly later than everything a model reads before it (:func:`drop_same_second_targets`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lessons.data.movielens import check_frame

PROTOCOLS: tuple[str, ...] = ("recbole", "raw", "recbole-later")

__all__ = ["PROTOCOLS", "k_core", "apply_recbole_protocol", "drop_same_second_targets", "apply_protocol"]


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


def _ties_of_last(users: np.ndarray, times: np.ndarray, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Among the ``alive`` rows (``(n,)`` bool; rows grouped by user), those with the timestamp of their user's last
    alive row other than that row (``(n,)`` bool), and the index of each user's last alive row."""
    idx = np.flatnonzero(alive)
    u = users[idx]
    last = np.r_[u[1:] != u[:-1], True] if len(idx) else np.zeros(0, bool)
    end = idx[last][np.cumsum(np.r_[0, last[:-1]])] if len(idx) else idx  # each alive row's user's last row
    tie = np.zeros(len(users), dtype=bool)
    tie[idx] = (times[idx] == times[end]) & (idx != end)
    return tie, idx[last]


def drop_same_second_targets(df: pd.DataFrame, min_events: int = 3) -> pd.DataFrame:
    """The strictly-later variant of a leave-one-out split: for each user, drop the events that carry the same
    timestamp as the user's last event (the test target) except that event, then the same for the new
    second-to-last event (the validation target). Afterwards both targets are strictly later than every event
    before them: the order of ratings given within one second, which the data cannot tell, no longer decides
    what a model reads. Users left with fewer than ``min_events`` events are dropped. ``df`` grouped by user and
    sorted by timestamp inside each user (as the loaders return it); row order is preserved.
    """
    check_frame(df)
    if not isinstance(min_events, (int, np.integer)) or min_events < 3:
        raise ValueError(f"min_events must be an int >= 3 (leave-one-out needs 3 events), got {min_events!r}")
    users = pd.factorize(df["user"])[0]
    times = df["timestamp"].to_numpy()
    tie_test, test_rows = _ties_of_last(users, times, np.ones(len(df), dtype=bool))
    alive = ~tie_test
    before_test = alive.copy()
    before_test[test_rows] = False
    tie_valid, _ = _ties_of_last(users, times, before_test)
    keep = alive & ~tie_valid
    counts = np.bincount(users[keep], minlength=users.max() + 1 if len(users) else 0)
    keep &= counts[users] >= min_events
    return df.loc[keep].reset_index(drop=True)


def apply_protocol(df: pd.DataFrame, protocol: str) -> pd.DataFrame:
    """Filter ``df`` with a named protocol: 'recbole' (ratings >= 3, 10-core), 'raw' (everything) or
    'recbole-later' (the 'recbole' filtering, then :func:`drop_same_second_targets`)."""
    if protocol == "recbole":
        return apply_recbole_protocol(df)
    if protocol == "recbole-later":
        return drop_same_second_targets(apply_recbole_protocol(df))
    if protocol == "raw":
        check_frame(df)
        return df.reset_index(drop=True)
    raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")

