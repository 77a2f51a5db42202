"""Strong simple baselines for next-item prediction: popularity, Markov-1, sequential item-kNN and BPR-MF.

Every baseline follows the same small interface, so the case-study models and the baselines are scored by
exactly the same code on exactly the same :class:`lessons.data.SequentialSplit`:

* ``fit(split, stage)`` learns from the histories available when predicting ``stage``:
  ``split.history("valid")`` (the training sequences) for ``"valid"``, and ``split.history("test")`` (the
  training sequences plus each user's validation item) for ``"test"``. So the test run *refits* on
  train + validation with the hyper-parameters chosen on validation; nothing is ever fitted on a target.
* ``score(histories)`` returns ``(n, n_items)`` float32 scores, larger = recommend first, computed in
  chunks of users so memory stays bounded. Only the last ``split.max_len`` items of a history are read.
* :func:`evaluate` ranks all items for every user (seen items are *not* masked, ties pessimistic) and
  returns HR/NDCG/MRR at 5, 10 and 20 with 95 % bootstrap intervals over users.

What each baseline knows about a user:

=================  =============================================================================
``popularity``     nothing: every user gets the same list (item counts in the fitted histories)
``markov1``        the last item only: transition counts ``last -> next``, smoothed towards popularity
``sknn``           the recent items: ``score = sum_k decay**k * sim(item[-1-k], .)`` over item-item
                   co-occurrence similarities within a window (sequential item-kNN)
``bpr``            the user's identity: an order-free user embedding (BPR-MF), pure long-term taste
=================  =============================================================================

Empty histories are allowed: popularity, Markov-1 and kNN then fall back to popularity; BPR-MF ignores the
history and uses the user's embedding.

Command line (tunes on validation, evaluates on test once, writes ``results/baselines-<dataset>.jsonl``)::

    nice python -m lessons.baselines run --dataset ml-1m
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lessons.data import STAGES, SequentialSplit
from lessons.metrics import KS, bootstrap_ci, per_user_metrics, target_ranks

__all__ = [
    "Baseline", "Popularity", "Markov1", "SequentialKNN", "BPRMF", "BASELINES", "GRIDS",
    "evaluate", "per_user_ranks", "tune", "sampled_ranks", "run", "results_path", "load_results", "main",
    "results_table", "fit_from_record", "sampled_vs_full", "popular_items_already_seen", "seen_in_top_k",
]

#: Scores of about this many (user, item) cells are held at once.
CHUNK_CELLS = 2_000_000
#: Model selection criterion on validation.
SELECT_BY = "ndcg@10"


# ------------------------------------------------------------------------------------------------ checks
def _check_split(split: Any) -> SequentialSplit:
    if not isinstance(split, SequentialSplit):
        raise ValueError(f"split must be a lessons.data.SequentialSplit, got {type(split).__name__}")
    return split


def _check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    return stage


def _check_histories(histories: Sequence[np.ndarray], n_items: int) -> list[np.ndarray]:
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


def _positive_int(name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def _chunk_rows(n_items: int, cells: int = CHUNK_CELLS) -> int:
    return max(1, cells // max(n_items, 1))


# ------------------------------------------------------------------------------------------- interface
class Baseline:
    """Common interface. Subclasses implement ``_fit`` and ``_score_chunk``."""

    name = "baseline"

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
        split = _check_split(split)
        _check_stage(stage)
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
        hist = _check_histories(histories, self.n_items)
        hist = [h[-self.max_len:] for h in hist]
        users = self._check_users(users, len(hist))
        out = np.empty((len(hist), self.n_items), dtype=np.float32)
        step = _chunk_rows(self.n_items)
        for lo in range(0, len(hist), step):
            out[lo:lo + step] = self._score_chunk(hist[lo:lo + step], users[lo:lo + step])
        return out

    def score_chunks(self, histories: Sequence[np.ndarray], users: np.ndarray | None = None,
                     chunk: int | None = None):
        """Yield ``(lo, scores)`` blocks of :meth:`score`, ``chunk`` users at a time (memory-bounded)."""
        if self.n_items is None:
            raise ValueError(f"{self.name}: call fit(split, stage) before score()")
        hist = _check_histories(histories, self.n_items)
        users = self._check_users(users, len(hist))
        step = chunk or _chunk_rows(self.n_items)
        for lo in range(0, len(hist), step):
            block = [h[-self.max_len:] for h in hist[lo:lo + step]]
            yield lo, self._score_chunk(block, users[lo:lo + step]).astype(np.float32, copy=False)

    # --- to implement
    def _check_users(self, users: np.ndarray | None, n: int) -> np.ndarray:
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


def _item_counts(histories: list[np.ndarray], n_items: int) -> np.ndarray:
    flat = np.concatenate(histories) if histories else np.zeros(0, np.int64)
    return np.bincount(flat, minlength=n_items).astype(np.float64)


def _last_items(histories: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(n,) last item of each history (0 where empty) and (n,) bool: history non-empty."""
    has = np.array([len(h) > 0 for h in histories], dtype=bool)
    last = np.array([h[-1] if len(h) else 0 for h in histories], dtype=np.int64)
    return last, has


# ---------------------------------------------------------------------------------------------- models
class Popularity(Baseline):
    """Score of item ``i`` = number of times ``i`` occurs in the fitted histories. Same list for everyone."""

    name = "popularity"

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        self.counts_ = _item_counts(histories, split.n_items)

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
        self.counts_ = _transition_counts(histories, n, window=1, directed=True)
        pop = _item_counts(histories, n)
        self.pop_ = pop / max(pop.sum(), 1.0)

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        last, has = _last_items(histories)
        rows = self.counts_[last].astype(np.float64)
        rows[~has] = 0.0
        out = (rows + self.smoothing * self.pop_) / (rows.sum(axis=1, keepdims=True) + self.smoothing)
        return out.astype(np.float32)


def _transition_counts(histories: list[np.ndarray], n_items: int, window: int, directed: bool,
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
        self.window = _positive_int("window", window)
        if not 0.0 < decay <= 1.0:
            raise ValueError(f"decay must be in (0, 1], got {decay!r}")
        self.decay = float(decay)
        self.neighbours = _positive_int("neighbours", neighbours)
        self.recent = _positive_int("recent", recent)
        self.directed = bool(directed)

    def params(self) -> dict[str, Any]:
        return {"window": self.window, "decay": self.decay, "neighbours": self.neighbours,
                "recent": self.recent, "directed": self.directed}

    def _fit(self, split: SequentialSplit, histories: list[np.ndarray]) -> None:
        n = split.n_items
        counts = _transition_counts(histories, n, self.window, self.directed)
        pop = _item_counts(histories, n)
        self.sim_ = _cosine_topk(counts, pop, self.neighbours)
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


def _cosine_topk(counts: np.ndarray, pop: np.ndarray, k: int) -> np.ndarray:
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
    item) event of the fitted histories, one uniformly sampled negative ``j`` per event, Adam (Kingma & Ba's
    update written out), minibatches.
    It ignores the order of events and the history passed to :meth:`score` (it uses ``users``): a model of
    pure long-term taste. CPU torch, one thread, seeded.
    """

    name = "bpr"

    def __init__(self, factors: int = 64, reg: float = 1e-2, epochs: int = 5, lr: float = 1e-2,
                 batch_size: int = 8192, seed: int = 0) -> None:
        super().__init__()
        self.factors = _positive_int("factors", factors)
        if not reg >= 0:
            raise ValueError(f"reg must be >= 0, got {reg!r}")
        self.reg = float(reg)
        self.epochs = _positive_int("epochs", epochs)
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr!r}")
        self.lr = float(lr)
        self.batch_size = _positive_int("batch_size", batch_size)
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
        params = [self._p, self._q, self._b]
        moments = [(torch.zeros_like(w), torch.zeros_like(w)) for w in params]
        beta1, beta2, eps, steps = 0.9, 0.999, 1e-8, 0
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
                for w in params:
                    w.grad = None
                loss.backward()
                steps += 1
                with torch.no_grad():  # Adam, written out (torch.optim costs seconds to import)
                    for w, (m1, m2) in zip(params, moments, strict=True):
                        m1.mul_(beta1).add_(w.grad, alpha=1 - beta1)
                        m2.mul_(beta2).addcmul_(w.grad, w.grad, value=1 - beta2)
                        denom = (m2 / (1 - beta2 ** steps)).sqrt_().add_(eps)
                        w.addcdiv_(m1, denom, value=-self.lr / (1 - beta1 ** steps))
                total += float(loss.detach()) * len(idx)
            self.losses_.append(total / max(n, 1))
            self._freeze()
            yield epoch

    def _freeze(self) -> None:
        self.P_ = self._p.detach().numpy().astype(np.float32).copy()
        self.Q_ = self._q.detach().numpy().astype(np.float32).copy()
        self.b_ = self._b.detach().numpy().astype(np.float32).copy()

    def _check_users(self, users: np.ndarray | None, n: int) -> np.ndarray:
        users = super()._check_users(users, n)
        if users.size and (users.min() < 0 or users.max() >= self.n_users_):
            raise ValueError(f"users must be ids in 0..{self.n_users_ - 1}, got range "
                             f"{users.min()}..{users.max()}")
        return users

    def _score_chunk(self, histories: list[np.ndarray], users: np.ndarray) -> np.ndarray:
        return self.P_[users] @ self.Q_.T + self.b_


BASELINES: dict[str, type[Baseline]] = {"popularity": Popularity, "markov1": Markov1, "sknn": SequentialKNN,
                                        "bpr": BPRMF}

#: Small validation grids. BPR's ``epochs`` is the list of checkpoints evaluated during one training run.
GRIDS: dict[str, dict[str, list]] = {
    "popularity": {},
    "markov1": {"smoothing": [0.01, 0.1, 1.0, 10.0, 100.0]},
    "sknn": {"window": [1, 3, 10], "decay": [0.3, 0.6, 0.9], "neighbours": [100], "directed": [True, False]},
    "bpr": {"factors": [64], "reg": [1e-2, 3e-2], "epochs": [2, 5, 10]},
}


# ------------------------------------------------------------------------------------------ evaluation
def _ranks(model: Baseline, split: SequentialSplit, stage: str) -> np.ndarray:
    targets = split.targets(stage)
    ranks = np.empty(split.n_users, dtype=np.int64)
    hist = split.history(stage)
    for lo, block in model.score_chunks(hist):
        ranks[lo:lo + len(block)] = target_ranks(block, targets[lo:lo + len(block)])
    return ranks


def evaluate(model: Baseline, split: SequentialSplit, stage: str = "test", ci: bool = True,
             ks: Sequence[int] = KS, n_boot: int = 1000, seed: int = 0) -> dict[str, Any]:
    """Full-ranking HR/NDCG/MRR@``ks`` of a fitted model on ``split`` at ``stage``.

    Scores every user's ``split.history(stage)`` against ``split.targets(stage)`` over all items, seen items
    not masked, ties pessimistic (:func:`lessons.metrics.target_ranks`), in memory-bounded chunks. Returns
    ``{"hr@10": .., ..., "n_users": n}`` plus ``"ci": {name: [lo, hi]}`` (95 % bootstrap over users) when
    ``ci``. A model fitted for ``"test"`` (it has seen the validation items) cannot be evaluated on
    ``"valid"``.
    """
    split = _check_split(split)
    _check_stage(stage)
    if not isinstance(model, Baseline) or model.fitted_stage is None:
        raise ValueError(f"model must be a fitted Baseline, got {model!r}")
    if model.n_items != split.n_items:
        raise ValueError(f"model was fitted with n_items={model.n_items}, split has {split.n_items}")
    if model.fitted_stage == "test" and stage == "valid":
        raise ValueError("stage='valid' on a model fitted for 'test' would score the validation items it was "
                         "trained on; fit(split, 'valid') first")
    ranks = _ranks(model, split, stage)
    per_user = per_user_metrics(ranks, ks)
    out: dict[str, Any] = {name: float(v.mean()) for name, v in per_user.items()}
    out["n_users"] = int(ranks.size)
    if ci:
        out["ci"] = {name: list(bootstrap_ci(v, n_boot=n_boot, seed=seed)) for name, v in per_user.items()}
    return out


def per_user_ranks(model: Baseline, split: SequentialSplit, stage: str = "test") -> np.ndarray:
    """(n_users,) 1-based full-ranking ranks of each user's target (see :func:`evaluate`)."""
    _check_split(split)
    _check_stage(stage)
    return _ranks(model, split, stage)


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
    n_negatives = _positive_int("n_negatives", n_negatives)
    if n_negatives > n_items - 1:
        raise ValueError(f"n_negatives must be <= n_items - 1 = {n_items - 1}, got {n_negatives}")
    rng = np.random.default_rng(seed)
    # n_negatives distinct draws from the n_items - 1 non-target items: sample from 0..n_items-2, shift past t
    keys = rng.random((n_users, n_items - 1))
    neg = np.argpartition(keys, n_negatives - 1, axis=1)[:, :n_negatives]
    neg = neg + (neg >= targets[:, None])
    own = scores[np.arange(n_users), targets]
    return 1 + (np.take_along_axis(scores, neg, axis=1) >= own[:, None]).sum(axis=1)


# ------------------------------------------------------------------------------------------------ tuning
def _grid_points(grid: dict[str, list]) -> list[dict[str, Any]]:
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*(grid[k] for k in keys))]


def tune(name: str, split: SequentialSplit, grid: dict[str, list] | None = None, seed: int = 0,
         log=None, return_model: bool = False):
    """Grid search of baseline ``name`` on the *validation* stage by :data:`SELECT_BY` (NDCG@10).

    Returns ``(best_params, trials)`` where each trial is ``{"params": .., "valid": {metric: value}}``, and
    with ``return_model`` also the best model, fitted for ``"valid"``: ``(best_params, trials, model)``.
    For BPR the ``epochs`` list is read as checkpoints of one training run per (factors, reg).
    """
    import copy

    if name not in BASELINES:
        raise ValueError(f"name must be one of {list(BASELINES)}, got {name!r}")
    grid = GRIDS[name] if grid is None else grid
    trials: list[dict[str, Any]] = []
    best_model: list[Baseline] = []

    def record(params: dict[str, Any], model: Baseline) -> None:
        res = evaluate(model, split, "valid", ci=False)
        if not trials or res[SELECT_BY] > max(t["valid"][SELECT_BY] for t in trials):
            snapshot = copy.copy(model)  # BPR's P_, Q_ are new arrays each epoch; kNN's decay is a float
            if isinstance(snapshot, BPRMF):
                snapshot.epochs = params["epochs"]
            best_model[:] = [snapshot]
        trials.append({"params": params, "valid": {k: v for k, v in res.items() if k != "n_users"}})
        if log:
            log(f"  {name} {params} valid {SELECT_BY}={res[SELECT_BY]:.4f}")

    if name == "bpr":
        checkpoints = sorted(grid.get("epochs", [20]))
        base = {k: v for k, v in grid.items() if k != "epochs"}
        for point in _grid_points(base):
            model = BPRMF(**point, epochs=max(checkpoints), seed=seed)
            model.fitted_stage = "valid"
            for epoch in model.train_epochs(split, split.history("valid")):
                if epoch in checkpoints:
                    record({**model.params(), "epochs": epoch}, model)
    elif name == "sknn" and "decay" in grid:
        # the similarity matrix does not depend on the decay: fit once per (window, neighbours, ...)
        base = {k: v for k, v in grid.items() if k != "decay"}
        for point in _grid_points(base):
            model = SequentialKNN(**point).fit(split, "valid")
            for decay in grid["decay"]:
                model.decay = float(SequentialKNN(decay=decay).decay)  # validated
                record({**point, "decay": model.decay}, model)
    else:
        for point in _grid_points(grid):
            model = BASELINES[name](**point)
            model.fit(split, "valid")
            record({**point}, model)
    if not trials:
        raise ValueError(f"grid for {name} produced no trial: {grid!r}")
    best = max(trials, key=lambda t: t["valid"][SELECT_BY])
    if return_model:
        return dict(best["params"]), trials, best_model[0]
    return dict(best["params"]), trials


# ---------------------------------------------------------------------------------------------------- CLI
def results_path(dataset: str) -> Path:
    """``results/baselines-<dataset>.jsonl`` in the repository."""
    from lessons.provenance import RESULTS_DIR

    return RESULTS_DIR / f"baselines-{dataset}.jsonl"


def load_results(dataset: str) -> list[dict[str, Any]]:
    """The records written by ``python -m lessons.baselines run --dataset <dataset>``."""
    from lessons.provenance import read_records

    return read_records(results_path(dataset))


def run(dataset: str, names: Sequence[str] = tuple(BASELINES), seed: int = 0, out: Path | None = None,
        split: SequentialSplit | None = None, grids: dict[str, dict[str, list]] | None = None,
        log=print) -> list[dict[str, Any]]:
    """Tune every baseline in ``names`` on validation, refit on train + validation with the chosen
    hyper-parameters, evaluate once on test, and write one JSON line per baseline to ``out`` (default
    :func:`results_path`; the file is overwritten, not appended to). Returns the records."""
    from lessons.data import load_split
    from lessons.provenance import append_record, provenance

    split = load_split(dataset) if split is None else _check_split(split)
    out = results_path(dataset) if out is None else Path(out)
    grids = GRIDS if grids is None else grids
    records = []
    for name in names:
        if name not in BASELINES:
            raise ValueError(f"names must be among {list(BASELINES)}, got {name!r}")
        log(f"[{dataset}] tuning {name}")
        t0 = time.perf_counter()
        best, trials, valid_model = tune(name, split, grids.get(name, {}), seed=seed, log=log,
                                         return_model=True)
        tune_seconds = time.perf_counter() - t0
        kwargs = {**best, "seed": seed} if name == "bpr" else best
        valid = evaluate(valid_model, split, "valid", ci=True, seed=seed)  # the tuned model itself
        test_model = BASELINES[name](**kwargs).fit(split, "test")
        test = evaluate(test_model, split, "test", ci=True, seed=seed)
        log(f"[{dataset}] {name} {best}: valid ndcg@10={valid['ndcg@10']:.4f} test hr@10={test['hr@10']:.4f} "
            f"ndcg@10={test['ndcg@10']:.4f} (fit {test_model.fit_seconds:.1f}s)")
        records.append({
            "dataset": split.dataset, "protocol": split.protocol, "baseline": name,
            "n_users": split.n_users, "n_items": split.n_items, "max_len": split.max_len,
            "params": test_model.params(), "grid": grids.get(name, {}), "select_by": f"valid {SELECT_BY}",
            "trials": trials, "valid": valid, "test": test,
            "test_fit": "refit on train + validation items with the chosen hyper-parameters",
            "fit_seconds": test_model.fit_seconds, "tune_seconds": tune_seconds, "seed": seed,
            "bootstrap": {"n_boot": 1000, "level": 0.95, "unit": "user"},
            "command": f"python -m lessons.baselines run --dataset {dataset}",
            **provenance(),
        })
    if out.exists():
        out.unlink()
    for rec in records:
        append_record(out, rec)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.baselines", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="tune on validation, evaluate on test, write results/baselines-*.jsonl")
    r.add_argument("--dataset", choices=("ml-100k", "ml-1m"), required=True)
    r.add_argument("--baselines", nargs="+", default=list(BASELINES), choices=list(BASELINES))
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    records = run(args.dataset, args.baselines, seed=args.seed, out=args.out,
                  log=lambda s: print(s, file=sys.stderr, flush=True))
    for rec in records:
        print(json.dumps({"baseline": rec["baseline"], "params": rec["params"],
                          **{k: rec["test"][k] for k in ("hr@10", "ndcg@10", "mrr@10")}}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


# ------------------------------------------------------------------------------------- chapter helpers
def results_table(records: Sequence[dict[str, Any]], stage: str = "test",
                  metrics: Sequence[str] = ("hr@10", "ndcg@10", "mrr@10")):
    """A pandas DataFrame with one row per baseline record: each metric at ``stage`` with its 95 % interval
    (columns ``<metric>``, ``<metric> lo``, ``<metric> hi``), the chosen hyper-parameters and fit seconds."""
    import pandas as pd

    _check_stage(stage)
    rows = []
    for rec in records:
        res = rec[stage]
        row: dict[str, Any] = {"baseline": rec["baseline"]}
        for m in metrics:
            if m not in res:
                raise ValueError(f"metrics must be among {sorted(k for k in res if '@' in k)}, got {m!r}")
            row[m] = res[m]
            lo, hi = res.get("ci", {}).get(m, (np.nan, np.nan))
            row[f"{m} lo"], row[f"{m} hi"] = lo, hi
        row["params"] = ", ".join(f"{k}={v}" for k, v in rec["params"].items() if k not in ("seed",))
        row["fit s"] = rec.get("fit_seconds", np.nan)
        rows.append(row)
    return pd.DataFrame(rows).set_index("baseline")


def fit_from_record(record: dict[str, Any], split: SequentialSplit, stage: str = "test") -> Baseline:
    """Refit the baseline of one results record (its chosen ``params``) on ``split`` at ``stage``."""
    name = record.get("baseline")
    if name not in BASELINES:
        raise ValueError(f"record['baseline'] must be one of {list(BASELINES)}, got {name!r}")
    return BASELINES[name](**record["params"]).fit(split, stage)


def sampled_vs_full(models: dict[str, Baseline], split: SequentialSplit, stage: str = "test", k: int = 10,
                    n_negatives: int = 100, seed: int = 0):
    """HR@k and NDCG@k of each fitted model under full ranking and under ``n_negatives`` uniformly sampled
    negatives (the same negatives for every model), with each model's position (1 = best) in both orders.
    Returns a pandas DataFrame indexed by model name."""
    import pandas as pd

    _check_split(split)
    targets = split.targets(stage)
    rows = []
    for name, model in models.items():
        scores = model.score(split.history(stage))
        full = per_user_metrics(target_ranks(scores, targets), (k,))
        sampled = per_user_metrics(sampled_ranks(scores, targets, n_negatives, seed=seed), (k,))
        rows.append({"model": name, f"hr@{k} full": full[f"hr@{k}"].mean(),
                     f"hr@{k} sampled": sampled[f"hr@{k}"].mean(),
                     f"ndcg@{k} full": full[f"ndcg@{k}"].mean(),
                     f"ndcg@{k} sampled": sampled[f"ndcg@{k}"].mean()})
    df = pd.DataFrame(rows).set_index("model")
    df["position full"] = df[f"hr@{k} full"].rank(ascending=False, method="min").astype(int)
    df["position sampled"] = df[f"hr@{k} sampled"].rank(ascending=False, method="min").astype(int)
    return df


def popular_items_already_seen(split: SequentialSplit, stage: str = "test", k: int = 10) -> dict[str, float]:
    """How much of the popularity top-``k`` a user has already rated, and how often the target was seen.

    Returns ``{"mean_seen_in_top_k": ..., "share_targets_in_history": ...}``: the mean number (over users) of
    the ``k`` most popular items (in ``split.history(stage)``) that are already in the user's history, and
    the share of users whose ``stage`` target is in their own history (a repeat).
    """
    _check_split(split)
    _check_stage(stage)
    k = _positive_int("k", k)
    hist = split.history(stage)
    top = np.argsort(-_item_counts(hist, split.n_items), kind="stable")[:k]
    seen_top = np.array([np.isin(top, h).sum() for h in hist], dtype=np.float64)
    targets = split.targets(stage)
    repeat = np.array([t in set(h.tolist()) for t, h in zip(targets, hist, strict=True)], dtype=bool)
    return {"mean_seen_in_top_k": float(seen_top.mean()), "share_targets_in_history": float(repeat.mean())}


def seen_in_top_k(model: Baseline, split: SequentialSplit, stage: str = "test", k: int = 10) -> np.ndarray:
    """(n_users,) how many of the model's top-``k`` items each user has already rated (in
    ``split.history(stage)``): slots wasted under an unmasked protocol when users never repeat."""
    _check_split(split)
    _check_stage(stage)
    k = _positive_int("k", k)
    hist = split.history(stage)
    out = np.empty(split.n_users, dtype=np.int64)
    for lo, block in model.score_chunks(hist):
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        for r in range(len(block)):
            out[lo + r] = np.isin(top[r], hist[lo + r]).sum()
    return out
