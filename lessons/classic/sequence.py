"""The recent-sequence state of Part I: a GRU with frozen gates, and its long-term counterpart."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.classic.similarity import as_matrix, cosine


def item_sequence(sequence: Sequence[int], n_items: int) -> list[int]:
    """``sequence`` as a non-empty list of item indices in ``[0, n_items)``, or a ValueError naming it."""
    seq = list(sequence)
    if not seq:
        raise ValueError("sequence: expected at least one item, got an empty sequence")
    if any(not isinstance(i, (int, np.integer)) or not 0 <= i < n_items for i in seq):
        raise ValueError(f"sequence: expected item indices in [0, {n_items}), got {seq}")
    return seq


def recent_state(sequence: Sequence[int], item_features: np.ndarray, z: float = 0.5) -> np.ndarray:
    """A frozen-gate GRU over a user's sequence: ``h_t = (1 - z) * x_t + z * h_{t-1}``, ``h_0 = 0``.

    PyTorch's convention: the update gate ``z`` in [0, 1) is the share of the old state that is *kept*, so
    ``z = 0`` makes the state the last item only and ``z`` near 1 remembers longer. ``x_t`` is the feature
    vector of the t-th item watched (``item_features: (n_items, n_features)``). Returns the states
    ``(T, n_features)``; the last row is the short-term interest.
    """
    f = as_matrix("item_features", item_features)
    if not 0.0 <= z < 1.0:
        raise ValueError(f"z: expected a number in [0, 1), got {z!r}")
    seq = item_sequence(sequence, f.shape[0])
    h = np.zeros(f.shape[1])
    out = np.empty((len(seq), f.shape[1]))
    for t, i in enumerate(seq):
        h = (1.0 - z) * f[i] + z * h
        out[t] = h
    return out


def long_term_profile(sequence: Sequence[int], item_features: np.ndarray) -> np.ndarray:
    """The long-term counterpart of :func:`recent_state`: the plain average of all items' features,
    ``(n_features,)``."""
    f = as_matrix("item_features", item_features)
    return f[item_sequence(sequence, f.shape[0])].mean(axis=0)


def sequence_scores(state: np.ndarray, item_features: np.ndarray) -> np.ndarray:
    """Score every item by the cosine between a state ``(n_features,)`` and its features; returns
    ``(n_items,)``."""
    f = as_matrix("item_features", item_features)
    s = np.asarray(state, dtype=float)
    if s.shape != (f.shape[1],):
        raise ValueError(f"state: expected shape ({f.shape[1]},), got {s.shape}")
    return np.array([cosine(s, f[i]) for i in range(f.shape[0])])
