"""MovieLens loaders, the RecBole ``ml-1m_seq`` protocol and cached chronological leave-one-out splits.

The case study uses MovieLens (Harper & Konstan, 2015) exactly the way RecBole's sequential leaderboard does
(config ``ml-1m_seq``): keep ratings of 3 and above, then keep only users and items with at least 10
interactions (repeated until it holds for both), order each user's ratings by time, hold out the last one
for testing and the second-last for validation, and rank *all* items for each user without masking the
items the user has already rated. Models read at most the 50 most recent items (``max_len=50``).

Command line::

    python -m lessons.data stats ml-1m --protocol recbole   # {"users": .., "items": .., "interactions": ..}
    python -m lessons.data stats ml-1m --protocol raw

Data come from :mod:`lessons.fetch` (``make data``); nothing here touches the network.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lessons.fetch import FETCH_COMMAND, WHEELS, wheel_path
from lessons.paths import CACHE_DIR

DATASETS: tuple[str, ...] = ("ml-100k", "ml-1m")
PROTOCOLS: tuple[str, ...] = ("recbole", "raw")
STAGES: tuple[str, ...] = ("valid", "test")
#: Bump whenever the loader, the protocol or the split changes: it is part of every cache key.
SPLIT_VERSION = 1
COLUMNS = ("user", "item", "rating", "timestamp")


# ----------------------------------------------------------------------------------------------- loading
def _natural_key(labels: pd.Index | np.ndarray) -> np.ndarray:
    """Order of string labels with digit runs compared as numbers ('2' < '10', '1m_2' < '1m_10').

    Returns an int64 array ``rank`` such that ``rank[i]`` is the position of ``labels[i]`` in natural order.
    """
    labels = np.asarray(labels, dtype=object)

    def key(s: str) -> tuple:
        return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", s) if p)

    order = sorted(range(len(labels)), key=lambda i: key(labels[i]))
    rank = np.empty(len(labels), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(labels), dtype=np.int64)
    return rank


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    """Give the four columns their dtypes and sort by (user in natural order, timestamp), stably.

    The stable sort keeps the file order among ratings a user gave within the same second, which is
    very common in MovieLens.
    """
    out = pd.DataFrame({
        "user": df["user"].astype(str).to_numpy(dtype=object),
        "item": df["item"].astype(str).to_numpy(dtype=object),
        "rating": df["rating"].to_numpy(dtype=np.float64),
        "timestamp": df["timestamp"].to_numpy(dtype=np.float64).astype(np.int64),
    })
    if out["rating"].isna().any() or out["user"].isna().any():
        raise ValueError("ratings file has missing values")
    codes, uniques = pd.factorize(out["user"], sort=False)
    user_rank = _natural_key(uniques)[codes]
    order = np.lexsort((out["timestamp"].to_numpy(), user_rank))  # last key is primary; lexsort is stable
    return out.iloc[order].reset_index(drop=True)


def _read_inter(raw: bytes) -> pd.DataFrame:
    """Parse a RecBole atomic ``.inter`` file (header ``user_id:token\\titem_id:token\\t...``)."""
    df = pd.read_csv(io.BytesIO(raw), sep="\t", header=0, quoting=3, dtype={0: str, 1: str},
                     keep_default_na=False, na_values={2: [""], 3: [""]}, engine="c")
    names = [c.split(":")[0] for c in df.columns]
    df.columns = names
    missing = {"user_id", "item_id", "rating", "timestamp"} - set(names)
    if missing:
        raise ValueError(f"atomic file lacks columns {sorted(missing)}; has {names}")
    df = df.rename(columns={"user_id": "user", "item_id": "item"})
    return df


def load_movielens(name: str) -> pd.DataFrame:
    """All ratings of MovieLens ``name`` ('ml-100k' or 'ml-1m'), read straight out of the fetched wheel.

    Returns a DataFrame with columns ``user`` (str), ``item`` (str), ``rating`` (float64) and ``timestamp``
    (int64, unix seconds), sorted by user (natural order) and then by time with a *stable* sort, so ratings
    given in the same second keep their order in the file. In ``ml-1m`` the user ids read ``1m_<id>`` and the
    item ids are movie titles (with the year); they are kept as labels. The files keep the row order of
    GroupLens's ``u.data`` / ``ratings.dat``, so the stable sort breaks ties in the original file order.

    Raises ``ValueError`` for an unknown name and ``FileNotFoundError`` (naming ``make data``) when the data
    have not been fetched.
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {DATASETS}, got {name!r}")
    path = wheel_path(name)
    with zipfile.ZipFile(path) as zf:
        raw = zf.read(WHEELS[name].member)
    return _finish(_read_inter(raw))


def load_grouplens_archive(path: str | Path) -> pd.DataFrame:
    """Ratings from an official GroupLens zip (``ml-100k.zip`` or ``ml-1m.zip``), same output as
    :func:`load_movielens`.

    ``ml-100k.zip`` holds ``ml-100k/u.data`` (tab-separated ``user item rating timestamp``); ``ml-1m.zip``
    holds ``ml-1m/ratings.dat`` (``user::item::rating::timestamp``). Item ids stay the numeric movie ids.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no GroupLens archive at {path}")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        u_data = [n for n in names if n.rsplit("/", 1)[-1] == "u.data"]
        ratings = [n for n in names if n.rsplit("/", 1)[-1] == "ratings.dat"]
        if u_data:
            raw, sep = zf.read(u_data[0]), "\t"
        elif ratings:
            raw, sep = zf.read(ratings[0]), "::"
        else:
            raise ValueError(f"path must be a GroupLens archive holding u.data or ratings.dat; {path} holds "
                             f"{names[:5]}{'...' if len(names) > 5 else ''}")
    text = raw.decode("latin-1").replace("\r\n", "\n")
    rows = [line.split(sep) for line in text.split("\n") if line.strip()]
    bad = [r for r in rows if len(r) != 4]
    if bad:
        raise ValueError(f"expected 4 fields per line separated by {sep!r}, got {bad[0]!r}")
    arr = np.array(rows, dtype=object)
    df = pd.DataFrame({"user": arr[:, 0], "item": arr[:, 1], "rating": arr[:, 2].astype(np.float64),
                       "timestamp": arr[:, 3].astype(np.int64)})
    return _finish(df)


# ---------------------------------------------------------------------------------------------- protocol
def _check_frame(df: pd.DataFrame, argname: str = "df") -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{argname} must be a pandas DataFrame, got {type(df).__name__}")
    missing = set(COLUMNS) - set(df.columns)
    if missing:
        raise ValueError(f"{argname} must have columns {list(COLUMNS)}; missing {sorted(missing)}")


def k_core(df: pd.DataFrame, k: int = 10) -> pd.DataFrame:
    """Repeatedly drop interactions of users and items with fewer than ``k`` interactions until every
    remaining user and item has at least ``k``. The result (the bipartite k-core) does not depend on the
    order in which users and items are dropped. Row order is preserved.
    """
    _check_frame(df)
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
    _check_frame(df)
    kept = df.loc[df["rating"].to_numpy() >= min_rating].reset_index(drop=True)
    return _k_core(kept, k_core)


_k_core = k_core  # the parameter name of apply_recbole_protocol shadows the function inside it


def apply_protocol(df: pd.DataFrame, protocol: str) -> pd.DataFrame:
    """Filter ``df`` with a named protocol: 'recbole' (ratings >= 3, 10-core) or 'raw' (everything)."""
    if protocol == "recbole":
        return apply_recbole_protocol(df)
    if protocol == "raw":
        _check_frame(df)
        return df.reset_index(drop=True)
    raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")


# ------------------------------------------------------------------------------------------------ splits
def _ragged(flat: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(flat[offsets[u]:offsets[u + 1]] for u in range(len(offsets) - 1))


@dataclass(frozen=True)
class SequentialSplit:
    """A chronological leave-one-out split: per user, last item = test, second-last = validation, the rest
    (at least one event) = training. Users are ``0..n_users-1``, items ``0..n_items-1``.

    Attributes
    ----------
    train, train_times: per user an int64 array of item ids (chronological) and matching unix timestamps.
    valid_item, test_item, valid_time, test_time: (n_users,) int64.
    user_labels: (n_users,) original user ids; item_labels: (n_items,) original item ids (titles for ml-1m).
    max_len: how many of the most recent items a model reads (RecBole's MAX_ITEM_LIST_LENGTH).
    """

    dataset: str
    protocol: str
    n_users: int
    n_items: int
    train: tuple[np.ndarray, ...]
    train_times: tuple[np.ndarray, ...]
    valid_item: np.ndarray
    test_item: np.ndarray
    valid_time: np.ndarray
    test_time: np.ndarray
    user_labels: np.ndarray
    item_labels: np.ndarray
    max_len: int = 50
    _seen_cache: dict = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        n_users, n_items = self.n_users, self.n_items
        if len(self.train) != n_users or len(self.train_times) != n_users:
            raise ValueError(f"train and train_times must hold one array per user ({n_users}), got "
                             f"{len(self.train)} and {len(self.train_times)}")
        for name in ("valid_item", "test_item", "valid_time", "test_time", "user_labels"):
            shape = np.shape(getattr(self, name))
            if shape != (n_users,):
                raise ValueError(f"{name} must have shape ({n_users},), got {shape}")
        if np.shape(self.item_labels) != (n_items,):
            raise ValueError(f"item_labels must have shape ({n_items},), got {np.shape(self.item_labels)}")
        if any(len(a) != len(t) for a, t in zip(self.train, self.train_times, strict=True)):
            raise ValueError("train and train_times must have equal lengths for every user")
        ids = np.concatenate([np.concatenate(self.train) if n_users else np.zeros(0, np.int64),
                              self.valid_item, self.test_item]) if n_users else np.zeros(0, np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= n_items):
            raise ValueError(f"item ids must lie in 0..{n_items - 1}, got range {ids.min()}..{ids.max()}")

    def _check_stage(self, stage: str) -> None:
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")

    def history(self, stage: str) -> list[np.ndarray]:
        """Full chronological item histories (int64) available when predicting ``stage``.

        'valid': the training sequences; 'test': the training sequences followed by the validation item.
        Models truncate to ``max_len`` themselves.
        """
        self._check_stage(stage)
        if stage == "valid":
            return list(self.train)
        return [np.append(seq, np.int64(v)) for seq, v in zip(self.train, self.valid_item, strict=True)]

    def history_times(self, stage: str) -> list[np.ndarray]:
        """Unix timestamps matching :meth:`history`."""
        self._check_stage(stage)
        if stage == "valid":
            return list(self.train_times)
        return [np.append(t, np.int64(v)) for t, v in zip(self.train_times, self.valid_time, strict=True)]

    def targets(self, stage: str) -> np.ndarray:
        """(n_users,) int64 item each user must be scored on: ``valid_item`` or ``test_item``."""
        self._check_stage(stage)
        return self.valid_item if stage == "valid" else self.test_item

    def target_times(self, stage: str) -> np.ndarray:
        """(n_users,) int64 timestamps of :meth:`targets`."""
        self._check_stage(stage)
        return self.valid_time if stage == "valid" else self.test_time

    def seen(self, stage: str) -> tuple[np.ndarray, np.ndarray]:
        """Unique (user, item) pairs in the ``stage`` history, as two int64 arrays usable as an index:
        ``scores[split.seen('test')] = -np.inf`` masks them. The book's protocol does NOT mask."""
        self._check_stage(stage)
        if stage not in self._seen_cache:
            hist = self.history(stage)
            users = np.repeat(np.arange(self.n_users, dtype=np.int64), [len(h) for h in hist])
            items = np.concatenate(hist) if hist else np.zeros(0, np.int64)
            pairs = np.unique(users * self.n_items + items)
            self._seen_cache[stage] = (pairs // self.n_items, pairs % self.n_items)
        return self._seen_cache[stage]

    def padded(self, stage: str, max_len: int | None = None, pad: int = -1) -> np.ndarray:
        """(n_users, L) int64 matrix of the last ``L = max_len`` (default ``self.max_len``) history items,
        right-aligned (the most recent item in the last column) and left-padded with ``pad``."""
        length = self.max_len if max_len is None else max_len
        if not isinstance(length, (int, np.integer)) or length < 1:
            raise ValueError(f"max_len must be a positive int, got {max_len!r}")
        out = np.full((self.n_users, length), pad, dtype=np.int64)
        for u, seq in enumerate(self.history(stage)):
            tail = seq[-length:]
            out[u, length - len(tail):] = tail
        return out

    def train_interactions(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All training events as flat int64 arrays ``(users, items, times)``, user-major, chronological."""
        lens = [len(s) for s in self.train]
        users = np.repeat(np.arange(self.n_users, dtype=np.int64), lens)
        items = np.concatenate(self.train) if self.train else np.zeros(0, np.int64)
        times = np.concatenate(self.train_times) if self.train else np.zeros(0, np.int64)
        return users, items, times

    @property
    def n_interactions(self) -> int:
        """Training events plus the two held-out events per user."""
        return int(sum(len(s) for s in self.train) + 2 * self.n_users)


def build_split(df: pd.DataFrame, dataset: str = "custom", protocol: str = "custom",
                max_len: int = 50) -> SequentialSplit:
    """Chronological leave-one-out split of an already filtered frame (see :func:`load_movielens`).

    ``df`` must be sorted by (user, timestamp) as the loaders return it; its row order inside a user is
    the chronological order (ties keep file order). Users get ids in order of appearance, items in natural
    order of their labels. Every user needs at least 3 events (raises ``ValueError`` otherwise).
    """
    _check_frame(df)
    if len(df) == 0:
        raise ValueError("df must not be empty")
    ucodes, ulabels = pd.factorize(df["user"], sort=False)
    if np.any(np.diff(ucodes) < 0):  # codes follow first appearance, so grouped users never go back
        raise ValueError("df must be grouped by user (as load_movielens returns it)")
    times = df["timestamp"].to_numpy(dtype=np.int64)
    same_user = ucodes[1:] == ucodes[:-1]
    if np.any(same_user & (times[1:] < times[:-1])):
        raise ValueError("df must be sorted by timestamp inside each user")
    icodes, ilabels = pd.factorize(df["item"], sort=False)
    rank = _natural_key(ilabels)            # natural order of item labels -> item id
    items = rank[icodes].astype(np.int64)
    item_labels = np.empty(len(ilabels), dtype=object)
    item_labels[rank] = np.asarray(ilabels, dtype=object)
    counts = np.bincount(ucodes)
    if counts.min() < 3:
        raise ValueError(f"every user needs at least 3 events for leave-one-out; user "
                         f"{ulabels[int(np.argmin(counts))]!r} has {counts.min()}")
    ends = np.cumsum(counts)
    starts = ends - counts
    train = tuple(items[s:e - 2] for s, e in zip(starts, ends, strict=True))
    train_times = tuple(times[s:e - 2] for s, e in zip(starts, ends, strict=True))
    return SequentialSplit(
        dataset=dataset, protocol=protocol, n_users=len(ulabels), n_items=len(ilabels),
        train=train, train_times=train_times,
        valid_item=items[ends - 2], test_item=items[ends - 1],
        valid_time=times[ends - 2], test_time=times[ends - 1],
        user_labels=np.asarray(ulabels, dtype=str), item_labels=item_labels.astype(str), max_len=max_len,
    )


def make_toy_split(n_users: int = 50, n_items: int = 30, seed: int = 0, min_len: int = 5,
                   max_len_events: int = 25) -> SequentialSplit:
    """A small synthetic split for tests and fast notebook runs.

    Each user has a favourite block of items and mostly walks through it in order (item ``j`` is often
    followed by ``j + 1``), so both popularity and sequence models can learn something. Lengths are uniform
    in ``[min_len, max_len_events]``; timestamps grow by one hour per event from a per-user start.
    """
    for name, v, lo in (("n_users", n_users, 1), ("n_items", n_items, 3), ("min_len", min_len, 3)):
        if not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{name} must be an int >= {lo}, got {v!r}")
    if max_len_events < min_len:
        raise ValueError(f"max_len_events must be >= min_len={min_len}, got {max_len_events}")
    rng = np.random.default_rng(seed)
    users, items, times = [], [], []
    for u in range(n_users):
        length = int(rng.integers(min_len, max_len_events + 1))
        j = int(rng.integers(n_items))
        t0 = 1_000_000_000 + int(rng.integers(0, 10_000_000))
        for step in range(length):
            users.append(f"u{u}")
            items.append(f"i{j}")
            times.append(t0 + 3600 * step)
            j = (j + 1) % n_items if rng.random() < 0.7 else int(rng.integers(n_items))
    df = pd.DataFrame({"user": users, "item": items, "rating": np.full(len(users), 4.0),
                       "timestamp": np.asarray(times, dtype=np.int64)})
    split = build_split(df, dataset="toy", protocol=f"toy-seed{seed}")
    if split.n_items < n_items:  # some items never drawn: keep ids 0..n_items-1 meaningful anyway
        labels = np.array([f"i{j}" for j in range(n_items)])
        remap = {lab: k for k, lab in enumerate(labels)}
        old = np.array([remap[lab] for lab in split.item_labels], dtype=np.int64)
        split = SequentialSplit(
            dataset=split.dataset, protocol=split.protocol, n_users=split.n_users, n_items=n_items,
            train=tuple(old[s] for s in split.train), train_times=split.train_times,
            valid_item=old[split.valid_item], test_item=old[split.test_item],
            valid_time=split.valid_time, test_time=split.test_time,
            user_labels=split.user_labels, item_labels=labels, max_len=split.max_len,
        )
    return split


# ------------------------------------------------------------------------------------------------- cache
def _cache_path(name: str, protocol: str) -> Path:
    source = WHEELS[name].sha256[:12]
    key = hashlib.sha256(f"{name}|{protocol}|v{SPLIT_VERSION}|{source}".encode()).hexdigest()[:10]
    return CACHE_DIR / f"split-{name}-{protocol}-v{SPLIT_VERSION}-{key}.npz"


def _save_split(split: SequentialSplit, path: Path) -> None:
    lens = np.array([len(s) for s in split.train], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")  # concurrent builders never collide
    np.savez(tmp, train=np.concatenate(split.train), train_times=np.concatenate(split.train_times),
             offsets=offsets, valid_item=split.valid_item, test_item=split.test_item,
             valid_time=split.valid_time, test_time=split.test_time,
             user_labels=split.user_labels.astype(str), item_labels=split.item_labels.astype(str),
             meta=np.array([split.dataset, split.protocol, str(split.n_users), str(split.n_items),
                            str(split.max_len)]))
    tmp.replace(path)


def _read_split(path: Path) -> SequentialSplit:
    with np.load(path, allow_pickle=False) as z:
        dataset, protocol, n_users, n_items, max_len = (str(x) for x in z["meta"])
        offsets = z["offsets"]
        return SequentialSplit(
            dataset=dataset, protocol=protocol, n_users=int(n_users), n_items=int(n_items),
            train=_ragged(z["train"], offsets), train_times=_ragged(z["train_times"], offsets),
            valid_item=z["valid_item"], test_item=z["test_item"],
            valid_time=z["valid_time"], test_time=z["test_time"],
            user_labels=z["user_labels"], item_labels=z["item_labels"], max_len=int(max_len),
        )


def load_split(name: str, protocol: str = "recbole") -> SequentialSplit:
    """The chronological leave-one-out split of MovieLens ``name`` under ``protocol`` ('recbole' or 'raw').

    Built once and cached in ``.data/cache/`` (npz, keyed by name, protocol, :data:`SPLIT_VERSION` and the
    wheel's hash), so every model in the book sees exactly the same split. Each call returns a fresh object.
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {DATASETS}, got {name!r}")
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    path = _cache_path(name, protocol)
    if path.exists():
        try:
            return _read_split(path)
        except (OSError, KeyError, ValueError):
            path.unlink(missing_ok=True)  # a broken cache file is rebuilt
    split = build_split(apply_protocol(load_movielens(name), protocol), dataset=name, protocol=protocol)
    _save_split(split, path)
    return split


def frame_stats(df: pd.DataFrame) -> dict[str, int | float]:
    """``{"users", "items", "interactions", "density"}`` of a ratings frame."""
    _check_frame(df)
    users, items = int(df["user"].nunique()), int(df["item"].nunique())
    n = len(df)
    return {"users": users, "items": items, "interactions": n,
            "density": n / (users * items) if users and items else 0.0}


def protocol_stats(name: str, protocol: str = "recbole") -> dict[str, int]:
    """``{"users": .., "items": .., "interactions": ..}`` of MovieLens ``name`` after ``protocol``."""
    split = load_split(name, protocol)
    return {"users": split.n_users, "items": split.n_items, "interactions": split.n_interactions}


# --------------------------------------------------------------------------------------- time summaries
def user_time_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per user: number of events, first and last timestamp, span in days, and the share of the user's
    events that fall within 24 hours of their first one. One row per user, in the frame's user order."""
    _check_frame(df)
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
    _check_frame(df)
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
    _check_frame(df)
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


# --------------------------------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.data", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    stats = sub.add_parser("stats", help="print users/items/interactions after a protocol as JSON")
    stats.add_argument("name", choices=DATASETS)
    stats.add_argument("--protocol", choices=PROTOCOLS, default="recbole")
    args = parser.parse_args(argv)
    try:
        result = protocol_stats(args.name, args.protocol)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result))
    return 0


__all__ = [
    "DATASETS", "PROTOCOLS", "SPLIT_VERSION", "FETCH_COMMAND", "load_movielens", "load_grouplens_archive",
    "k_core", "apply_recbole_protocol", "apply_protocol", "SequentialSplit", "build_split", "make_toy_split",
    "load_split", "protocol_stats", "frame_stats", "user_time_summary", "consecutive_gaps", "time_facts",
    "protocol_table", "split_time_facts", "random_split_future_share",
    "user_tail_table",
]

if __name__ == "__main__":
    raise SystemExit(main())
