"""What the interest models read: training windows, encoded histories, and scores of all items per user.

Inputs follow the book's padding convention (:mod:`lessons.data.split`): sequences are padded on the RIGHT, and
inside a torch batch item ``i`` is stored as ``i + 1`` so that ``0`` is the padding index (:data:`PAD`).
Evaluation follows the split's protocol: input = the last ``max_len`` items of ``split.history(stage)``, scores
over ALL items, seen items not masked by the protocol, 1-based pessimistic ranks of the held-out item
(:func:`stage_ranks`, fed to :func:`lessons.evaluation.metrics.evaluate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from lessons.casestudy.history import before_histories
from lessons.casestudy.models import PAD, InterestModel
from lessons.data.split import SequentialSplit, check_stage
from lessons.evaluation.metrics import target_ranks

__all__ = ["PAD", "time_gaps", "Windows", "make_windows", "histories", "encode_histories", "score_histories",
           "score_split", "stage_ranks", "stage_ranks_with_mask"]


def time_gaps(times: np.ndarray) -> np.ndarray:
    """Seconds since the previous event: ``times: (L,)`` -> ``(L,)`` with 0 at the first event."""
    times = np.asarray(times, dtype=np.float64)
    return np.diff(times, prepend=times[:1]) if times.size else times


@dataclass
class Windows:
    """Training windows. All arrays ``(N, W)`` except ``users, starts: (N,)``; item ids are stored +1 (0 = pad).
    ``starts[r]``: where window ``r`` begins in its user's sequence (the items before it are
    ``sequences[users[r]][:starts[r]]``, see :func:`lessons.casestudy.history.before_windows`)."""

    items: np.ndarray
    targets: np.ndarray  # next item (+1), 0 where there is no loss
    gaps: np.ndarray
    users: np.ndarray
    starts: np.ndarray

    def __len__(self) -> int:
        return len(self.users)

    @property
    def n_targets(self) -> int:
        return int((self.targets > 0).sum())


def make_windows(
    train: Sequence[np.ndarray], train_times: Sequence[np.ndarray] | None, max_len: int = 50, stride: int = 25
) -> Windows:
    """Sliding windows over each user's training sequence, a next-item target at every scored position.

    train: per user, item ids ``(L_u,)`` in time order; train_times: the matching timestamps (or None).
    A window holds inputs ``s[a : a + W]`` and targets ``s[a + 1 : a + W + 1]``; windows end every ``stride``
    items, and in every window but the first only the positions not scored by the previous window carry a
    loss, so each next-item event is a target exactly once. Users with fewer than two items give no window.
    """
    if stride < 1 or max_len < 1 or stride > max_len:
        raise ValueError(f"need 1 <= stride <= max_len, got stride={stride}, max_len={max_len}")
    rows_i, rows_t, rows_g, rows_u, rows_a = [], [], [], [], []
    for u, seq in enumerate(train):
        seq = np.asarray(seq, dtype=np.int64)
        n_in = len(seq) - 1  # number of (input, target) pairs
        if n_in < 1:
            continue
        gaps = time_gaps(train_times[u]) if train_times is not None else np.zeros(len(seq))
        ends = list(range(max_len, n_in, stride)) + [n_in] if n_in > max_len else [n_in]
        prev = 0  # pairs [0, prev) already carry a loss
        for end in ends:
            a = max(0, end - max_len)
            items = np.zeros(max_len, np.int64)
            targ = np.zeros(max_len, np.int64)
            gap = np.zeros(max_len, np.float32)
            items[: end - a] = seq[a:end] + 1
            gap[: end - a] = gaps[a:end]
            targ[prev - a : end - a] = seq[prev + 1 : end + 1] + 1
            rows_i.append(items), rows_t.append(targ), rows_g.append(gap), rows_u.append(u), rows_a.append(a)
            prev = end
    if not rows_u:
        raise ValueError("train must hold at least one user with two or more items, got none")
    return Windows(np.stack(rows_i), np.stack(rows_t), np.stack(rows_g), np.asarray(rows_u, np.int64),
                   np.asarray(rows_a, np.int64))


def histories(split: SequentialSplit, stage: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Items and timestamps the model reads for ``stage`` ('valid': train; 'test': train + valid item)."""
    check_stage(stage)
    items = [np.asarray(h, dtype=np.int64) for h in split.history(stage)]
    times = [np.asarray(t, dtype=np.float64) for t in split.history_times(stage)]
    return items, times


def encode_histories(
    items: Sequence[np.ndarray], times: Sequence[np.ndarray] | None, n_items: int, max_len: int = 50
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Right-padded model input from histories; keeps the LAST ``max_len`` items of each (truncation).

    items: per user ``(L_u,)`` ids in ``[0, n_items)``.
    Returns ``(x (U, W) ids + 1, gaps (U, W), lengths (U,))``
    with ``W = min(max_len, longest history)``. Raises ``ValueError`` on an empty history or an unknown id.
    """
    if not len(items):
        raise ValueError("items must hold at least one history, got none")
    tails = []
    for u, h in enumerate(items):
        h = np.asarray(h, dtype=np.int64)
        if h.ndim != 1 or h.size == 0:
            raise ValueError(
                f"history of user {u} must be a non-empty 1-D array of item ids, got shape {h.shape}"
            )
        if h.min() < 0 or h.max() >= n_items:
            raise ValueError(
                f"item ids must be in [0, {n_items - 1}], user {u} has range [{h.min()}, {h.max()}]"
            )
        tails.append(h[-max_len:])
    width = max(len(t) for t in tails)
    x = np.zeros((len(tails), width), np.int64)
    g = np.zeros((len(tails), width), np.float32)
    lengths = np.array([len(t) for t in tails], np.int64)
    for u, t in enumerate(tails):
        x[u, : len(t)] = t + 1
        if times is not None:
            g[u, : len(t)] = time_gaps(np.asarray(times[u], np.float64))[-max_len:]
    return x, g, lengths


@torch.no_grad()
def score_histories(
    model: InterestModel,
    items: Sequence[np.ndarray],
    times: Sequence[np.ndarray] | None,
    users: np.ndarray,
    max_len: int = 50,
    batch_size: int = 512,
) -> np.ndarray:
    """Scores of all items after reading each history: returns ``(U, n_items)`` float32.

    items: per user, item ids in time order (the last ``max_len`` are read by the network; a model with
    ``long_scope="history"`` also attends over the earlier ones); users: ``(U,)`` user ids.
    """
    users = np.asarray(users, dtype=np.int64)
    if users.shape != (len(items),):
        raise ValueError(f"users must have shape ({len(items)},), got {users.shape}")
    x, g, lengths = encode_histories(items, times, model.config.n_items, max_len)
    model.eval()
    out = np.empty((len(items), model.config.n_items), np.float32)
    for lo in range(0, len(items), batch_size):
        sl = slice(lo, lo + batch_size)
        w = int(lengths[sl].max())
        xb = torch.from_numpy(x[sl, :w])
        before = before_histories(items[sl], max_len) if model.config.long_scope == "history" else None
        rep = model(xb, torch.from_numpy(users[sl]), torch.from_numpy(g[sl, :w]), before=before)
        last = rep[torch.arange(len(xb)), torch.from_numpy(lengths[sl] - 1)]
        out[sl] = model.logits(last, xb).numpy()  # xb: everything read, the seen items of the last position
    return out


def score_split(model: InterestModel, split: SequentialSplit, stage: str, max_len: int = 50) -> np.ndarray:
    """``(n_users, n_items)`` scores for the validation or test stage of ``split``."""
    items, times = histories(split, stage)
    return score_histories(model, items, times, np.arange(split.n_users), max_len)


def stage_ranks(model: InterestModel, split: SequentialSplit, stage: str, max_len: int = 50) -> np.ndarray:
    """(n_users,) 1-based full-ranking ranks of ``split.targets(stage)`` under ``model`` (pessimistic ties);
    :func:`lessons.evaluation.metrics.evaluate` turns them into HR/NDCG/MRR@K."""
    return target_ranks(score_split(model, split, stage, max_len), np.asarray(split.targets(stage)))


def stage_ranks_with_mask(
    model: InterestModel, split: SequentialSplit, stage: str, max_len: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """``(plain, masked)``, each ``(n_users,)``: :func:`stage_ranks`, and the ranks under the hard seen-mask
    (every item of the user's whole ``stage`` history scored ``-inf``, an inference rule: same model, same
    scores, no retraining). One scoring pass for both."""
    scores = score_split(model, split, stage, max_len)
    targets = np.asarray(split.targets(stage))
    plain = target_ranks(scores, targets)
    scores[split.seen(stage)] = -np.inf
    return plain, target_ranks(scores, targets)
