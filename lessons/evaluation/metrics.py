"""Ranking metrics over all items (HR, NDCG, MRR at K), bootstrap intervals, and the article's binary metrics.

Full ranking, one held-out item per user. For user ``u`` with scores ``s`` over all ``n_items`` items and
held-out target ``t``, the rank is

    rank = 1 + #{j != t : s_j >= s_t}

so a target that *ties* with other items is placed **below** all of them (pessimistic tie rule). A model that
gives every item the same score therefore gets rank ``n_items`` for every user, not a lucky rank 1; the
optimistic rule (``>`` instead of ``>=``) would reward such a constant model with perfect scores.

With one relevant item the usual metrics reduce to

* ``hr@K``   = 1 if rank <= K else 0 (equal to recall@K here);
* ``ndcg@K`` = 1 / log2(rank + 1) if rank <= K else 0 (the ideal DCG is 1);
* ``mrr@K``  = 1 / rank if rank <= K else 0.

Each is averaged over users by :func:`evaluate`, the one evaluation of every model in the book (baselines and
case-study models hand it their ranks); :func:`per_user_metric` is the same formula for one metric, per user, for
paired and grouped comparisons. :func:`sampled_ranks` gives the *sampled* protocol (the target against 100 random
items) only to show how it flatters models. :func:`binary_metrics` computes the accuracy/precision/recall/F1/AUC
view of a yes/no classifier that the source article reports, for comparison.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.checks import check_size

KS: tuple[int, ...] = (5, 10, 20)
METRICS: tuple[str, ...] = ("hr", "ndcg", "mrr")
DEFAULT_CHUNK_CELLS = 4_000_000  # about this many scores compared at once (bounds temporary memory)


def _check_ks(ks: Sequence[int]) -> tuple[int, ...]:
    ks = tuple(ks)
    if not ks or any(not isinstance(k, (int, np.integer)) or k < 1 for k in ks):
        raise ValueError(f"ks must be a non-empty sequence of positive ints, got {ks!r}")
    return tuple(int(k) for k in ks)


def target_ranks(scores: np.ndarray, targets: np.ndarray, chunk: int | None = None) -> np.ndarray:
    """1-based rank of each user's target among all items, ties broken pessimistically.

    scores: (n_users, n_items) float; larger means more recommended. ``-inf`` is allowed, NaN is not.
    targets: (n_users,) int item ids in ``0..n_items-1``.
    chunk: users processed at once (default: about 4 million scores per chunk).
    Returns (n_users,) int64 ranks in ``1..n_items``: ``1 + #{j != t: scores[u, j] >= scores[u, t]}``.
    """
    scores = np.asarray(scores)
    targets = np.asarray(targets)
    if scores.ndim != 2:
        raise ValueError(f"scores must be 2-D (n_users, n_items), got shape {scores.shape}")
    if not np.issubdtype(scores.dtype, np.number) or np.iscomplexobj(scores):
        raise ValueError(f"scores must be real numbers, got dtype {scores.dtype}")
    n_users, n_items = scores.shape
    if targets.shape != (n_users,):
        raise ValueError(f"targets must have shape ({n_users},) to match scores {scores.shape}, "
                         f"got {targets.shape}")
    if not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be integer item ids, got dtype {targets.dtype}")
    if n_users and (targets.min() < 0 or targets.max() >= n_items):
        raise ValueError(f"targets must lie in 0..{n_items - 1}, got range "
                         f"{targets.min()}..{targets.max()}")
    if chunk is None:
        chunk = max(1, DEFAULT_CHUNK_CELLS // max(n_items, 1))
    if not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise ValueError(f"chunk must be a positive int, got {chunk!r}")
    ranks = np.empty(n_users, dtype=np.int64)
    for lo in range(0, n_users, chunk):
        block = scores[lo:lo + chunk]
        if np.isnan(block).any():
            bad = lo + int(np.flatnonzero(np.isnan(block).any(axis=1))[0])
            raise ValueError(f"scores must not contain NaN; user row {bad} has NaN")
        t = targets[lo:lo + chunk]
        own = block[np.arange(len(block)), t]
        # the target itself satisfies s_t >= s_t, which supplies the "1 +"
        ranks[lo:lo + chunk] = (block >= own[:, None]).sum(axis=1)
    return ranks


def ranks_among(scores: np.ndarray, targets: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """1-based rank of each user's target among itself and a few ``candidates`` only, ties pessimistic.

    scores: (n_users, n_items); targets: (n_users,); candidates: (n_users, m) item ids (not the target).
    Returns (n_users,) int64 ranks in ``1..m+1``: ``1 + #{j in candidates[u]: scores[u, j] >= scores[u, t]}``.
    """
    own = scores[np.arange(len(targets)), targets]
    return 1 + (np.take_along_axis(scores, candidates, axis=1) >= own[:, None]).sum(axis=1)


def sampled_ranks(scores: np.ndarray, targets: np.ndarray, n_negatives: int = 100,
                  seed: int = 0) -> np.ndarray:
    """Ranks under the *sampled* protocol criticised by Krichene & Rendle (2020): each target competes only
    with ``n_negatives`` items drawn uniformly without replacement from the other items, instead of with all.

    scores: (n_users, n_items); targets: (n_users,). Returns (n_users,) int64 ranks in ``1..n_negatives+1``,
    ties pessimistic. Deterministic for ``seed``.
    """
    scores = np.asarray(scores)
    targets = np.asarray(targets)
    if scores.ndim != 2:
        raise ValueError(f"scores must be 2-D (n_users, n_items), got shape {scores.shape}")
    n_users, n_items = scores.shape
    if targets.shape != (n_users,) or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"targets must be ({n_users},) int item ids, got shape {targets.shape}")
    n_negatives = check_size("n_negatives", n_negatives)
    if n_negatives > n_items - 1:
        raise ValueError(f"n_negatives must be <= n_items - 1 = {n_items - 1}, got {n_negatives}")
    rng = np.random.default_rng(seed)
    # n_negatives distinct draws from the n_items - 1 non-target items: sample from 0..n_items-2, shift past t
    keys = rng.random((n_users, n_items - 1))
    neg = np.argpartition(keys, n_negatives - 1, axis=1)[:, :n_negatives]
    neg = neg + (neg >= targets[:, None])
    return ranks_among(scores, targets, neg)


def _check_ranks(ranks: np.ndarray) -> np.ndarray:
    ranks = np.asarray(ranks)
    if ranks.ndim != 1:
        raise ValueError(f"ranks must be 1-D (n_users,), got shape {ranks.shape}")
    if ranks.size and (not np.issubdtype(ranks.dtype, np.integer) or ranks.min() < 1):
        raise ValueError(f"ranks must be integers >= 1 (1 = top), got dtype {ranks.dtype}, "
                         f"min {ranks.min()}")
    return ranks


def per_user_metrics(ranks: np.ndarray, ks: Sequence[int] = KS) -> dict[str, np.ndarray]:
    """Per-user ``hr@K``, ``ndcg@K`` and ``mrr@K`` for each K in ``ks``, each (n_users,) float64.

    ranks: (n_users,) int, 1-based rank of the single held-out item (see :func:`target_ranks`).
    """
    ranks = _check_ranks(ranks)
    ks = _check_ks(ks)
    r = ranks.astype(np.float64)
    out: dict[str, np.ndarray] = {}
    for k in ks:
        hit = ranks <= k
        out[f"hr@{k}"] = hit.astype(np.float64)
        out[f"ndcg@{k}"] = np.where(hit, 1.0 / np.log2(r + 1.0), 0.0)
        out[f"mrr@{k}"] = np.where(hit, 1.0 / r, 0.0)
    return out


def ranking_metrics(ranks: np.ndarray, ks: Sequence[int] = KS) -> dict[str, float]:
    """Means over users of :func:`per_user_metrics` (``{"hr@10": 0.2, ...}``)."""
    ranks = _check_ranks(ranks)
    if ranks.size == 0:
        raise ValueError("ranks must not be empty")
    return {name: float(v.mean()) for name, v in per_user_metrics(ranks, ks).items()}


def bootstrap_ci(values: np.ndarray, n_boot: int = 1000, level: float = 0.95, seed: int = 0,
                 chunk: int = 100) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (n_users,), resampling users with replacement.

    Returns ``(lo, hi)``, the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of ``n_boot`` resampled
    means. Deterministic for a given ``seed``.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {values.shape}")
    if np.isnan(values).any():
        raise ValueError("values must not contain NaN")
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise ValueError(f"n_boot must be a positive int, got {n_boot!r}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    rng = np.random.default_rng(seed)
    n = values.size
    means = np.empty(n_boot, dtype=np.float64)
    for lo in range(0, n_boot, chunk):
        m = min(chunk, n_boot - lo)
        idx = rng.integers(0, n, size=(m, n))
        means[lo:lo + m] = values[idx].mean(axis=1)
    alpha = (1.0 - level) / 2.0
    qlo, qhi = np.quantile(means, [alpha, 1.0 - alpha])
    return float(qlo), float(qhi)


def per_user_metric(ranks: np.ndarray, metric: str = "ndcg@10") -> np.ndarray:
    """(n_users,) per-user value of one ``metric`` ('hr@K', 'ndcg@K' or 'mrr@K') from 1-based ``ranks``.

    The same formula as :func:`per_user_metrics` (it is computed by it), addressed by name.
    """
    name, _, k = str(metric).partition("@")
    if name not in METRICS or not k.isdigit() or int(k) < 1:
        raise ValueError(f"metric must look like 'ndcg@10' with a name in {METRICS}, got {metric!r}")
    return per_user_metrics(ranks, (int(k),))[metric]


def evaluate(ranks: np.ndarray, ks: Sequence[int] = KS, ci: bool = False, n_boot: int = 1000,
             seed: int = 0) -> dict:
    """Metrics of a full-ranking evaluation from the targets' ranks: THE evaluation of every model in the book.

    ranks: (n_users,) 1-based ranks of each user's held-out item (:func:`target_ranks`; the baselines and the
    case-study models each compute them for a split's stage). Returns ``{"hr@10": .., "ndcg@10": ..,
    "mrr@10": .., ..., "n_users": n}`` (means over users) and, when ``ci`` is true, ``"ci": {name: [lo, hi]}``
    (95 % percentile bootstrap over users, ``n_boot`` resamples, ``seed``).
    """
    ranks = _check_ranks(ranks)
    if ranks.size == 0:
        raise ValueError("ranks must not be empty")
    per_user = per_user_metrics(ranks, ks)
    out: dict = {name: float(v.mean()) for name, v in per_user.items()}
    out["n_users"] = int(ranks.size)
    if ci:
        out["ci"] = {name: list(bootstrap_ci(v, n_boot=n_boot, seed=seed)) for name, v in per_user.items()}
    return out


def _roc_auc(y: np.ndarray, s: np.ndarray) -> float:
    """Mann-Whitney AUC with average ranks for ties: P(score of a positive > score of a negative)
    + 0.5 P(equal)."""
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    ranks = np.empty(len(s), dtype=np.float64)
    # average rank inside each block of equal scores
    starts = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    ends = np.r_[starts[1:], len(s)]
    avg = (starts + ends + 1) / 2.0  # mean of 1-based positions starts+1..ends
    ranks[order] = np.repeat(avg, ends - starts)
    n_pos = int(y.sum())
    n_neg = len(y) - n_pos
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def binary_metrics(y_true: np.ndarray, y_score: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    """The article's view of evaluation: a yes/no classifier judged by ``auc``, ``accuracy``, ``precision``,
    ``recall`` and ``f1``.

    y_true: (n,) labels in {0, 1} (bool or int); y_score: (n,) real scores; predicted positive when
    ``y_score >= threshold``. AUC uses the scores (ties count one half); the others use the threshold.
    Precision (or F1) is 0.0 when nothing is predicted positive. Both classes must be present.
    """
    y = np.asarray(y_true)
    s = np.asarray(y_score, dtype=np.float64)
    if y.ndim != 1 or s.shape != y.shape:
        raise ValueError(f"y_true and y_score must be 1-D of equal length, got {y.shape} and {s.shape}")
    if y.size == 0:
        raise ValueError("y_true must not be empty")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"y_true must hold only 0/1 labels, got values {np.unique(y)[:5]}")
    if np.isnan(s).any():
        raise ValueError("y_score must not contain NaN")
    y = y.astype(bool)
    if y.all() or not y.any():
        raise ValueError("y_true must contain both classes (AUC is undefined otherwise)")
    pred = s >= threshold
    tp = int((pred & y).sum())
    fp = int((pred & ~y).sum())
    fn = int((~pred & y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"auc": _roc_auc(y, s), "accuracy": float((pred == y).mean()), "precision": float(precision),
            "recall": float(recall), "f1": float(f1)}


__all__ = ["KS", "METRICS", "target_ranks", "per_user_metrics", "per_user_metric", "ranking_metrics",
           "bootstrap_ci", "evaluate", "binary_metrics",
           "ranks_among", "sampled_ranks"]
