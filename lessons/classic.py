"""Toy recommenders for Part I: content-based, collaborative filtering, matrix factorisation, recent state.

Everything runs on one tiny, hand-made data set (:func:`toy_data`): six users, eleven films, six genres, a
rating matrix with gaps and each user's viewing order. The functions are deliberately plain NumPy so that
every number in the chapter "Recommender approaches" can be checked by hand.

Conventions: ``ratings`` is a ``(n_users, n_items)`` array with ``0`` meaning "not rated"; observed ratings
are 1..5. Every scoring function returns a ``(n_items,)`` array of scores for one user (higher is better);
items the user has already rated are *not* removed, :func:`score_table` does that for display.

The recent-sequence state (:func:`recent_state`) is a GRU with its gates frozen: ``h_t = z * x_t + (1 - z) *
h_{t-1}``, with a fixed update weight ``z`` on the new item and the item's genre vector as the candidate. A
real GRU (Part II) learns both from data; the frozen version already shows why a hidden state summarises
*recent* interest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "ToyData",
    "toy_data",
    "with_new_item",
    "as_frame",
    "cosine",
    "cosine_matrix",
    "tfidf",
    "content_profile",
    "content_scores",
    "user_similarities",
    "user_based_scores",
    "item_similarities",
    "item_based_scores",
    "MF",
    "als",
    "mf_scores",
    "recent_state",
    "sequence_scores",
    "long_term_profile",
    "score_table",
    "check_cosine",
    "check_user_based",
    "COSINE_EXERCISE",
]


@dataclass(frozen=True)
class ToyData:
    """The toy catalogue.

    Attributes:
        users: ``(n_users,)`` user names.
        items: ``(n_items,)`` film titles (invented).
        genres: ``(n_features,)`` genre names.
        item_features: ``(n_items, n_features)`` 0/1 genre indicators.
        ratings: ``(n_users, n_items)`` ratings 1..5, 0 where not rated.
        sequences: user name -> indices of the items the user rated, in the order watched (oldest first).
    """

    users: tuple[str, ...]
    items: tuple[str, ...]
    genres: tuple[str, ...]
    item_features: np.ndarray
    ratings: np.ndarray
    sequences: Mapping[str, tuple[int, ...]]

    def user_index(self, user: str | int) -> int:
        """Index of a user given by name or index; raises ``ValueError`` if unknown."""
        if isinstance(user, (int, np.integer)):
            if not 0 <= int(user) < len(self.users):
                raise ValueError(f"user: expected an index in [0, {len(self.users)}), got {user}")
            return int(user)
        if user not in self.users:
            raise ValueError(f"user: expected one of {list(self.users)}, got {user!r}")
        return self.users.index(user)


def toy_data() -> ToyData:
    """Return the book's toy data set (deterministic; no randomness, no files)."""
    genres = ("Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi")
    catalogue = (
        ("Star Raid", ("Action", "Sci-Fi")),
        ("Laugh Track", ("Comedy",)),
        ("Quiet Harbour", ("Drama", "Romance")),
        ("Night Shift", ("Horror",)),
        ("Robot Heart", ("Drama", "Sci-Fi")),
        ("Wedding Chaos", ("Comedy", "Romance")),
        ("Deep Cellar", ("Horror", "Sci-Fi")),
        ("Fast Lane", ("Action",)),
        ("Office Party", ("Comedy",)),
        ("Dark Woods", ("Horror",)),
        ("Sunday Brunch", ("Comedy", "Romance")),
    )
    items = tuple(name for name, _ in catalogue)
    f = np.zeros((len(items), len(genres)))
    for i, (_, gs) in enumerate(catalogue):
        f[i, [genres.index(g) for g in gs]] = 1.0
    users = ("Ana", "Ben", "Caro", "Dev", "Eli", "Fay")
    ratings = np.array(
        [
            # Star Laugh Quiet Night Robot Wedd Deep Fast Office Dark Brunch
            [5, 0, 1, 0, 4, 0, 0, 5, 2, 0, 0],  # Ana: action and sci-fi
            [4, 0, 0, 3, 5, 1, 0, 4, 0, 2, 0],  # Ben: much like Ana
            [0, 5, 4, 0, 0, 5, 1, 0, 4, 0, 5],  # Caro: comedy and romance
            [0, 5, 0, 4, 0, 5, 5, 0, 5, 0, 0],  # Dev: comedy for a long time, horror lately
            [0, 0, 5, 4, 4, 0, 0, 0, 0, 5, 2],  # Eli: drama and horror
            [5, 1, 0, 0, 0, 0, 4, 4, 0, 4, 0],  # Fay: action and horror
        ],
        dtype=float,
    )
    sequences = {
        "Ana": (0, 7, 8, 2, 4),
        "Ben": (0, 7, 5, 4, 3, 9),
        "Caro": (1, 5, 2, 10, 8, 6),
        "Dev": (1, 5, 8, 3, 6),
        "Eli": (2, 4, 10, 3, 9),
        "Fay": (7, 0, 1, 6, 9),
    }
    for u, seq in sequences.items():
        rated = set(np.flatnonzero(ratings[users.index(u)]).tolist())
        assert set(seq) == rated, u
    return ToyData(users, items, genres, f, ratings, sequences)


def with_new_item(data: ToyData, name: str, genres: Sequence[str]) -> ToyData:
    """A copy of ``data`` with one more item that nobody has rated yet (an item cold start).

    ``genres`` must be names from ``data.genres``. The new item is the last column of ``ratings``.
    """
    if name in data.items:
        raise ValueError(f"name: expected a new item name, got {name!r}, which is already in the catalogue")
    unknown = [g for g in genres if g not in data.genres]
    if unknown or not genres:
        raise ValueError(f"genres: expected one or more of {list(data.genres)}, got {list(genres)}")
    row = np.zeros((1, len(data.genres)))
    row[0, [data.genres.index(g) for g in genres]] = 1.0
    return ToyData(
        data.users,
        (*data.items, name),
        data.genres,
        np.vstack([data.item_features, row]),
        np.hstack([data.ratings, np.zeros((len(data.users), 1))]),
        dict(data.sequences),
    )


def as_frame(data: ToyData) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rating matrix (users x items, blanks where not rated) and the genre table (items x genres, 0/1)."""
    r = pd.DataFrame(data.ratings, index=list(data.users), columns=list(data.items))
    r = r.where(r > 0).astype("Int64")
    g = pd.DataFrame(data.item_features.astype(int), index=list(data.items), columns=list(data.genres))
    return r, g


# --------------------------------------------------------------------------- helpers


def _as_2d(name: str, a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: expected finite values, got NaN or inf")
    return a


def _check_ratings(ratings: np.ndarray) -> np.ndarray:
    r = _as_2d("ratings", ratings)
    if np.any(r < 0):
        raise ValueError(f"ratings: expected values >= 0 (0 = not rated), got minimum {r.min()}")
    return r


def _check_user(ratings: np.ndarray, user: int) -> int:
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
    x = _as_2d("x", x)
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
    x = _as_2d("features", features)
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
    f = _as_2d("item_features", item_features)
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
    r = _check_ratings(ratings)
    u = _check_user(r, user)
    f = _as_2d("item_features", item_features)
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
    r = _check_ratings(ratings)
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
    r = _check_ratings(ratings)
    u = _check_user(r, user)
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
    r = _check_ratings(ratings)
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
    r = _check_ratings(ratings)
    u = _check_user(r, user)
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


# --------------------------------------------------------------------------- matrix factorisation


@dataclass(frozen=True)
class MF:
    """A fitted matrix factorisation: ``r_ui ~ mu + p_u . q_i``.

    Attributes:
        p: ``(n_users, d)`` user factors (the long-term interest vectors).
        q: ``(n_items, d)`` item factors.
        mu: mean of the observed ratings.
        losses: objective after each sweep, ``(n_iters,)``.
    """

    p: np.ndarray
    q: np.ndarray
    mu: float
    losses: tuple[float, ...]


def als(ratings: np.ndarray, rank: int = 2, reg: float = 1.0, n_iters: int = 20, seed: int = 0) -> MF:
    """Matrix factorisation by alternating least squares on the observed entries (Koren et al. 2009).

    With ``mu`` the mean observed rating, minimises
    ``sum_{(u,i) observed} (r_ui - mu - p_u . q_i)^2 + reg * (|P|^2 + |Q|^2)``. Each half-step solves a ridge
    regression per user (then per item) exactly, so the objective never increases.

    Args:
        ratings: ``(n_users, n_items)``, 0 = not rated.
        rank: latent dimension ``d``.
        reg: L2 weight, > 0.
        n_iters: number of sweeps (users, then items).
        seed: initialisation seed.
    """
    r = _check_ratings(ratings)
    if not isinstance(rank, (int, np.integer)) or rank < 1:
        raise ValueError(f"rank: expected a positive integer, got {rank!r}")
    if not reg > 0:
        raise ValueError(f"reg: expected a positive number, got {reg!r}")
    if not isinstance(n_iters, (int, np.integer)) or n_iters < 1:
        raise ValueError(f"n_iters: expected a positive integer, got {n_iters!r}")
    seen = r > 0
    if not seen.any():
        raise ValueError("ratings: expected at least one observed rating, got none")
    mu = float(r[seen].mean())
    res = np.where(seen, r - mu, 0.0)
    rng = np.random.default_rng(seed)
    n_u, n_i = r.shape
    p = 0.1 * rng.standard_normal((n_u, rank))
    q = 0.1 * rng.standard_normal((n_i, rank))
    eye = reg * np.eye(rank)
    losses: list[float] = []
    for _ in range(n_iters):
        for u in range(n_u):
            qi = q[seen[u]]
            p[u] = np.linalg.solve(qi.T @ qi + eye, qi.T @ res[u, seen[u]])
        for i in range(n_i):
            pu = p[seen[:, i]]
            q[i] = np.linalg.solve(pu.T @ pu + eye, pu.T @ res[seen[:, i], i])
        err = np.where(seen, res - p @ q.T, 0.0)
        losses.append(float((err**2).sum() + reg * ((p**2).sum() + (q**2).sum())))
    return MF(p, q, mu, tuple(losses))


def mf_scores(model: MF, user: int) -> np.ndarray:
    """Predicted ratings ``mu + P[user] @ Q.T`` for every item; returns ``(n_items,)``."""
    if not isinstance(model, MF):
        raise ValueError(f"model: expected an MF returned by als(), got {type(model).__name__}")
    u = _check_user(model.p, user)
    return model.mu + model.q @ model.p[u]


# --------------------------------------------------------------------------- recent-sequence state


def recent_state(sequence: Sequence[int], item_features: np.ndarray, z: float = 0.5) -> np.ndarray:
    """A frozen-gate GRU over a user's sequence: ``h_t = z * x_t + (1 - z) * h_{t-1}``, ``h_0 = 0``.

    ``x_t`` is the feature vector of the t-th item watched (``item_features: (n_items, n_features)``). ``z``
    in
    (0, 1] is the weight of the newest item: with ``z = 1`` the state is the last item only, small ``z``
    remembers
    longer. Returns the states ``(T, n_features)``; the last row is the short-term interest.
    """
    f = _as_2d("item_features", item_features)
    if not 0.0 < z <= 1.0:
        raise ValueError(f"z: expected a number in (0, 1], got {z!r}")
    seq = list(sequence)
    if not seq:
        raise ValueError("sequence: expected at least one item, got an empty sequence")
    if any(not isinstance(i, (int, np.integer)) or not 0 <= i < f.shape[0] for i in seq):
        raise ValueError(f"sequence: expected item indices in [0, {f.shape[0]}), got {seq}")
    h = np.zeros(f.shape[1])
    out = np.empty((len(seq), f.shape[1]))
    for t, i in enumerate(seq):
        h = z * f[i] + (1.0 - z) * h
        out[t] = h
    return out


def long_term_profile(sequence: Sequence[int], item_features: np.ndarray) -> np.ndarray:
    """The long-term counterpart of :func:`recent_state`: the plain average of all items' features,
    ``(n_features,)``."""
    f = _as_2d("item_features", item_features)
    seq = list(sequence)
    if not seq:
        raise ValueError("sequence: expected at least one item, got an empty sequence")
    if any(not isinstance(i, (int, np.integer)) or not 0 <= i < f.shape[0] for i in seq):
        raise ValueError(f"sequence: expected item indices in [0, {f.shape[0]}), got {seq}")
    return f[seq].mean(axis=0)


def sequence_scores(state: np.ndarray, item_features: np.ndarray) -> np.ndarray:
    """Score every item by the cosine between a state ``(n_features,)`` and its features; returns
    ``(n_items,)``."""
    f = _as_2d("item_features", item_features)
    s = np.asarray(state, dtype=float)
    if s.shape != (f.shape[1],):
        raise ValueError(f"state: expected shape ({f.shape[1]},), got {s.shape}")
    return np.array([cosine(s, f[i]) for i in range(f.shape[0])])


# --------------------------------------------------------------------------- display


def score_table(
    scores: Mapping[str, np.ndarray], items: Sequence[str], seen: np.ndarray | None = None, decimals: int = 2
) -> pd.DataFrame:
    """A table with one column per method and one row per item, rounded; items in ``seen`` (a boolean mask
    ``(n_items,)``) are dropped, because a recommender ranks what the user has not consumed yet."""
    n = len(items)
    for name, s in scores.items():
        if np.shape(s) != (n,):
            raise ValueError(f"scores[{name!r}]: expected shape ({n},), got {np.shape(s)}")
    df = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in scores.items()}, index=list(items))
    df.index.name = "item"
    if seen is not None:
        m = np.asarray(seen, dtype=bool)
        if m.shape != (n,):
            raise ValueError(f"seen: expected a boolean mask of shape ({n},), got {m.shape}")
        df = df[~m]
    return df.round(decimals)


# --------------------------------------------------------------------------- exercise checkers

#: The cosine exercise: Ana's and Ben's mean-centred rating rows.
COSINE_EXERCISE: tuple[str, str] = ("Ana", "Ben")


def _verdict(name: str, answer: float, expected: float, tol: float) -> str:
    try:
        a = float(answer)
    except (TypeError, ValueError):
        raise ValueError(f"answer: expected a number, got {answer!r}") from None
    if abs(a - expected) <= tol:
        return f"Correct: {name} = {expected:.3f}."
    return f"Not yet: you gave {a:.3f}; {name} is not that (tolerance {tol}). Check the hint."


def check_cosine(answer: float, tol: float = 1e-3) -> str:
    """Check the exercise "cosine similarity of Ana's and Ben's mean-centred rating rows" (0 = not rated
    stays 0).

    Returns a message starting with ``"Correct"`` or ``"Not yet"``.
    """
    d = toy_data()
    sim = user_similarities(d.ratings)
    a, b = (d.user_index(u) for u in COSINE_EXERCISE)
    return _verdict("the centred cosine of Ana and Ben", answer, float(sim[a, b]), tol)


def check_user_based(answer: float, tol: float = 1e-2) -> str:
    """Check the exercise "user-based prediction (``k = 2``) of Ana's rating of 'Dark Woods'".

    Returns a message starting with ``"Correct"`` or ``"Not yet"``.
    """
    d = toy_data()
    pred = user_based_scores(d.ratings, d.user_index("Ana"), k=2)
    return _verdict(
        "Ana's predicted rating of Dark Woods", answer, float(pred[d.items.index("Dark Woods")]), tol
    )
