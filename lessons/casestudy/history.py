"""The long-term half over a user's WHOLE history, not just the window the recurrent net reads.

A training window holds at most ``max_len`` (50) items; a long-term vector that attends only over those is a
user embedding plus the recent past. With ``long_scope="history"`` the attention of
:meth:`lessons.casestudy.models.InterestModel.long_vector` also covers every item the user read *before* the
window: at position ``t`` it pools over ``before + items[:t+1]``, so its values are exactly those the same model
would give if the whole history were one long window (tests/test_history_scope.py checks this).

The earlier items arrive as a ragged batch, :class:`Before`: their ids (``+1``, as in a window) and, for each, the
row of the batch it belongs to. Their attention weights are summed per row once (:func:`pooled_before`); the
window's running sums then start from those totals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import torch

LONG_SCOPES: tuple[str, ...] = ("window", "history")


class Before(NamedTuple):
    """Items read before each row's window: ``ids: (M,)`` int64 item ids + 1, ``owner: (M,)`` int64 row of the
    batch (``0..B-1``), rows in any order; ``n_rows``: ``B``."""

    ids: torch.Tensor
    owner: torch.Tensor
    n_rows: int


def before_windows(sequences: Sequence[np.ndarray], users: np.ndarray, starts: np.ndarray) -> Before:
    """The earlier items of a batch of windows: row ``r`` gets ``sequences[users[r]][:starts[r]]``.

    sequences: per user, item ids ``(L_u,)`` (0-based) in time order; users, starts: ``(B,)`` int.
    """
    users, starts = np.asarray(users, np.int64), np.asarray(starts, np.int64)
    if users.shape != starts.shape or users.ndim != 1:
        raise ValueError(f"users and starts must be (B,) arrays of one shape, got {users.shape} and {starts.shape}")
    parts = [np.asarray(sequences[u], np.int64)[:a] for u, a in zip(users, starts, strict=True)]
    return _pack(parts)


def before_histories(histories: Sequence[np.ndarray], max_len: int) -> Before:
    """For scoring: row ``r`` reads the last ``max_len`` items of ``histories[r]`` as its window; the rest come
    before it."""
    return _pack([np.asarray(h, np.int64)[: max(len(h) - max_len, 0)] for h in histories])


def _pack(parts: list[np.ndarray]) -> Before:
    lengths = np.array([len(p) for p in parts], np.int64)
    ids = np.concatenate(parts) + 1 if lengths.sum() else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(parts), dtype=np.int64), lengths)
    return Before(torch.from_numpy(ids), torch.from_numpy(owner), len(parts))


def pooled_before(
    scores: torch.Tensor, values: torch.Tensor, owner: torch.Tensor, n_rows: int, shift: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per row, ``sum_j exp(s_j - shift_row) v_j`` and ``sum_j exp(s_j - shift_row)`` over its earlier items.

    scores: ``(M,)`` attention logits; values: ``(M, d)``; owner: ``(M,)`` rows; shift: ``(n_rows,)`` (the row's
    maximum logit, detached). Returns ``(num (n_rows, d), den (n_rows,))``; rows without earlier items get zeros.
    """
    w = torch.exp(scores - shift[owner])  # (M,)
    num = torch.zeros(n_rows, values.shape[1], dtype=values.dtype).index_add(0, owner, w.unsqueeze(-1) * values)
    den = torch.zeros(n_rows, dtype=values.dtype).index_add(0, owner, w)
    return num, den


def row_max(scores: torch.Tensor, owner: torch.Tensor, n_rows: int) -> torch.Tensor:
    """``(n_rows,)`` largest of each row's ``scores: (M,)`` (``-inf`` for rows without any)."""
    out = torch.full((n_rows,), float("-inf"), dtype=scores.dtype)
    return out.scatter_reduce(0, owner, scores, reduce="amax", include_self=True)


__all__ = ["LONG_SCOPES", "Before", "before_windows", "before_histories", "pooled_before", "row_max"]
