"""Training and evaluation of the interest models on a :class:`lessons.data.SequentialSplit`.

Training uses a full softmax (cross-entropy over all items) with a loss at every position of sliding
windows of length <= ``max_len`` over each user's training sequence. Overlapping windows (``stride`` <
``max_len``) give every loss position at least ``max_len - stride`` items of context; a position is scored in
exactly one window. Adam (optionally with a cosine learning-rate decay over the planned epochs), dropout, early
stopping on validation NDCG@10 with ``patience`` epochs, and a wall-clock budget (``max_minutes``).

Evaluation follows the split's protocol: input = the last ``max_len`` items of ``split.history(stage)``,
scores over ALL items, seen items not masked by the protocol (a model with ``seen_bias`` learns its own penalty for
the items it has read), 1-based pessimistic ranks of the held-out item.
"""

from __future__ import annotations

import copy
import math
import resource
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from lessons.casestudy.allocator import keep_freed_memory
from lessons.casestudy.models import (
    CELLS,
    KINDS,
    InterestModel,
    ModelConfig,
    count_parameters,
    parse_model_name,
)

KS: tuple[int, ...] = (5, 10, 20)
SCHEDULES: tuple[str, ...] = ("constant", "cosine")


def lr_factor(step: int, total_steps: int, schedule: str, floor: float = 0.02) -> float:
    """Multiplier of the base learning rate after ``step`` optimiser steps out of ``total_steps``.

    ``constant``: 1. ``cosine``: half a cosine from 1 down to ``floor`` at ``total_steps`` (and ``floor`` after).
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule must be one of {SCHEDULES}, got {schedule!r}")
    if schedule == "constant":
        return 1.0
    if total_steps < 1:
        raise ValueError(f"total_steps must be >= 1, got {total_steps}")
    done = min(step / total_steps, 1.0)
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * done))


@dataclass
class TrainConfig:
    """Everything that decides a training run (stored in every results record)."""

    model: str = "full-gru"
    seed: int = 0
    epochs: int = 30
    dim: int = 64
    lr: float = 1e-3
    dropout: float = 0.3
    batch_size: int = 256
    max_len: int = 50
    stride: int = 25
    short_k: int = 5
    patience: int = 3
    max_minutes: float = 15.0
    weight_decay: float = 0.0
    seen_bias: bool = False
    schedule: str = "constant"
    threads: int = 2
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        parse_model_name(self.model)
        for name in ("epochs", "dim", "batch_size", "max_len", "stride", "short_k", "patience", "threads"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.stride > self.max_len:
            raise ValueError(f"stride must be <= max_len={self.max_len}, got {self.stride}")
        if not self.lr > 0:
            raise ValueError(f"lr must be > 0, got {self.lr!r}")
        if self.max_minutes <= 0:
            raise ValueError(f"max_minutes must be > 0, got {self.max_minutes!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")


# ---------------------------------------------------------------------------------------------- data
def time_gaps(times: np.ndarray) -> np.ndarray:
    """Seconds since the previous event: ``times: (L,)`` -> ``(L,)`` with 0 at the first event."""
    times = np.asarray(times, dtype=np.float64)
    return np.diff(times, prepend=times[:1]) if times.size else times


@dataclass
class Windows:
    """Training windows. All arrays ``(N, W)`` except ``users: (N,)``; item ids are stored +1 (0 = pad)."""

    items: np.ndarray
    targets: np.ndarray  # next item (+1), 0 where there is no loss
    gaps: np.ndarray
    users: np.ndarray

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
    rows_i, rows_t, rows_g, rows_u = [], [], [], []
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
            rows_i.append(items), rows_t.append(targ), rows_g.append(gap), rows_u.append(u)
            prev = end
    if not rows_u:
        raise ValueError("train must hold at least one user with two or more items, got none")
    return Windows(np.stack(rows_i), np.stack(rows_t), np.stack(rows_g), np.asarray(rows_u, np.int64))


def histories(split: Any, stage: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Items and timestamps the model reads for ``stage`` ('valid': train; 'test': train + valid item)."""
    if stage not in ("valid", "test"):
        raise ValueError(f"stage must be 'valid' or 'test', got {stage!r}")
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

    items: per user, item ids in time order (the last ``max_len`` are read); users: ``(U,)`` user ids.
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
        rep = model(xb, torch.from_numpy(users[sl]), torch.from_numpy(g[sl, :w]))
        last = rep[torch.arange(len(xb)), torch.from_numpy(lengths[sl] - 1)]
        out[sl] = model.logits(last, xb).numpy()  # xb: everything read, the seen items of the last position
    return out


def score_split(model: InterestModel, split: Any, stage: str, max_len: int = 50) -> np.ndarray:
    """``(n_users, n_items)`` scores for the validation or test stage of ``split``."""
    items, times = histories(split, stage)
    return score_histories(model, items, times, np.arange(split.n_users), max_len)


def evaluate(
    model: InterestModel, split: Any, stage: str, ks: Sequence[int] = KS, ci: bool = False, max_len: int = 50
) -> dict[str, Any]:
    """HR/NDCG/MRR@K over all items for one stage (optionally with 95% bootstrap CIs over users)."""
    from lessons import metrics

    scores = score_split(model, split, stage, max_len)
    return metrics.evaluate_scores(scores, np.asarray(split.targets(stage)), ks=tuple(ks), ci=ci)


# ---------------------------------------------------------------------------------------------- training
def _peak_rss_mb() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def build_model(config: TrainConfig, n_items: int, n_users: int) -> InterestModel:
    """A freshly initialised model for ``config`` (seeded)."""
    kind, cell = parse_model_name(config.model)
    torch.manual_seed(config.seed)
    return InterestModel(
        ModelConfig(
            kind=kind,
            cell=cell,
            n_items=n_items,
            n_users=n_users,
            dim=config.dim,
            dropout=config.dropout,
            short_k=config.short_k,
            seen_bias=config.seen_bias,
        )
    )


def train_epoch(
    model: InterestModel,
    windows: Windows,
    optimizer: torch.optim.Optimizer,
    batch_size: int,
    rng: np.random.Generator,
    progress: Any = None,
    deadline: float | None = None,
    scheduler: Any = None,
) -> float:
    """One pass over the windows in random order; returns the mean cross-entropy per scored position.

    ``deadline`` (a ``time.perf_counter()`` value) ends the pass early, so a run never exceeds its budget;
    ``scheduler`` (a torch LR scheduler) is stepped after every batch.
    """
    model.train()
    order = rng.permutation(len(windows))
    total, count = 0.0, 0
    for lo in range(0, len(order), batch_size):
        idx = order[lo : lo + batch_size]
        targ = windows.targets[idx]
        w = int(np.max(np.nonzero(windows.items[idx].any(axis=0))[0])) + 1  # trim trailing padding
        x = torch.from_numpy(windows.items[idx, :w])
        t = torch.from_numpy(targ[:, :w])
        rep = model(x, torch.from_numpy(windows.users[idx]), torch.from_numpy(windows.gaps[idx, :w]))
        mask = t > 0
        seen = model.causal_seen(x)[mask] if model.config.seen_bias else None
        loss = F.cross_entropy(model.logits(rep[mask], seen), t[mask] - 1)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        n = int(mask.sum())
        total += loss.item() * n
        count += n
        if progress is not None:
            progress.update(1)
            progress.set_postfix(loss=f"{total / max(count, 1):.3f}")
        if deadline is not None and time.perf_counter() > deadline:
            break
    return total / max(count, 1)


def fit(
    split: Any, config: TrainConfig, progress: bool = False, log: Any = None
) -> tuple[InterestModel, dict]:
    """Train ``config.model`` on ``split`` with early stopping; return ``(best model, summary dict)``.

    The summary holds the per-epoch history (loss, validation NDCG@10, seconds), the best epoch, the training
    seconds (evaluation included), the parameter count and peak memory (see :func:`run`).
    """
    torch.set_num_threads(config.threads)
    keep_freed_memory()
    rng = np.random.default_rng(config.seed)
    windows = make_windows(split.train, split.train_times, config.max_len, config.stride)
    model = build_model(config, split.n_items, split.n_users)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    n_batches = math.ceil(len(windows) / config.batch_size)
    total_steps = n_batches * config.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: lr_factor(step, total_steps, config.schedule)
    )
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_batches * config.epochs, desc=config.model, unit="batch", leave=False)
    best, best_state, best_epoch, bad = -1.0, None, 0, 0
    history = []
    start = time.perf_counter()
    stopped = "epochs"
    for epoch in range(1, config.epochs + 1):
        t0 = time.perf_counter()
        loss = train_epoch(
            model,
            windows,
            optimizer,
            config.batch_size,
            rng,
            bar,
            deadline=start + 60 * config.max_minutes,
            scheduler=scheduler,
        )
        ndcg = float(evaluate(model, split, "valid", ks=(10,), max_len=config.max_len)["ndcg@10"])
        history.append(
            {"epoch": epoch, "loss": loss, "valid_ndcg@10": ndcg, "seconds": time.perf_counter() - t0}
        )
        if log is not None:
            log(
                f"{config.model} epoch {epoch}: loss {loss:.4f} valid NDCG@10 {ndcg:.4f} "
                f"({history[-1]['seconds']:.1f}s)"
            )
        if ndcg > best:
            best, best_epoch, bad = ndcg, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad += 1
            if bad >= config.patience:
                stopped = "patience"
                break
        if time.perf_counter() - start >= 60 * config.max_minutes:
            stopped = "max_minutes"
            break
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.close()
    model.load_state_dict(best_state)
    summary = {
        "train_seconds": seconds,
        "epochs_run": len(history),
        "best_epoch": best_epoch,
        "stopped_by": stopped,
        "history": history,
        "n_parameters": count_parameters(model),
        "n_windows": len(windows),
        "n_train_targets": windows.n_targets,
    }
    return model, summary


def run(
    split: Any, config: TrainConfig, progress: bool = False, log: Any = None
) -> tuple[InterestModel, dict]:
    """Train, then evaluate on validation and test; return ``(model, record)`` where record is JSON-ready.

    ``test_ranks`` keeps every user's 1-based test rank, so per-user analyses (groups, paired comparisons)
    can be made from the results file alone.

    Memory: ``peak_rss_mb`` is the process's peak resident set size (``ru_maxrss``) at the end of the run
    (data, torch and numpy together, i.e. the real footprint); ``rss_before_mb`` the same before training
    started, so ``peak_rss_mb - rss_before_mb`` bounds what training added.
    """
    from lessons.provenance import provenance

    rss_before = _peak_rss_mb()
    model, summary = fit(split, config, progress=progress, log=log)
    valid = evaluate(model, split, "valid", max_len=config.max_len)
    test = evaluate(model, split, "test", ci=True, max_len=config.max_len)
    from lessons.metrics import target_ranks

    ranks = target_ranks(score_split(model, split, "test", config.max_len), np.asarray(split.targets("test")))
    record = {
        "dataset": split.dataset,
        "protocol": getattr(split, "protocol", "unknown"),
        "model": config.model,
        "seed": config.seed,
        "config": asdict(config),
        "n_users": split.n_users,
        "n_items": split.n_items,
        "valid": _jsonable(valid),
        "test": _jsonable(test),
        "test_ranks": ranks.astype(int).tolist(),
        "learned": learned_scalars(model),
        **{k: v for k, v in summary.items()},
        "peak_rss_mb": _peak_rss_mb(),
        "rss_before_mb": rss_before,
        "memory_note": "ru_maxrss of the whole process (MiB), peak over its life",
        **provenance(),
    }
    return model, record


def learned_scalars(model: InterestModel) -> dict[str, float]:
    """Learned single numbers worth reporting: the seen-item bias ``seen_weight`` when the model has one."""
    out = {}
    if model.config.seen_bias:
        out["seen_weight"] = float(model.seen_weight.detach())
    return out


def _jsonable(value: Any) -> Any:
    """Plain JSON types from numpy scalars/arrays, tuples and nested dicts."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list | np.ndarray):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.integer | int) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, np.floating | float):
        return float(value)
    return value


__all__ = [
    "KS",
    "CELLS",
    "KINDS",
    "TrainConfig",
    "Windows",
    "make_windows",
    "histories",
    "encode_histories",
    "score_histories",
    "score_split",
    "evaluate",
    "build_model",
    "train_epoch",
    "fit",
    "run",
    "time_gaps",
    "lr_factor",
    "learned_scalars",
    "SCHEDULES",
]
