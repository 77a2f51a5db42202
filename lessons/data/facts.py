"""The numbers the data chapter quotes: sizes after each protocol, how bursty rating is, what the split does.

Every function reads a ratings frame (as :func:`lessons.data.movielens.load_movielens` returns it) or a
:class:`lessons.data.split.SequentialSplit` and returns plain numbers or a small table;
:func:`key_numbers` gathers everything ``notebooks/data_movielens.ipynb`` glues into its prose.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lessons.data.movielens import check_frame
from lessons.data.protocol import apply_recbole_protocol
from lessons.data.split import SequentialSplit, load_split

__all__ = ["frame_stats", "protocol_stats", "user_time_summary", "consecutive_gaps", "time_facts",
           "protocol_table", "split_time_facts", "user_tail_table", "random_split_future_share",
           "key_numbers", "RECBOLE_ML1M_LEADERBOARD", "leaderboard_table"]

RECBOLE_ML1M_LEADERBOARD: dict[str, float] = {"users": 6040, "items": 3124, "interactions": 834449,
                                              "sparsity": 0.9557}
"""ML-1M as printed in RecBole's v1.1.1 leaderboard for ``ml-1m_seq`` (file
``asset/hyper_tune_configs/sequential/ml-1m_seq.md`` of the RUCAIBox/RecBole repository)."""



def frame_stats(df: pd.DataFrame) -> dict[str, int | float]:
    """``{"users", "items", "interactions", "density"}`` of a ratings frame."""
    check_frame(df)
    users, items = int(df["user"].nunique()), int(df["item"].nunique())
    n = len(df)
    return {"users": users, "items": items, "interactions": n,
            "density": n / (users * items) if users and items else 0.0}


def protocol_stats(name: str, protocol: str = "recbole") -> dict[str, int]:
    """``{"users": .., "items": .., "interactions": ..}`` of MovieLens ``name`` after ``protocol``."""
    split = load_split(name, protocol)
    return {"users": split.n_users, "items": split.n_items, "interactions": split.n_interactions}


def leaderboard_table(ours: dict[str, int], printed: dict[str, float] = RECBOLE_ML1M_LEADERBOARD) -> pd.DataFrame:
    """Where the leaderboard's sparsity comes from: three rows of ``users, items, interactions`` and the sparsity
    ``1 - interactions / (users x items)`` they imply (5 decimals), all with this book's interaction count: the
    users and items as ``printed``, as counted here (``ours``, e.g. :func:`protocol_stats`), and as counted here
    plus one padding id each (RecBole reserves id 0 in both tables)."""
    missing = {"users", "items", "interactions"} - set(ours)
    if missing:
        raise ValueError(f"ours: expected the keys users, items, interactions, got {sorted(ours)}")
    n = ours["interactions"]
    counts = {"leaderboard as printed": (printed["users"], printed["items"]),
              "this book": (ours["users"], ours["items"]),
              "this book + RecBole's padding id": (ours["users"] + 1, ours["items"] + 1)}
    sparsity = "sparsity = 1 - interactions / (users x items)"
    rows = {name: {"users": u, "items": i, "interactions": n, sparsity: round(1 - n / (u * i), 5)}
            for name, (u, i) in counts.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------------------- time summaries
def user_time_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per user: number of events, first and last timestamp, span in days, and the share of the user's
    events that fall within 24 hours of their first one. One row per user, in the frame's user order."""
    check_frame(df)
    t = df["timestamp"].to_numpy(dtype=np.int64)
    g = pd.DataFrame({"user": df["user"].to_numpy(), "t": t}).groupby("user", sort=False)["t"]
    first = g.transform("min").to_numpy()
    out = pd.DataFrame({
        "events": g.size(),
        "first": g.min(),
        "last": g.max(),
        "first_day_share": pd.Series(t - first <= 86_400, index=df.index).groupby(
            df["user"].to_numpy(), sort=False).mean(),
    })
    out["span_days"] = (out["last"] - out["first"]) / 86_400.0
    return out


def consecutive_gaps(df: pd.DataFrame) -> np.ndarray:
    """Seconds between consecutive events of the same user, (n_events - n_users,) int64, in frame order.
    ``df`` must be sorted by (user, timestamp)."""
    check_frame(df)
    u = pd.factorize(df["user"])[0]
    t = df["timestamp"].to_numpy(dtype=np.int64)
    same = u[1:] == u[:-1]
    gaps = (t[1:] - t[:-1])[same]
    if np.any(gaps < 0):
        raise ValueError("df must be sorted by timestamp inside each user")
    return gaps


def time_facts(df: pd.DataFrame) -> dict[str, float]:
    """Numbers the data chapter quotes about time: how bursty rating is and how long histories span."""
    users = user_time_summary(df)
    gaps = consecutive_gaps(df)
    return {
        "users": len(users),
        "median_span_days": float(users["span_days"].median()),
        "share_users_span_le_1d": float((users["span_days"] <= 1).mean()),
        "share_users_span_ge_365d": float((users["span_days"] >= 365).mean()),
        "share_events_first_day": float(users["first_day_share"].mul(users["events"]).sum()
                                        / users["events"].sum()),
        "share_gaps_zero": float((gaps == 0).mean()),
        "share_gaps_le_1min": float((gaps <= 60).mean()),
        "share_gaps_le_1h": float((gaps <= 3600).mean()),
        "share_gaps_ge_1d": float((gaps >= 86_400).mean()),
        "first_date": str(pd.to_datetime(df["timestamp"].min(), unit="s").date()),
        "last_date": str(pd.to_datetime(df["timestamp"].max(), unit="s").date()),
    }


def protocol_table(frames: dict[str, pd.DataFrame], max_len: int = 50) -> pd.DataFrame:
    """One row per ``(dataset, protocol)`` frame in ``frames`` (keys like ``"ml-1m / raw"``): users, items,
    interactions, density, share of ratings >= 3, median events per user, and the share of users with more
    than ``max_len`` events (whose oldest events a ``max_len`` model never reads)."""
    rows = []
    for label, df in frames.items():
        stats = frame_stats(df)
        per_user = df.groupby("user", sort=False).size()
        rows.append({"data": label, **stats,
                     "share_rating_ge_3": float((df["rating"] >= 3).mean()),
                     "median_events_per_user": float(per_user.median()),
                     f"share_users_over_{max_len}": float((per_user > max_len).mean())})
    return pd.DataFrame(rows).set_index("data")


def split_time_facts(split: SequentialSplit) -> dict[str, float]:
    """How often the held-out events share a timestamp with the event before them (then their order
    is the file's, not the user's), the hours between the last history event and the target, and how much
    training data lies after a user's test event on the global clock."""
    last_train = np.array([t[-1] for t in split.train_times], dtype=np.int64)
    test_gap_h = (split.test_time - split.valid_time) / 3600.0
    all_train = np.sort(np.concatenate(split.train_times))
    later = len(all_train) - np.searchsorted(all_train, split.test_time, side="right")
    return {
        # leave-one-out ignores the global clock: training events of other users may come after a test event
        "mean_share_train_after_test": float((later / len(all_train)).mean()),
        "share_users_with_train_after_test": float((later > 0).mean()),
        "share_test_same_second_as_valid": float((split.test_time == split.valid_time).mean()),
        "share_valid_same_second_as_last_train": float((split.valid_time == last_train).mean()),
        "median_hours_valid_to_test": float(np.median(test_gap_h)),
        "share_test_within_1h_of_valid": float((test_gap_h <= 1).mean()),
        "share_test_over_30d_after_valid": float((test_gap_h >= 24 * 30).mean()),
    }


def user_tail_table(split: SequentialSplit, user: int, n: int = 5) -> pd.DataFrame:
    """The last ``n`` training events of ``user`` followed by their validation and test events, with
    labels and UTC times: what the leave-one-out split does to one user."""
    if not 0 <= user < split.n_users:
        raise ValueError(f"user must be in 0..{split.n_users - 1}, got {user!r}")
    items = list(split.train[user][-n:]) + [split.valid_item[user], split.test_item[user]]
    times = list(split.train_times[user][-n:]) + [split.valid_time[user], split.test_time[user]]
    roles = ["train"] * (len(items) - 2) + ["validation", "test"]
    return pd.DataFrame({
        "role": roles,
        "item id": np.asarray(items, dtype=np.int64),
        "item": split.item_labels[np.asarray(items, dtype=np.int64)],
        "time (UTC)": pd.to_datetime(np.asarray(times, dtype=np.int64), unit="s"),
    })


def random_split_future_share(df: pd.DataFrame, test_share: float = 0.2, seed: int = 0) -> dict[str, float]:
    """Split ``df`` at random into train/test (the source article's 80/20 split) and measure how much of the
    future leaks into training: the share of test events whose user has a *later* training event, and the
    share of training events that come after some test event of the same user."""
    check_frame(df)
    if not 0.0 < test_share < 1.0:
        raise ValueError(f"test_share must be in (0, 1), got {test_share!r}")
    rng = np.random.default_rng(seed)
    is_test = rng.random(len(df)) < test_share
    u = pd.factorize(df["user"])[0]
    t = df["timestamp"].to_numpy(dtype=np.int64)
    n_users = int(u.max()) + 1
    last_train = np.full(n_users, np.iinfo(np.int64).min)
    np.maximum.at(last_train, u[~is_test], t[~is_test])
    first_test = np.full(n_users, np.iinfo(np.int64).max)
    np.minimum.at(first_test, u[is_test], t[is_test])
    return {"share_test_with_later_train": float((t[is_test] < last_train[u[is_test]]).mean()),
            "share_train_after_a_test": float((t[~is_test] > first_test[u[~is_test]]).mean())}


def _late_events(df: pd.DataFrame, days: int = 7) -> pd.Series:
    """Per user, how many events come more than ``days`` days after the user's first one."""
    t = df["timestamp"]
    late = t - t.groupby(df["user"]).transform("min") > days * 86_400
    return late.groupby(df["user"]).sum()


def key_numbers(frames: dict[str, pd.DataFrame], split: SequentialSplit) -> dict[str, Any]:
    """Every number the data chapter glues into its prose, by glue name (``data_*``).

    frames: ``{"ml-100k / raw": .., "ml-100k / recbole": .., "ml-1m / raw": .., "ml-1m / recbole": ..}``
    (MovieLens as loaded, and after :func:`apply_recbole_protocol`); split: the ML-1M RecBole split. Sizes per frame
    (``data_<ml1m|ml100k>_<raw|recbole>_<column>``), the time facts of both filtered data sets
    (``data_<ml1m|ml100k>_<fact>``), the split's facts (``data_split_<fact>``) and the exercise answers
    (``data_ex_*``).
    """
    out: dict[str, Any] = {}
    columns = {"density": "density", "ge3": "share_rating_ge_3", "over50": "share_users_over_50",
               "median_len": "median_events_per_user"}
    for key, row in protocol_table(frames).iterrows():
        tag = key.replace("-", "").replace(" / ", "_")  # e.g. ml1m_recbole
        out.update({f"data_{tag}_{col}": int(row[col]) for col in ("users", "items", "interactions")})
        out.update({f"data_{tag}_{name}": float(row[col]) for name, col in columns.items()})
    ml1m, filtered = frames["ml-1m / raw"], frames["ml-1m / recbole"]
    out["data_ml1m_min_events"] = int(ml1m.groupby("user").size().min())
    first_by_user = pd.to_datetime(ml1m.groupby("user")["timestamp"].min(), unit="s")
    out["data_ml1m_share_joined_2000"] = float((first_by_user.dt.year == 2000).mean())
    out["data_ml1m_share_ratings_2000"] = float((pd.to_datetime(ml1m["timestamp"], unit="s").dt.year == 2000).mean())
    for tag, name in (("ml1m", "ml-1m"), ("ml100k", "ml-100k")):
        facts = time_facts(frames[f"{name} / recbole"])
        out.update({f"data_{tag}_{k}": v for k, v in facts.items() if k != "users"})
        out[f"data_{tag}_median_span_hours"] = facts["median_span_days"] * 24
    split_facts = split_time_facts(split)
    out.update({f"data_split_{k}": v for k, v in split_facts.items()})
    out["data_split_median_seconds_valid_to_test"] = split_facts["median_hours_valid_to_test"] * 3600
    for k in (5, 20):  # exercise answers
        stats = frame_stats(apply_recbole_protocol(ml1m, k_core=k))
        out.update({f"data_ex_k{k}_{col}": int(stats[col]) for col in ("users", "items", "interactions")})
    leak = random_split_future_share(filtered, test_share=0.2, seed=0)
    out["data_ex_random_test_with_later_train"] = leak["share_test_with_later_train"]
    out["data_ex_random_train_after_test"] = leak["share_train_after_a_test"]
    late = _late_events(filtered)
    out["data_ex_share_users_50_late"] = float((late >= 50).mean())
    out["data_ex_share_users_any_late"] = float((late >= 1).mean())
    return out
