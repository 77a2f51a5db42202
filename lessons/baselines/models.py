"""The four baselines: popularity, Markov-1, sequential item-kNN and BPR-MF, with their tuning grids.

What each baseline knows about a user:

=================  =============================================================================
``popularity``     nothing: every user gets the same list (item counts in the fitted histories)
``markov1``        the last item only: transition counts ``last -> next``, smoothed towards popularity
``sknn``           the recent items: ``score = sum_k decay**k * sim(item[-1-k], .)`` over item-item
                   co-occurrence similarities within a window (sequential item-kNN)
``bpr``            the user's identity: an order-free user embedding (BPR-MF), pure long-term taste
``ease``           the user's WHOLE history as a set: a linear item-item model in closed form (EASE)
``recent_pop``     nothing about the user: popularity with old interactions decayed (half-life in days)
=================  =============================================================================

Empty histories are allowed: popularity, Markov-1 and kNN then fall back to popularity; BPR-MF ignores the
history and uses the user's embedding.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lessons.baselines.base import Baseline, item_counts, last_items
from lessons.checks import check_number, check_size
from lessons.data.split import SequentialSplit

__all__ = ["Popularity", "RecentPopularity", "Markov1", "SequentialKNN", "BPRMF", "EASE", "BASELINES", "GRIDS",
           "transition_counts", "cosine_topk"]


class Popularity(Baseline):
    """Score of item ``i`` = number of times ``i`` occurs in the fitted histories. Same list for everyone."""

    name = "popularity"

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        self.counts_ = item_counts(histories, split.n_items)

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.counts_.astype(np.float32), (len(histories), self.n_items))


class RecentPopularity(Baseline):
    """Popularity that forgets: an interaction at time ``t`` counts ``0.5 ** ((t_last - t) / half_life)``, with
    ``t_last`` the newest fitted timestamp and ``half_life`` in days. Same list for everyone.

    Like plain popularity under leave-one-out, ``t_last`` may lie after a given user's held-out event (the split
    is per user, not global in time), so "recent" means recent in the data set, not before that user's target.
    """

    name = "recent_pop"

    def __init__(self, half_life_days: float = 30.0) -> None:
        super().__init__()
        self.half_life_days = check_number("half_life_days", half_life_days, low=0, low_open=True)

    def params(self) -> dict[str, Any]:
        return {"half_life_days": self.half_life_days}

    def fit(self, split: SequentialSplit, stage: str = "valid") -> RecentPopularity:
        self._times = split.history_times(stage)  # the timestamps matching split.history(stage)
        return super().fit(split, stage)

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        times = self._times
        items = np.concatenate(histories) if histories else np.zeros(0, np.int64)
        when = np.concatenate(times).astype(np.float64) if times else np.zeros(0)
        age_days = (when.max() - when) / 86400.0 if when.size else when
        self.counts_ = np.bincount(items, weights=0.5 ** (age_days / self.half_life_days), minlength=split.n_items)

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.counts_.astype(np.float32), (len(histories), self.n_items))


class Markov1(Baseline):
    """First-order Markov chain on items, smoothed towards popularity.

    With ``C[a, j]`` the number of times item ``j`` directly follows item ``a`` in the fitted histories and
    ``p`` the popularity distribution (item counts / total),

        score(j | last = a) = (C[a, j] + smoothing * p[j]) / (sum_j C[a, j] + smoothing)

    a Dirichlet-smoothed transition probability: a rarely seen ``a`` leans on popularity, and an empty
    history or an item never followed by anything gets exactly ``p``.
    """

    name = "markov1"

    def __init__(self, smoothing: float = 1.0) -> None:
        super().__init__()
        if not np.isfinite(smoothing) or smoothing <= 0:
            raise ValueError(f"smoothing must be a positive number, got {smoothing!r}")
        self.smoothing = float(smoothing)

    def params(self) -> dict[str, Any]:
        return {"smoothing": self.smoothing}

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        n = split.n_items
        self.counts_ = transition_counts(histories, n, window=1, directed=True)
        pop = item_counts(histories, n)
        self.pop_ = pop / max(pop.sum(), 1.0)

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        last, has = last_items(histories)
        rows = self.counts_[last].astype(np.float64)
        rows[~has] = 0.0
        out = (rows + self.smoothing * self.pop_) / (rows.sum(axis=1, keepdims=True) + self.smoothing)
        return out.astype(np.float32)


def transition_counts(histories: list[np.ndarray], n_items: int, window: int, directed: bool,
                       distance_decay: float = 1.0) -> np.ndarray:
    """(n_items, n_items) float32 counts of item pairs ``(a, b)`` with ``b`` at most ``window`` steps after
    ``a`` in the same history (both orders when ``directed`` is false), weighted ``distance_decay**(d-1)``."""
    lens = np.array([len(h) for h in histories], dtype=np.int64)
    flat = np.concatenate(histories) if histories else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(histories)), lens)
    counts = np.zeros(n_items * n_items, dtype=np.float64)
    for d in range(1, window + 1):
        same = owner[d:] == owner[:-d]
        a, b = flat[:-d][same], flat[d:][same]
        w = distance_decay ** (d - 1)
        counts += w * np.bincount(a * n_items + b, minlength=n_items * n_items)
        if not directed:
            counts += w * np.bincount(b * n_items + a, minlength=n_items * n_items)
    return counts.reshape(n_items, n_items).astype(np.float32)


class SequentialKNN(Baseline):
    """Sequential item-kNN over the user's recent items (in the spirit of the SKNN family evaluated by
    Ludewig & Jannach, 2018).

    Similarity: ``C[a, b]`` counts how often ``b`` follows ``a`` within ``window`` steps in the fitted
    histories (``directed=False`` counts both orders); ``sim[a, b] = C[a, b] / sqrt(n_a * n_b)`` (cosine
    with item counts ``n``), the self-similarity is 0, and each row keeps its ``neighbours`` largest entries.

    Score: ``score(j) = sum_{k=0}^{m-1} decay**k * sim(item[-1-k], j) + 1e-6 * p[j]`` over the last
    ``m = min(recent, len(history))`` items (``k = 0`` is the most recent), ``p`` the popularity
    distribution, which only breaks ties and covers empty histories.
    """

    name = "sknn"

    def __init__(self, window: int = 3, decay: float = 0.6, neighbours: int = 100, recent: int = 50,
                 directed: bool = True) -> None:
        super().__init__()
        self.window = check_size("window", window)
        if not 0.0 < decay <= 1.0:
            raise ValueError(f"decay must be in (0, 1], got {decay!r}")
        self.decay = float(decay)
        self.neighbours = check_size("neighbours", neighbours)
        self.recent = check_size("recent", recent)
        self.directed = bool(directed)

    def params(self) -> dict[str, Any]:
        return {"window": self.window, "decay": self.decay, "neighbours": self.neighbours,
                "recent": self.recent, "directed": self.directed}

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        n = split.n_items
        counts = transition_counts(histories, n, self.window, self.directed)
        pop = item_counts(histories, n)
        self.sim_ = cosine_topk(counts, pop, self.neighbours)
        self.pop_ = (pop / max(pop.sum(), 1.0)).astype(np.float32)

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        m = min(self.recent, self.max_len)
        idx = np.zeros((len(histories), m), dtype=np.int64)
        w = np.zeros((len(histories), m), dtype=np.float32)
        weights = self.decay ** np.arange(m, dtype=np.float64)
        for r, h in enumerate(histories):
            tail = h[::-1][:m]  # most recent first
            idx[r, :len(tail)] = tail
            w[r, :len(tail)] = weights[:len(tail)]
        out = np.einsum("um,umi->ui", w, self.sim_[idx], optimize=True)
        out += 1e-6 * self.pop_
        return out


def cosine_topk(counts: np.ndarray, pop: np.ndarray, k: int) -> np.ndarray:
    """Cosine-normalised co-occurrences with zero diagonal, each row keeping its ``k`` largest entries."""
    norm = np.sqrt(np.maximum(pop, 1.0)).astype(np.float32)
    sim = counts / norm[:, None] / norm[None, :]
    np.fill_diagonal(sim, 0.0)
    n = sim.shape[0]
    if k < n:
        drop = np.argpartition(sim, n - k, axis=1)[:, :n - k]
        np.put_along_axis(sim, drop, 0.0, axis=1)
    return sim.astype(np.float32)


class BPRMF(Baseline):
    """BPR matrix factorisation (Rendle et al., 2009): order-free user and item embeddings.

    ``score(u, i) = P[u] . Q[i] + b[i]``, trained with the BPR loss
    ``-log sigmoid(score(u, i) - score(u, j)) + reg * (|P[u]|^2 + |Q[i]|^2 + |Q[j]|^2)`` on every (user,
    item) event of the fitted histories, one uniformly sampled negative ``j`` per event, Adam
    (``torch.optim.Adam``), minibatches.
    It ignores the order of events and the history passed to :meth:`score` (it uses ``users``): a model of
    pure long-term taste. CPU torch, one thread, seeded.
    """

    name = "bpr"

    def __init__(self, factors: int = 64, reg: float = 1e-2, epochs: int = 5, lr: float = 1e-2,
                 batch_size: int = 8192, seed: int = 0) -> None:
        super().__init__()
        self.factors = check_size("factors", factors)
        if not reg >= 0:
            raise ValueError(f"reg must be >= 0, got {reg!r}")
        self.reg = float(reg)
        self.epochs = check_size("epochs", epochs)
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr!r}")
        self.lr = float(lr)
        self.batch_size = check_size("batch_size", batch_size)
        self.seed = int(seed)
        self.losses_: list[float] = []

    def params(self) -> dict[str, Any]:
        return {"factors": self.factors, "reg": self.reg, "epochs": self.epochs, "lr": self.lr,
                "batch_size": self.batch_size, "seed": self.seed}

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        self.n_users_ = split.n_users
        for _ in self.train_epochs(split, histories):
            pass

    def train_epochs(self, split: SequentialSplit, histories: list[np.ndarray] | None = None):
        """Train epoch by epoch, yielding the epoch number (1-based) after each; used for tuning the
        number of epochs on validation without retraining.

        ``histories`` default: ``split.history('valid')``."""
        import torch

        if histories is None:
            histories = split.history("valid")
        self.n_items, self.max_len, self.n_users_ = split.n_items, split.max_len, split.n_users
        torch.set_num_threads(1)
        gen = torch.Generator().manual_seed(self.seed)
        lens = [len(h) for h in histories]
        users = torch.from_numpy(np.repeat(np.arange(len(histories), dtype=np.int64), lens))
        items = torch.from_numpy(np.concatenate(histories).astype(np.int64))
        d = self.factors
        self._p = torch.nn.Parameter(torch.randn(split.n_users, d, generator=gen) * 0.1)
        self._q = torch.nn.Parameter(torch.randn(split.n_items, d, generator=gen) * 0.1)
        self._b = torch.nn.Parameter(torch.zeros(split.n_items))
        optimizer = torch.optim.Adam([self._p, self._q, self._b], lr=self.lr)
        self.losses_ = []
        n = len(users)
        for epoch in range(1, self.epochs + 1):
            perm = torch.randperm(n, generator=gen)
            total = 0.0
            for lo in range(0, n, self.batch_size):
                idx = perm[lo:lo + self.batch_size]
                u, i = users[idx], items[idx]
                j = torch.randint(0, split.n_items, (len(idx),), generator=gen)
                pu, qi, qj = self._p[u], self._q[i], self._q[j]
                x = (pu * (qi - qj)).sum(1) + self._b[i] - self._b[j]
                loss = torch.nn.functional.softplus(-x).mean() + self.reg * (
                    pu.pow(2).sum(1) + qi.pow(2).sum(1) + qj.pow(2).sum(1)).mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * len(idx)
            self.losses_.append(total / max(n, 1))
            self._freeze()
            yield epoch

    def _freeze(self) -> None:
        self.P_ = self._p.detach().numpy().astype(np.float32).copy()
        self.Q_ = self._q.detach().numpy().astype(np.float32).copy()
        self.b_ = self._b.detach().numpy().astype(np.float32).copy()

    def check_users(self, users: np.ndarray | None, n: int) -> np.ndarray:
        users = super().check_users(users, n)
        if users.size and (users.min() < 0 or users.max() >= self.n_users_):
            raise ValueError(f"users must be ids in 0..{self.n_users_ - 1}, got range "
                             f"{users.min()}..{users.max()}")
        return users

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        return self.P_[users] @ self.Q_.T + self.b_


class EASE(Baseline):
    """EASE (Steck, 2019): item-item weights ``B`` that rebuild each user's item set from the other items,

        P = (X^T X + l2 * I)^-1,   B = I - P / diag(P)   (column-wise, so that diag(B) = 0),

    in closed form from the binary user x item matrix ``X`` of the fitted histories; a user's scores are
    ``x_u @ B`` over their whole history (order ignored: long-term taste). ``(n_items, n_items)`` float64 memory:
    78 MB for ML-1M's 3,123 items.
    """

    name = "ease"
    full_history = True

    def __init__(self, l2: float = 500.0) -> None:
        super().__init__()
        self.l2 = check_number("l2", l2, low=0, low_open=True)

    def params(self) -> dict[str, Any]:
        return {"l2": self.l2}

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        x = np.zeros((len(histories), split.n_items), dtype=np.float32)  # (n_users, n_items) binary
        for row, h in enumerate(histories):
            x[row, h] = 1.0
        gram = (x.T @ x).astype(np.float64)  # co-occurrence counts, exact in float32 (< 2**24)
        gram[np.diag_indices_from(gram)] += self.l2
        p = np.linalg.inv(gram)
        self.B_ = (-p / np.diag(p)).astype(np.float32)
        np.fill_diagonal(self.B_, 0.0)

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        x = np.zeros((len(histories), self.n_items), dtype=np.float32)
        for row, h in enumerate(histories):
            x[row, h] = 1.0
        return x @ self.B_


BASELINES: dict[str, type[Baseline]] = {"popularity": Popularity, "recent_pop": RecentPopularity,
                                        "markov1": Markov1, "sknn": SequentialKNN, "bpr": BPRMF, "ease": EASE}


#: Small validation grids. BPR's ``epochs`` is the list of checkpoints evaluated during one training run.
GRIDS: dict[str, dict[str, list]] = {
    "popularity": {},
    "markov1": {"smoothing": [0.01, 0.1, 1.0, 10.0, 100.0]},
    "sknn": {"window": [1, 3, 10], "decay": [0.3, 0.6, 0.9], "neighbours": [100], "directed": [True, False]},
    "bpr": {"factors": [64], "reg": [1e-2, 3e-2], "epochs": [2, 5, 10]},
    "recent_pop": {"half_life_days": [7.0, 30.0, 180.0, 730.0]},
    "ease": {"l2": [100.0, 300.0, 1000.0, 3000.0]},
}
