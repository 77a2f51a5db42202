"""Chronological leave-one-out splits of user histories, their cache, and a toy split for tests.

Per user, ordered by time: the last event is the test target, the second-last the validation target, the rest
(at least one event) the training sequence; every model ranks *all* items for each user without masking the items
the user has already rated, reading at most the ``max_len = 50`` most recent items (RecBole's
``MAX_ITEM_LIST_LENGTH``).

Conventions used across ``lessons/`` (write arrays this way everywhere):

* **time steps are 0-based** in code: ``history[0]`` is the oldest event; only axis labels and prose count 1..T;
* **padding is on the right**: a sequence of length ``L`` fills columns ``0..L-1`` of a padded row and the pad
  follows it, so position ``t`` of every row is the user's ``t``-th event. Padded arrays of raw item ids (or times)
  use :data:`PAD_ID` ``= -1``; the torch models of :mod:`lessons.casestudy` shift ids by one when they encode a
  batch (item ``i`` is stored as ``i + 1``) so that ``0`` can be ``nn.Embedding``'s ``padding_idx``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lessons.data.movielens import DATASETS, check_frame, load_movielens, natural_rank
from lessons.data.protocol import PROTOCOLS, apply_protocol
from lessons.data.wheels import WHEELS
from lessons.paths import CACHE_DIR

STAGES: tuple[str, ...] = ("valid", "test")
#: Bump whenever the loader, the protocol or the split changes: it is part of every cache key.
SPLIT_VERSION = 1
#: The pad value of right-padded arrays of raw item ids or times (see the module docstring).
PAD_ID = -1

__all__ = ["STAGES", "SPLIT_VERSION", "PAD_ID", "SequentialSplit", "build_split", "make_toy_split",
           "load_split", "check_stage", "save_split", "read_split", "source_tag"]


def check_stage(stage: str) -> str:
    """Raise ``ValueError`` unless ``stage`` is one of :data:`STAGES`; return it."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    return stage


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

    def history(self, stage: str) -> list[np.ndarray]:
        """Full chronological item histories (int64) available when predicting ``stage``.

        'valid': the training sequences; 'test': the training sequences followed by the validation item.
        Models truncate to ``max_len`` themselves.
        """
        check_stage(stage)
        if stage == "valid":
            return list(self.train)
        return [np.append(seq, np.int64(v)) for seq, v in zip(self.train, self.valid_item, strict=True)]

    def history_times(self, stage: str) -> list[np.ndarray]:
        """Unix timestamps matching :meth:`history`."""
        check_stage(stage)
        if stage == "valid":
            return list(self.train_times)
        return [np.append(t, np.int64(v)) for t, v in zip(self.train_times, self.valid_time, strict=True)]

    def targets(self, stage: str) -> np.ndarray:
        """(n_users,) int64 item each user must be scored on: ``valid_item`` or ``test_item``."""
        check_stage(stage)
        return self.valid_item if stage == "valid" else self.test_item

    def seen(self, stage: str) -> tuple[np.ndarray, np.ndarray]:
        """Unique (user, item) pairs in the ``stage`` history, as two int64 arrays usable as an index:
        ``scores[split.seen('test')] = -np.inf`` masks them. The book's protocol does NOT mask."""
        check_stage(stage)
        if stage not in self._seen_cache:
            hist = self.history(stage)
            users = np.repeat(np.arange(self.n_users, dtype=np.int64), [len(h) for h in hist])
            items = np.concatenate(hist) if hist else np.zeros(0, np.int64)
            pairs = np.unique(users * self.n_items + items)
            self._seen_cache[stage] = (pairs // self.n_items, pairs % self.n_items)
        return self._seen_cache[stage]

    def padded(self, stage: str, max_len: int | None = None) -> np.ndarray:
        """(n_users, L) int64 matrix of the last ``L = max_len`` (default ``self.max_len``) history items,
        right-padded with :data:`PAD_ID` (the oldest item read in column 0, see the module docstring)."""
        length = self.max_len if max_len is None else max_len
        if not isinstance(length, (int, np.integer)) or length < 1:
            raise ValueError(f"max_len must be a positive int, got {max_len!r}")
        out = np.full((self.n_users, length), PAD_ID, dtype=np.int64)
        for u, seq in enumerate(self.history(stage)):
            tail = seq[-length:]
            out[u, :len(tail)] = tail
        return out

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
    check_frame(df)
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
    rank = natural_rank(ilabels)            # natural order of item labels -> item id
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


def source_tag(name: str) -> str:
    """What a cached split of MovieLens ``name`` must have been built from: the split code's version and the
    sha256 of the wheel (``'v1:9c99...'``)."""
    return f"v{SPLIT_VERSION}:{WHEELS[name].sha256}"


def save_split(split: SequentialSplit, path: Path, source: str = "") -> None:
    """Write ``split`` to the npz file ``path`` atomically (a temporary file, then a rename).

    ``source`` (see :func:`source_tag`) records what the split was built from; :func:`load_split` compares it,
    and the split's dataset and protocol, before trusting the file.
    """
    lens = np.array([len(s) for s in split.train], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")  # concurrent builders never collide
    np.savez(tmp, train=np.concatenate(split.train), train_times=np.concatenate(split.train_times),
             offsets=offsets, valid_item=split.valid_item, test_item=split.test_item,
             valid_time=split.valid_time, test_time=split.test_time,
             user_labels=split.user_labels.astype(str), item_labels=split.item_labels.astype(str),
             meta=np.array([split.dataset, split.protocol, str(split.n_users), str(split.n_items),
                            str(split.max_len)]),
             source=np.array([source]))
    tmp.replace(path)


def read_split(path: Path) -> SequentialSplit:
    """The split saved by :func:`save_split` at ``path``."""
    return _read_split(path)[0]


def _read_split(path: Path) -> tuple[SequentialSplit, str]:
    """The split at ``path`` and the ``source`` it records ('' for files written before sources were kept)."""
    with np.load(path, allow_pickle=False) as z:
        dataset, protocol, n_users, n_items, max_len = (str(x) for x in z["meta"])
        offsets = z["offsets"]
        source = str(z["source"][0]) if "source" in z.files else ""
        split = SequentialSplit(
            dataset=dataset, protocol=protocol, n_users=int(n_users), n_items=int(n_items),
            train=_ragged(z["train"], offsets), train_times=_ragged(z["train_times"], offsets),
            valid_item=z["valid_item"], test_item=z["test_item"],
            valid_time=z["valid_time"], test_time=z["test_time"],
            user_labels=z["user_labels"], item_labels=z["item_labels"], max_len=int(max_len),
        )
    return split, source


def _trusted_cache(path: Path, name: str, protocol: str) -> SequentialSplit | None:
    """The cached split at ``path`` if it is readable AND records this dataset, protocol and source; else None."""
    if not path.exists():
        return None
    try:
        split, source = _read_split(path)
    except Exception:  # noqa: BLE001 (truncated, empty, bit-flipped: any unreadable cache is simply rebuilt)
        return None
    if (split.dataset, split.protocol, source) != (name, protocol, source_tag(name)):
        return None  # built from other data (another dataset's file under this name, an older wheel or code)
    return split


def load_split(name: str, protocol: str = "recbole") -> SequentialSplit:
    """The chronological leave-one-out split of MovieLens ``name`` under ``protocol`` ('recbole', 'raw' or the
    strictly-later 'recbole-later' of :func:`lessons.data.protocol.drop_same_second_targets`).

    Built once and cached in ``.data/cache/`` (npz, keyed by name, protocol, :data:`SPLIT_VERSION` and the
    wheel's hash), so every model in the book sees exactly the same split. The cache is trusted only if it reads
    back completely and records the same dataset, protocol and source (:func:`source_tag`); otherwise it is
    rebuilt from the wheel, whose sha256 is checked on the way (:func:`lessons.data.movielens.verified_wheel`).
    Each call returns a fresh object.
    """
    if name not in DATASETS:
        raise ValueError(f"name must be one of {DATASETS}, got {name!r}")
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}")
    path = _cache_path(name, protocol)
    split = _trusted_cache(path, name, protocol)
    if split is not None:
        return split
    split = build_split(apply_protocol(load_movielens(name), protocol), dataset=name, protocol=protocol)
    save_split(split, path, source_tag(name))
    return split
