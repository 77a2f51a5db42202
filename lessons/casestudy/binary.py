"""The source article's experiment, done honestly: LSTM vs GRU as yes/no "will interact" classifiers.

The article reports accuracy, precision, recall and F1 of an LSTM and a GRU on a binary task, plus training
time, from one run each. Here both cells get the same budget (same data, epochs, width, optimiser, seeds):

* model: the ``full`` recurrent model of :mod:`lessons.casestudy.models`; ``p(interact) = sigmoid(logit)``
  with ``logit = out(h_t) . E[item] + b[item]``;
* training: binary cross-entropy, each next item (label 1) against ``neg_ratio`` items drawn uniformly from
  all items (label 0), at every position of the training windows;
* binary test: for each user the held-out test item (label 1) and ``r`` items the user never interacted
  with (label 0), for several ratios ``r``; accuracy, precision, recall, F1 at threshold 0.5 and AUC;
* ranking test: the same scores over ALL items (the book's protocol), HR/NDCG/MRR@K, and the "sampled"
  HR@10 among the test item and 100 sampled negatives, which overstates quality (Krichene & Rendle, 2020).

The point the chapter makes with these numbers: accuracy, precision and F1 move with the negative ratio
(a property of the test set, not of the model), while AUC and the full-ranking metrics do not.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from lessons.casestudy.inputs import make_windows, score_split
from lessons.casestudy.models import CELLS, InterestModel, ModelConfig, count_parameters
from lessons.casestudy.train import check_shared_numbers, progress_bar
from lessons.checks import check_size
from lessons.data.split import SequentialSplit
from lessons.evaluation.metrics import binary_metrics, evaluate, ranks_among, target_ranks
from lessons.evaluation.results import jsonable, peak_rss_mb, provenance

RATIOS: tuple[int, ...] = (1, 4, 9, 99)


@dataclass
class BinaryConfig:
    """Budget shared by both cells in the yes/no experiment."""

    cell: str = "gru"
    seed: int = 0
    epochs: int = 10
    dim: int = 64
    lr: float = 2e-3
    dropout: float = 0.3
    batch_size: int = 256
    neg_ratio: int = 1
    max_len: int = 50
    stride: int = 25
    threads: int = 1
    eval_ratios: tuple[int, ...] = RATIOS
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        for name in ("epochs", "dim", "batch_size", "neg_ratio", "max_len", "stride", "threads"):
            check_size(name, getattr(self, name))
        check_shared_numbers(self)
        for r in self.eval_ratios:
            check_size("eval_ratios", r)


def train_binary(split: SequentialSplit, config: BinaryConfig, progress: bool = False) -> tuple[InterestModel, dict]:
    """Train a ``full-<cell>`` model with sampled-negative BCE.

    Returns ``(model, {"train_seconds", "loss_history"})``.
    """
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = InterestModel(
        ModelConfig(
            kind="full",
            cell=config.cell,
            n_items=split.n_items,
            n_users=split.n_users,
            dim=config.dim,
            dropout=config.dropout,
        )
    )
    windows = make_windows(split.train, split.train_times, config.max_len, config.stride)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    bar = progress_bar(progress, config.epochs, f"binary-{config.cell}")
    losses = []
    start = time.perf_counter()
    for _ in range(config.epochs):
        model.train()
        order = rng.permutation(len(windows))
        total, count = 0.0, 0
        for lo in range(0, len(order), config.batch_size):
            idx = order[lo : lo + config.batch_size]
            x = torch.from_numpy(windows.items[idx])
            t = torch.from_numpy(windows.targets[idx])
            mask = t > 0
            pos = t[mask] - 1
            neg = torch.from_numpy(rng.integers(0, split.n_items, size=(len(pos), config.neg_ratio)))
            cand = torch.cat([pos[:, None], neg], dim=1)  # (N, 1 + r)
            logit = model.score_items(model(x)[mask], cand)
            label = torch.zeros_like(logit)
            label[:, 0] = 1.0
            loss = F.binary_cross_entropy_with_logits(logit, label)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(pos)
            count += len(pos)
        losses.append(total / max(count, 1))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return model, {"train_seconds": time.perf_counter() - start, "loss_history": losses}


def sample_unseen(split: SequentialSplit, n_neg: int, seed: int = 0) -> np.ndarray:
    """``(n_users, n_neg)`` items each user never interacted with (train, valid or test), uniform.

    Distinct when the user has at least ``n_neg`` unseen items, drawn with replacement otherwise (tiny data).
    """
    rng = np.random.default_rng(seed)
    out = np.empty((split.n_users, n_neg), np.int64)
    for u in range(split.n_users):
        seen = np.zeros(split.n_items, bool)
        seen[split.train[u]] = True
        seen[[split.valid_item[u], split.test_item[u]]] = True
        pool = np.flatnonzero(~seen)
        if len(pool) == 0:
            raise ValueError(f"user {u} has interacted with every item: no negative can be sampled")
        out[u] = rng.choice(pool, size=n_neg, replace=len(pool) < n_neg)
    return out


def binary_view(
    scores: np.ndarray,
    targets: np.ndarray,
    negatives: np.ndarray,
    ratios: tuple[int, ...] = RATIOS,
    threshold: float = 0.5,
) -> dict[str, dict[str, float]]:
    """The article's columns at several negative ratios from one score matrix.

    scores: ``(n_users, n_items)`` logits; targets: ``(n_users,)``; negatives: ``(n_users, >= max(ratios))``.
    For ratio ``r`` each user contributes the target (label 1) and their first ``r`` negatives (label 0);
    ``p = sigmoid(score)`` is thresholded at ``threshold``. Returns ``{"1:r": {auc, accuracy, precision,
    recall, f1, positive_share}}``.
    """
    if negatives.shape[1] < max(ratios):
        raise ValueError(f"negatives must have >= {max(ratios)} columns, got {negatives.shape[1]}")
    users = np.arange(len(targets))
    pos = 1.0 / (1.0 + np.exp(-scores[users, targets]))
    out = {}
    for r in ratios:
        neg = 1.0 / (1.0 + np.exp(-np.take_along_axis(scores, negatives[:, :r], axis=1)))
        y = np.r_[np.ones(len(pos)), np.zeros(neg.size)].astype(int)
        s = np.r_[pos, neg.ravel()]
        m = binary_metrics(y, s, threshold=threshold)
        m["positive_share"] = 1.0 / (1 + r)
        out[f"1:{r}"] = m
    return out


def sampled_hit_rate(scores: np.ndarray, targets: np.ndarray, negatives: np.ndarray, k: int = 10) -> float:
    """HR@k when the target is ranked only against ``negatives: (n_users, m)`` (pessimistic ties)."""
    return float((ranks_among(scores, targets, negatives) <= k).mean())


def run_binary(split: SequentialSplit, config: BinaryConfig, progress: bool = False) -> dict[str, Any]:
    """Train one cell on the yes/no task and evaluate it both ways; return a JSON-ready record."""
    rss_before = peak_rss_mb()
    model, info = train_binary(split, config, progress=progress)
    scores = score_split(model, split, "test", config.max_len)
    targets = np.asarray(split.targets("test"))
    negatives = sample_unseen(split, max(max(config.eval_ratios), 100), seed=10_000 + config.seed)
    record = {
        "dataset": split.dataset,
        "protocol": getattr(split, "protocol", "unknown"),
        "model": f"binary-full-{config.cell}",
        "cell": config.cell,
        "seed": config.seed,
        "config": asdict(config),
        "n_parameters": count_parameters(model),
        "binary": binary_view(scores, targets, negatives, config.eval_ratios),
        "ranking": evaluate(target_ranks(scores, targets), ci=True),
        "sampled_hr@10_100neg": sampled_hit_rate(scores, targets, negatives[:, :100]),
        **info,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_mb": rss_before,
        **provenance(),
    }
    return jsonable(record)


def ratio_table(records: list[dict[str, Any]]) -> Any:
    """Long table ``cell, ratio, metric, mean, sd`` (over seeds) of the binary view of every record."""
    import pandas as pd

    rows = [
        {"cell": r["cell"], "seed": r["seed"], "ratio": int(key.split(":")[1]), "metric": m, "value": v}
        for r in records
        for key, ms in r["binary"].items()
        for m, v in ms.items()
    ]
    df = pd.DataFrame(rows)
    out = df.groupby(["cell", "ratio", "metric"])["value"].agg(["mean", "std"]).reset_index()
    return out.rename(columns={"std": "sd"})


def article_table(records: list[dict[str, Any]], ratio: int = 1) -> Any:
    """The article's columns next to the ranking view, one row per cell, ``mean ± sd`` over seeds.

    Columns: accuracy, precision, recall, F1, AUC at ``1:ratio``; training seconds; parameters; full-ranking
    HR@10 and NDCG@10; HR@10 against 100 sampled negatives.
    """
    import pandas as pd

    rows = []
    for r in records:
        b = r["binary"][f"1:{ratio}"]
        rows.append(
            {
                "cell": r["cell"].upper(),
                "seed": r["seed"],
                "accuracy": b["accuracy"],
                "precision": b["precision"],
                "recall": b["recall"],
                "F1": b["f1"],
                "AUC": b["auc"],
                "train seconds": r["train_seconds"],
                "parameters": r["n_parameters"],
                "HR@10 (all items)": r["ranking"]["hr@10"],
                "NDCG@10 (all items)": r["ranking"]["ndcg@10"],
                "HR@10 (100 sampled)": r["sampled_hr@10_100neg"],
            }
        )
    df = pd.DataFrame(rows)
    agg = df.drop(columns="seed").groupby("cell")
    mean, sd, n = agg.mean(), agg.std(ddof=1), agg.size()
    out = mean.copy().astype(object)
    for col in mean.columns:
        for cell in mean.index:
            m, s = mean.loc[cell, col], sd.loc[cell, col]
            if col == "parameters":
                out.loc[cell, col] = f"{int(m):,}"
            elif col == "train seconds":
                out.loc[cell, col] = f"{m:.0f} ± {s:.0f}" if np.isfinite(s) else f"{m:.0f}"
            else:
                out.loc[cell, col] = f"{m:.3f} ± {s:.3f}" if np.isfinite(s) else f"{m:.3f}"
    out.insert(0, "seeds", n)
    return out.reset_index()


def key_numbers(records: list[dict[str, Any]], baseline_records: list[dict[str, Any]]) -> dict[str, Any]:
    """Every number the LSTM-vs-GRU experiment chapter glues (``cs_bin_*``): per cell the mean over seeds of
    accuracy, precision and AUC at 1:1 and 1:99, full-ranking and sampled HR@10 and training seconds; the number
    of seeds; the LSTM's training time as a share of the GRU's and its direction (``cs_bin_time_ratio``,
    ``cs_bin_time_word``); how much the GRU's accuracy and precision move from 1:1 to 1:99; the popularity
    baseline's HR@10 (from ``baseline_records``, ``results/baselines-ml-100k.jsonl``)."""
    by = {c: [r for r in records if r["cell"] == c] for c in CELLS}
    columns = {"acc": ("1:1", "accuracy"), "acc99": ("1:99", "accuracy"), "prec1": ("1:1", "precision"),
               "prec99": ("1:99", "precision"), "auc": ("1:1", "auc"), "auc99": ("1:99", "auc")}
    out: dict[str, Any] = {}
    for cell in CELLS:
        def mean_of(f: Any, cell: str = cell) -> float:
            return float(np.mean([f(r) for r in by[cell]]))

        for name, (ratio, metric) in columns.items():
            out[f"cs_bin_{cell}_{name}"] = f"{mean_of(lambda r, q=ratio, m=metric: r['binary'][q][m]):.3f}"
        out[f"cs_bin_{cell}_hr"] = f"{mean_of(lambda r: r['ranking']['hr@10']):.3f}"
        out[f"cs_bin_{cell}_shr"] = f"{mean_of(lambda r: r['sampled_hr@10_100neg']):.3f}"
        out[f"cs_bin_{cell}_sec"] = f"{mean_of(lambda r: r['train_seconds']):.0f}"
    out["cs_bin_seeds"] = len(by["gru"])
    sec = {c: float(np.mean([r["train_seconds"] for r in by[c]])) for c in CELLS}
    out["cs_bin_time_ratio"] = f"{sec['lstm'] / sec['gru']:.2f}"  # LSTM seconds / GRU seconds
    out["cs_bin_time_word"] = "less" if sec["lstm"] < sec["gru"] else "more"
    acc = {q: float(np.mean([r["binary"][q]["accuracy"] for r in by["gru"]])) for q in ("1:1", "1:99")}
    prec = {q: float(np.mean([r["binary"][q]["precision"] for r in by["gru"]])) for q in ("1:1", "1:99")}
    out["cs_bin_gru_acc_shift"] = f"{acc['1:99'] - acc['1:1']:+.3f}"
    out["cs_bin_gru_prec_factor"] = f"{prec['1:1'] / prec['1:99']:.0f}"
    pop = [r for r in baseline_records if r["baseline"] == "popularity" and not r.get("mask_seen", False)][-1]
    out["cs_bin_pop_hr"] = f"{pop['test']['hr@10']:.3f}"
    return out
