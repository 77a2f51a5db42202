"""Training of the interest models on a :class:`lessons.data.split.SequentialSplit`.

Training uses a full softmax (cross-entropy over all items) with a loss at every position of sliding
windows of length <= ``max_len`` over each user's training sequence. Overlapping windows (``stride`` <
``max_len``) give every loss position at least ``max_len - stride`` items of context; a position is scored in
exactly one window. Adam (optionally with a cosine learning-rate decay over the planned epochs), dropout, early
stopping on validation NDCG@10 with ``patience`` epochs, and a wall-clock budget (``max_minutes``).

Evaluation (:func:`lessons.casestudy.inputs.stage_ranks` then :func:`lessons.evaluation.metrics.evaluate`)
follows the split's protocol: scores over ALL items, seen items not masked by the protocol (a model with
``seen_bias`` learns its own penalty for the items it has read), 1-based pessimistic ranks of the held-out item.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from lessons.casestudy.allocator import keep_freed_memory
from lessons.casestudy.history import before_windows
from lessons.casestudy.inputs import Windows, make_windows, stage_ranks, stage_ranks_with_mask
from lessons.casestudy.models import (
    USER_KINDS,
    InterestModel,
    ModelConfig,
    canonical_model_name,
    count_parameters,
    parse_model_name,
)
from lessons.casestudy.softmax_loss import resolve_precision
from lessons.checks import check_number, check_size
from lessons.data.split import SequentialSplit
from lessons.evaluation.metrics import evaluate
from lessons.evaluation.results import jsonable, peak_rss_mb, provenance

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


def check_shared_numbers(config: Any) -> None:
    """Check (and normalise) the numbers every training config has, before any data are loaded: ``seed`` a whole
    number >= 0, ``lr`` > 0 (0 would record an untrained model), ``dropout`` in [0, 1), ``stride <= max_len``;
    NaN and infinities are refused (:func:`lessons.checks.check_number`)."""
    config.seed = check_number("seed", config.seed, low=0, integer=True)
    config.lr = check_number("lr", config.lr, low=0, low_open=True)
    config.dropout = check_number("dropout", config.dropout, low=0)
    if config.dropout >= 1:
        raise ValueError(f"dropout must be < 1, got {config.dropout!r}")
    if config.stride > config.max_len:
        raise ValueError(f"stride must be <= max_len={config.max_len}, got {config.stride}")


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
    long_scope: str = "window"
    user_dropout: float = 0.0  # LSTUR's mask of the user vector in training (models with a user embedding)
    user_l2: float = 0.0  # L2 penalty on the user vectors of each batch: user_l2 * mean ||e_u||^2, added to the loss
    schedule: str = "constant"
    threads: int = 2
    max_batches: int | None = None
    precision: str = "auto"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.model = canonical_model_name(self.model)  # one spelling per model in every record
        for name in ("epochs", "dim", "batch_size", "max_len", "stride", "short_k", "patience", "threads"):
            check_size(name, getattr(self, name))
        if self.max_batches is not None:
            check_size("max_batches", self.max_batches)
        check_shared_numbers(self)
        # "auto" becomes what this machine really runs (bf16 only with bf16 matrix units), so a record says it
        self.precision = resolve_precision(self.precision)
        self.max_minutes = check_number("max_minutes", self.max_minutes, low=0, low_open=True)
        self.weight_decay = check_number("weight_decay", self.weight_decay, low=0)
        self.user_l2 = check_number("user_l2", self.user_l2, low=0)
        self.user_dropout = check_number("user_dropout", self.user_dropout, low=0)
        if self.user_dropout >= 1:
            raise ValueError(f"user_dropout must be < 1, got {self.user_dropout!r}")
        kind, _ = parse_model_name(self.model)
        if (self.user_l2 or self.user_dropout) and kind not in USER_KINDS:
            raise ValueError(f"user_l2 and user_dropout apply to models with a user embedding (kinds {USER_KINDS}), "
                             f"got model {self.model!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {SCHEDULES}, got {self.schedule!r}")


# ---------------------------------------------------------------------------------------------- training
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
            long_scope=config.long_scope,
            user_dropout=config.user_dropout,
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
    max_batches: int | None = None,
    done: list[int] | None = None,
    precision: str = "fp32",
    sequences: Sequence[np.ndarray] | None = None,
    user_l2: float = 0.0,
) -> float:
    """One pass over the windows in random order; returns the mean cross-entropy per scored position.

    ``deadline`` (a ``time.perf_counter()`` value) ends the pass early, so a run never exceeds its budget;
    ``max_batches`` ends it after that many batches (an exact, replayable cut); ``done``, a one-element list,
    counts the batches run; ``scheduler`` (a torch LR scheduler) is stepped after every batch; ``precision``
    (``"fp32"`` or ``"bf16"``) is that of the full-softmax loss's matmuls (:mod:`lessons.casestudy.softmax_loss`);
    ``sequences`` (the users' training sequences) give a ``long_scope="history"`` model the items before each window;
    ``user_l2`` adds ``user_l2 * mean ||e_u||^2`` over the batch's user vectors to the loss (not to the returned mean).
    """
    model.train()
    order = rng.permutation(len(windows))
    total, count, batches = 0.0, 0, 0
    for lo in range(0, len(order), batch_size):
        if max_batches is not None and batches >= max_batches:
            break
        idx = order[lo : lo + batch_size]
        targ = windows.targets[idx]
        w = int(np.max(np.nonzero(windows.items[idx].any(axis=0))[0])) + 1  # trim trailing padding
        x = torch.from_numpy(windows.items[idx, :w])
        t = torch.from_numpy(targ[:, :w])
        before = None
        if model.config.long_scope == "history" and sequences is not None:
            before = before_windows(sequences, windows.users[idx], windows.starts[idx])
        users = torch.from_numpy(windows.users[idx])
        rep = model(x, users, torch.from_numpy(windows.gaps[idx, :w]), before=before)
        mask = t > 0
        seen = model.causal_seen(x)[mask] if model.config.seen_bias else None
        cross_entropy = model.loss(rep[mask], t[mask] - 1, seen, precision=precision)
        loss = cross_entropy
        if user_l2:
            loss = loss + user_l2 * model.user_emb(users).pow(2).sum(-1).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        n = int(mask.sum())
        total += cross_entropy.item() * n
        count += n
        batches += 1
        if done is not None:
            done[0] += 1
        if progress is not None:
            progress.update(1)
            progress.set_postfix(loss=f"{total / max(count, 1):.3f}")
        if deadline is not None and time.perf_counter() > deadline:
            break
    return total / max(count, 1)


def progress_bar(enabled: bool, total: int, desc: str, unit: str = "it") -> Any:
    """A tqdm progress bar over ``total`` steps, or ``None`` when not ``enabled``."""
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, leave=False)


def _stop_reason(config: TrainConfig, improved: bool, bad: int, batches_done: int, start: float) -> str | None:
    """Why training stops after this epoch ('patience', 'max_batches', 'max_minutes'), or None to go on."""
    if not improved and bad >= config.patience:
        return "patience"
    if config.max_batches is not None and batches_done >= config.max_batches:
        return "max_batches"
    if time.perf_counter() - start >= 60 * config.max_minutes:
        return "max_minutes"
    return None


def fit(
    split: SequentialSplit, config: TrainConfig, progress: bool = False, log: Any = None
) -> tuple[InterestModel, dict]:
    """Train ``config.model`` on ``split`` with early stopping; return ``(best model, summary dict)``.

    The summary holds the per-epoch history (loss, validation NDCG@10, seconds), the best epoch, the training
    seconds (evaluation included), the parameter count, ``batches_run`` (optimiser steps taken) and
    ``stopped_by`` ('epochs', 'patience', 'max_batches' or 'max_minutes'). A run cut by the clock depends on the
    machine's speed; ``TrainConfig(max_batches=<its batches_run>)`` replays it exactly (the clock then no
    longer decides). A run cut by ``max_batches`` stops after evaluating the epoch in which the cap was reached.
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
    bar = progress_bar(progress, n_batches * config.epochs, config.model, unit="batch")
    best, best_state, best_epoch, bad = -1.0, None, 0, 0
    history = []
    start = time.perf_counter()
    stopped = "epochs"
    done = [0]
    for epoch in range(1, config.epochs + 1):
        t0 = time.perf_counter()
        deadline = start + 60 * config.max_minutes
        left = None if config.max_batches is None else config.max_batches - done[0]
        loss = train_epoch(model, windows, optimizer, config.batch_size, rng, bar, deadline, scheduler,
                           max_batches=left, done=done, precision=config.precision, sequences=split.train,
                           user_l2=config.user_l2)
        ndcg = evaluate(stage_ranks(model, split, "valid", config.max_len), ks=(10,))["ndcg@10"]
        history.append({"epoch": epoch, "loss": loss, "valid_ndcg@10": ndcg, "seconds": time.perf_counter() - t0})
        if log is not None:
            log(f"{config.model} epoch {epoch}: loss {loss:.4f} valid NDCG@10 {ndcg:.4f} "
                f"({history[-1]['seconds']:.1f}s)")
        improved = ndcg > best
        if improved:
            best, best_epoch, bad = ndcg, epoch, 0
            best_state = copy.deepcopy(model.state_dict())
        else:
            bad += 1
        reason = _stop_reason(config, improved, bad, done[0], start)
        if reason is not None:
            stopped = reason
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
        "batches_run": done[0],
        "history": history,
        "n_parameters": count_parameters(model),
        "n_windows": len(windows),
        "n_train_targets": windows.n_targets,
    }
    return model, summary


def run(
    split: SequentialSplit, config: TrainConfig, progress: bool = False, log: Any = None
) -> tuple[InterestModel, dict]:
    """Train, then evaluate on validation and test; return ``(model, record)`` where record is JSON-ready.

    ``test_ranks`` keeps every user's 1-based test rank, so per-user analyses (groups, paired comparisons)
    can be made from the results file alone.

    ``exactly_reproducible`` is False when the wall clock (``max_minutes``) ended the run: rerun it with
    ``max_batches`` equal to its ``batches_run`` to get the same numbers on any machine.

    Memory: ``peak_rss_mb`` is the process's peak resident set size (``ru_maxrss``) at the end of the run
    (data, torch and numpy together, i.e. the real footprint); ``rss_before_mb`` the same before training
    started, so ``peak_rss_mb - rss_before_mb`` bounds what training added.
    """
    rss_before = peak_rss_mb()
    model, summary = fit(split, config, progress=progress, log=log)
    valid_ranks, valid_masked = stage_ranks_with_mask(model, split, "valid", config.max_len)
    ranks, ranks_masked = stage_ranks_with_mask(model, split, "test", config.max_len)
    valid, test = evaluate(valid_ranks), evaluate(ranks, ci=True)
    record = {
        "dataset": split.dataset,
        "protocol": getattr(split, "protocol", "unknown"),
        "model": config.model,
        "seed": config.seed,
        "config": asdict(config),
        "n_users": split.n_users,
        "n_items": split.n_items,
        "valid": jsonable(valid),
        "test": jsonable(test),
        "test_ranks": ranks.astype(int).tolist(),
        # the same checkpoint under the hard seen-mask (the user's items never recommended)
        "valid_masked": jsonable(evaluate(valid_masked)),
        "test_masked": jsonable(evaluate(ranks_masked, ci=True)),
        "test_ranks_masked": ranks_masked.astype(int).tolist(),
        "learned": learned_scalars(model),
        **{k: v for k, v in summary.items()},
        "exactly_reproducible": summary["stopped_by"] != "max_minutes",
        "peak_rss_mb": peak_rss_mb(),
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


__all__ = ["SCHEDULES", "TrainConfig", "check_shared_numbers", "lr_factor", "build_model", "train_epoch", "fit", "run",
           "learned_scalars", "progress_bar"]
