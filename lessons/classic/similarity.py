"""Similarity-based recommenders of Part I: cosine, content-based (TF-IDF profiles) and neighbourhood CF.

Conventions: ``ratings`` is a ``(n_users, n_items)`` array with ``0`` meaning "not rated"; observed ratings are
1..5. Every scoring function returns ``(n_items,)`` scores for one user (higher is better).
"""

from __future__ import annotations

import numpy as np


def as_matrix(name: str, a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: expected finite values, got NaN or inf")
    return a


def check_ratings(ratings: np.ndarray) -> np.ndarray:
    r = as_matrix("ratings", ratings)
    if np.any(r < 0):
        raise ValueError(f"ratings: expected values >= 0 (0 = not rated), got minimum {r.min()}")
    return r


def check_user(ratings: np.ndarray, user: int) -> int:
    if not isinstance(user, (int, np.integer)) or not 0 <= int(user) < ratings.shape[0]:
        raise ValueError(f"user: expected an index in [0, {ratings.shape[0]}), got {user!r}")
    return int(user)


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two vectors ``a, b: (d,)``; 0.0 if either is all zeros."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(
            f"a, b: expected two 1-D arrays of the same length, got shapes {a.shape} and {b.shape}"
        )
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(a @ b / (na * nb))


def cosine_matrix(x: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarity of the rows of ``x: (n, d)``; returns ``(n, n)``; zero rows give 0."""
    x = as_matrix("x", x)
    norms = np.linalg.norm(x, axis=1)
    safe = np.where(norms > 0, norms, 1.0)
    u = x / safe[:, None]
    return u @ u.T


# --------------------------------------------------------------------------- content-based


def tfidf(features: np.ndarray) -> np.ndarray:
    """TF-IDF weights for ``features: (n_items, n_features)`` counts; returns ``(n_items, n_features)``.

    Term frequency is the count divided by the item's total; inverse document frequency is
    ``log(n_items / df)`` with ``df`` the number of items having the feature (features no item has get weight
    0).
    A genre every film has carries no information, and gets weight 0.
    """
    x = as_matrix("features", features)
    if np.any(x < 0):
        raise ValueError("features: expected non-negative counts, got a negative value")
    totals = x.sum(axis=1, keepdims=True)
    tf = x / np.where(totals > 0, totals, 1.0)
    df = (x > 0).sum(axis=0)
    idf = np.where(df > 0, np.log(x.shape[0] / np.maximum(df, 1)), 0.0)
    return tf * idf


def content_profile(ratings_row: np.ndarray, item_features: np.ndarray) -> np.ndarray:
    """A user's content profile: ratings-weighted average of item feature vectors, centred on the user's mean.

    ``ratings_row: (n_items,)`` (0 = not rated); ``item_features: (n_items, n_features)``. Items rated above
    the
    user's mean pull the profile towards their features, items rated below push it away. Returns
    ``(n_features,)``.
    """
    r = np.asarray(ratings_row, dtype=float)
    f = as_matrix("item_features", item_features)
    if r.ndim != 1 or r.shape[0] != f.shape[0]:
        raise ValueError(f"ratings_row: expected shape ({f.shape[0]},), got {r.shape}")
    seen = r > 0
    if not seen.any():
        return np.zeros(f.shape[1])
    w = np.where(seen, r - r[seen].mean(), 0.0)
    return w @ f / seen.sum()


def content_scores(
    ratings: np.ndarray, item_features: np.ndarray, user: int, use_tfidf: bool = True
) -> np.ndarray:
    """Content-based scores for one user: cosine between the user's profile and each item's features.

    ``ratings: (n_users, n_items)``, ``item_features: (n_items, n_features)``. With ``use_tfidf`` the
    features are
    TF-IDF weighted first. Returns ``(n_items,)`` in [-1, 1]. Uses only this user's own ratings.
    """
    r = check_ratings(ratings)
    u = check_user(r, user)
    f = as_matrix("item_features", item_features)
    if f.shape[0] != r.shape[1]:
        raise ValueError(f"item_features: expected {r.shape[1]} rows (one per item), got {f.shape[0]}")
    w = tfidf(f) if use_tfidf else f
    p = content_profile(r[u], w)
    return np.array([cosine(p, w[i]) for i in range(w.shape[0])])


# --------------------------------------------------------------------------- neighbourhood CF


def user_similarities(ratings: np.ndarray) -> np.ndarray:
    """User-user similarity: cosine of mean-centred rating rows (Pearson-like); ``(n_users, n_users)``.

    Each user's mean is taken over the items they rated; unrated entries stay 0 after centring.
    """
    r = check_ratings(ratings)
    seen = r > 0
    means = np.where(seen.any(axis=1), r.sum(axis=1) / np.maximum(seen.sum(axis=1), 1), 0.0)
    centred = np.where(seen, r - means[:, None], 0.0)
    return cosine_matrix(centred)


def user_based_scores(ratings: np.ndarray, user: int, k: int = 2) -> np.ndarray:
    """User-based CF prediction for every item: the user's mean plus the similarity-weighted deviations of the
    ``k`` most similar users who rated the item (only positive similarities count).

    ``ratings: (n_users, n_items)``. Returns ``(n_items,)`` predicted ratings; an item no similar user has
    rated
    gets the user's mean.
    """
    r = check_ratings(ratings)
    u = check_user(r, user)
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k: expected a positive integer, got {k!r}")
    seen = r > 0
    means = np.where(seen.any(axis=1), r.sum(axis=1) / np.maximum(seen.sum(axis=1), 1), 0.0)
    sim = user_similarities(r)[u]
    out = np.full(r.shape[1], means[u])
    for i in range(r.shape[1]):
        cand = [v for v in range(r.shape[0]) if v != u and seen[v, i] and sim[v] > 0]
        cand = sorted(cand, key=lambda v: (-sim[v], v))[:k]
        if cand:
            s = sim[cand]
            out[i] = means[u] + s @ (r[cand, i] - means[cand]) / s.sum()
    return out


def item_similarities(ratings: np.ndarray) -> np.ndarray:
    """Item-item adjusted cosine similarity (Sarwar et al. 2001): columns centred on each *user's* mean;
    ``(n_items, n_items)``."""
    r = check_ratings(ratings)
    seen = r > 0
    means = np.where(seen.any(axis=1), r.sum(axis=1) / np.maximum(seen.sum(axis=1), 1), 0.0)
    centred = np.where(seen, r - means[:, None], 0.0)
    return cosine_matrix(centred.T)


def item_based_scores(ratings: np.ndarray, user: int, k: int = 3) -> np.ndarray:
    """Item-based CF prediction: for each item, the similarity-weighted average of the user's ratings of the
    ``k``
    most similar items they rated (positive similarities only). Falls back to the user's mean.

    ``ratings: (n_users, n_items)``. Returns ``(n_items,)`` predicted ratings.
    """
    r = check_ratings(ratings)
    u = check_user(r, user)
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k: expected a positive integer, got {k!r}")
    seen = r[u] > 0
    mean = r[u][seen].mean() if seen.any() else 0.0
    sim = item_similarities(r)
    out = np.full(r.shape[1], mean)
    for i in range(r.shape[1]):
        cand = [j for j in np.flatnonzero(seen) if j != i and sim[i, j] > 0]
        cand = sorted(cand, key=lambda j: (-sim[i, j], j))[:k]
        if cand:
            s = sim[i, cand]
            out[i] = s @ r[u, cand] / s.sum()
    return out
