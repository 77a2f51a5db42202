"""Matrix factorisation for Part I: alternating least squares on the observed ratings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lessons.classic.similarity import check_ratings, check_user


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
    r = check_ratings(ratings)
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
    u = check_user(model.p, user)
    return model.mu + model.q @ model.p[u]
