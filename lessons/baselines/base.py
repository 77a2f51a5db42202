"""The interface every baseline follows, and the small helpers the baselines share.

* ``fit(split, stage)`` learns from the histories available when predicting ``stage``:
  ``split.history("valid")`` (the training sequences) for ``"valid"``, and ``split.history("test")`` (the
  training sequences plus each user's validation item) for ``"test"``. So the test run *refits* on
  train + validation with the hyper-parameters chosen on validation; nothing is ever fitted on a target.
* ``score(histories)`` returns ``(n, n_items)`` float32 scores, larger = recommend first, computed in
  chunks of users so memory stays bounded. Only the last ``split.max_len`` items of a history are read.
* :func:`per_user_ranks` ranks all items for every user (seen items are *not* masked, ties pessimistic);
  :func:`lessons.evaluation.metrics.evaluate` turns the ranks into HR/NDCG/MRR@K, the same as for every model.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from lessons.data.split import SequentialSplit, check_stage
from lessons.evaluation.metrics import target_ranks

__all__ = ["Baseline", "CHUNK_CELLS", "check_split", "check_histories", "chunk_rows", "item_counts",
           "last_items", "per_user_ranks", "mask_seen_items"]

#: Scores of about this many (user, item) cells are held at once.
CHUNK_CELLS = 2_000_000


def check_split(split: Any) -> SequentialSplit:
    """Raise ``ValueError`` unless ``split`` is a :class:`lessons.data.split.SequentialSplit`; return it."""
    if not isinstance(split, SequentialSplit):
        raise ValueError(f"split must be a lessons.data.SequentialSplit, got {type(split).__name__}")
    return split


def check_histories(histories: Sequence[np.ndarray], n_items: int) -> list[np.ndarray]:
    """Each history a 1-D integer array with ids in ``0..n_items-1`` (may be empty)."""
    if isinstance(histories, np.ndarray) and histories.ndim == 2:
        histories = list(histories)
    if not isinstance(histories, (list, tuple)):
        raise ValueError(f"histories must be a list of 1-D int arrays, got {type(histories).__name__}")
    out = []
    for u, h in enumerate(histories):
        h = np.asarray(h)
        if h.size == 0:
            out.append(np.zeros(0, dtype=np.int64))
            continue
        if h.ndim != 1 or not np.issubdtype(h.dtype, np.integer):
            raise ValueError(f"histories[{u}] must be a 1-D int array, got shape {h.shape} dtype {h.dtype}")
        if h.min() < 0 or h.max() >= n_items:
            raise ValueError(f"histories[{u}] must hold item ids in 0..{n_items - 1}, got range "
                             f"{h.min()}..{h.max()}")
        out.append(h.astype(np.int64, copy=False))
    return out


def chunk_rows(n_items: int, cells: int | None = None) -> int:
    """Users scored at once so that about ``cells`` (default :data:`CHUNK_CELLS`, read at call time) scores are
    held."""
    cells = CHUNK_CELLS if cells is None else cells
    return max(1, cells // max(n_items, 1))


class Baseline:
    """Common interface. Subclasses implement ``_fit`` and ``_score_chunk``."""

    name = "baseline"
    #: True for models that read a user's whole history (EASE); the others read its last ``max_len`` items.
    full_history = False

    def __init__(self) -> None:
        self.n_items: int | None = None
        self.max_len: int = 50
        self.fitted_stage: str | None = None
        self.fit_seconds: float = float("nan")

    # --- public
    def params(self) -> dict[str, Any]:
        """Hyper-parameters as a JSON-friendly dict."""
        return {}

    def fit(self, split: SequentialSplit, stage: str = "valid") -> Baseline:
        """Learn from ``split.history(stage)`` (see the module docstring). Returns ``self``."""
        split = check_split(split)
        check_stage(stage)
        start = time.perf_counter()
        self.n_items = split.n_items
        self.max_len = split.max_len
        self._fit(split, split.history(stage))
        self.fitted_stage = stage
        self.fit_seconds = time.perf_counter() - start
        return self

    def score(self, histories: Sequence[np.ndarray], users: np.ndarray | None = None) -> np.ndarray:
        """Scores ``(n, n_items)`` float32 for ``n`` histories (larger = better).

        histories: list of 1-D int arrays (item ids, oldest first); only the last ``max_len`` are read.
        users: (n,) user ids, needed only by models with user embeddings (default ``0..n-1``).
        """
        if self.n_items is None:
            raise ValueError(f"{self.name}: call fit(split, stage) before score()")
        hist = [self._window(h) for h in check_histories(histories, self.n_items)]
        users = self.check_users(users, len(hist))
        out = np.empty((len(hist), self.n_items), dtype=np.float32)
        step = chunk_rows(self.n_items)
        for lo in range(0, len(hist), step):
            out[lo:lo + step] = self._score_chunk(hist[lo:lo + step], users[lo:lo + step])
        return out

    def score_chunks(self, histories: Sequence[np.ndarray], users: np.ndarray | None = None,
                     chunk: int | None = None):
        """Yield ``(lo, scores)`` blocks of :meth:`score`, ``chunk`` users at a time (memory-bounded)."""
        if self.n_items is None:
            raise ValueError(f"{self.name}: call fit(split, stage) before score()")
        hist = check_histories(histories, self.n_items)
        users = self.check_users(users, len(hist))
        step = chunk or chunk_rows(self.n_items)
        for lo in range(0, len(hist), step):
            block = [self._window(h) for h in hist[lo:lo + step]]
            yield lo, self._score_chunk(block, users[lo:lo + step]).astype(np.float32, copy=False)

    def _window(self, history: np.ndarray) -> np.ndarray:
        """What the model reads of one history: all of it (``full_history``) or the last ``max_len`` items."""
        return history if self.full_history else history[-self.max_len:]

    # --- to implement
    def check_users(self, users: np.ndarray | None, n: int) -> np.ndarray:
        if users is None:
            return np.arange(n, dtype=np.int64)
        users = np.asarray(users)
        if users.shape != (n,) or not np.issubdtype(users.dtype, np.integer):
            raise ValueError(f"users must be ({n},) int user ids, got shape {users.shape} "
                             f"dtype {users.dtype}")
        return users.astype(np.int64)

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        raise NotImplementedError

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


def item_counts(histories: list[np.ndarray], n_items: int) -> np.ndarray:
    flat = np.concatenate(histories) if histories else np.zeros(0, np.int64)
    return np.bincount(flat, minlength=n_items).astype(np.float64)


def last_items(histories: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(n,) last item of each history (0 where empty) and (n,) bool: history non-empty."""
    has = np.array([len(h) > 0 for h in histories], dtype=bool)
    last = np.array([h[-1] if len(h) else 0 for h in histories], dtype=np.int64)
    return last, has


def per_user_ranks(model: Baseline, split: SequentialSplit, stage: str = "test", mask_seen: bool = False) -> np.ndarray:
    """(n_users,) 1-based full-ranking ranks of each user's ``split.targets(stage)`` under a fitted ``model``.

    Scores every user's ``split.history(stage)`` over all items, ties pessimistic
    (seen items not masked: the book's protocol; ``mask_seen=True`` is the hard seen-mask, every item of the
    user's whole ``stage`` history scored ``-inf`` first, an inference rule any model can use),
    (:func:`lessons.evaluation.metrics.target_ranks`), in memory-bounded chunks. A model fitted for ``"test"``
    (it has seen the validation items) cannot be evaluated on ``"valid"``. Feed the ranks to
    :func:`lessons.evaluation.metrics.evaluate`.
    """
    split = check_split(split)
    check_stage(stage)
    if not isinstance(model, Baseline) or model.fitted_stage is None:
        raise ValueError(f"model must be a fitted Baseline, got {model!r}")
    if model.n_items != split.n_items:
        raise ValueError(f"model was fitted with n_items={model.n_items}, split has {split.n_items}")
    if model.fitted_stage == "test" and stage == "valid":
        raise ValueError("stage='valid' on a model fitted for 'test' would score the validation items it was "
                         "trained on; fit(split, 'valid') first")
    targets = split.targets(stage)
    ranks = np.empty(split.n_users, dtype=np.int64)
    seen_users, seen_items = split.seen(stage) if mask_seen else (None, None)
    for lo, block in model.score_chunks(split.history(stage)):
        if mask_seen:
            block = mask_seen_items(block, lo, seen_users, seen_items)
        ranks[lo:lo + len(block)] = target_ranks(block, targets[lo:lo + len(block)])
    return ranks


def mask_seen_items(block: np.ndarray, lo: int, seen_users: np.ndarray, seen_items: np.ndarray) -> np.ndarray:
    """A copy of ``block: (n, n_items)`` scores of users ``lo..lo+n-1`` with their seen items set to ``-inf``.

    seen_users, seen_items: ``(m,)`` int64 pairs sorted by user (:meth:`SequentialSplit.seen`)."""
    a, b = np.searchsorted(seen_users, [lo, lo + len(block)])
    out = np.array(block, dtype=np.float32, copy=True)
    out[seen_users[a:b] - lo, seen_items[a:b]] = -np.inf
    return out
